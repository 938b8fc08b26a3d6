/**
 * Sizes written for humans ("10M", "1.5 KB", "8Mb") as ansible-core 2.14 reads them:
 * module_utils/common/text/formatters.py human_to_bytes. The `human_to_bytes` filter and the
 * argument types `bytes` and `bits` both call it; each words its own failure, so this returns
 * `undefined` wherever Python raises.
 */

/** The multiplier of each unit letter (formatters.SIZE_RANGES). */
export const SIZE_RANGES: Record<string, number> = { Y: 2 ** 80, Z: 2 ** 70, E: 2 ** 60, P: 2 ** 50, T: 2 ** 40, G: 2 ** 30, M: 2 ** 20, K: 2 ** 10, B: 1 };

/** Python 3's round() to an int: halves go to the even neighbour (round(2.5) == 2). */
function pyRoundInt(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The byte count (bits with `isbits`) of `text`, or undefined where human_to_bytes raises
 * ValueError. Only the start of the text is read, as re.search with `^` does: "10 MB 5" is 10 MB.
 */
export function humanToBytes(text: string, defaultUnit?: string, isbits = false): number | undefined {
  const m = /^\s*(\d*\.?\d*)\s*([A-Za-z]+)?/.exec(text)!;
  // float() of the number part: '' and '.' are not numbers.
  if (!/\d/.test(m[1]!)) return undefined;
  const num = parseFloat(m[1]!);
  const unit = m[2] ?? defaultUnit;
  if (unit === undefined || unit === null) return pyRoundInt(num);
  const rangeKey = unit.slice(0, 1).toUpperCase();
  const limit = SIZE_RANGES[rangeKey];
  if (limit === undefined) return undefined;
  // "KB"/"Kb": the second letter says bytes or bits; "kbyte"/"Mbit" spelled out pass too.
  if (unit.length > 1 && !unit.toLowerCase().includes(isbits ? 'bit' : 'byte') && unit[1] !== (isbits ? 'b' : 'B')) return undefined;
  return pyRoundInt(num * limit);
}
