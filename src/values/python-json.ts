/**
 * What Python's json.loads (the C scanner of Python 3.11, which ansible-core's DataLoader tries
 * before YAML) says about a text that is not JSON: its message with "line L column C (char N)",
 * or undefined when Python would read it. ansible-core shows this message in every file error:
 * "We were unable to read either as JSON nor YAML, these are the errors we got from each:
 * JSON: Expecting value: line 1 column 1 (char 0)". Only the verdict is computed, not a value.
 */

class Stop extends Error {
  constructor(
    readonly msg: string,
    readonly pos: number,
  ) {
    super(msg);
  }
}
/** StopIteration in the scanner: "Expecting value" at this position. */
class NoValue extends Error {
  constructor(readonly pos: number) {
    super('no value');
  }
}

const WS = new Set([' ', '\t', '\n', '\r']);
const skipWs = (s: string, i: number): number => {
  while (i < s.length && WS.has(s[i]!)) i++;
  return i;
};
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;

function scanString(s: string, end: number): number {
  const begin = end - 1;
  for (;;) {
    if (end >= s.length) throw new Stop('Unterminated string starting at', begin);
    const c = s[end]!;
    if (c === '"') return end + 1;
    if (c === '\\') {
      const esc = s[end + 1];
      if (esc === undefined) throw new Stop('Unterminated string starting at', begin);
      if (esc === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(s.slice(end + 2, end + 6))) throw new Stop('Invalid \\uXXXX escape', end + 1);
        end += 6;
      } else if ('"\\/bfnrt'.includes(esc)) end += 2;
      else throw new Stop('Invalid \\escape', end);
      continue;
    }
    if (c.charCodeAt(0) <= 0x1f) throw new Stop('Invalid control character at', end);
    end++;
  }
}

function scanOnce(s: string, idx: number): number {
  const c = s[idx];
  if (c === undefined) throw new NoValue(idx);
  if (c === '"') return scanString(s, idx + 1);
  if (c === '{') return scanObject(s, idx + 1);
  if (c === '[') return scanArray(s, idx + 1);
  for (const word of ['null', 'true', 'false', 'NaN', 'Infinity', '-Infinity']) if (s.startsWith(word, idx)) return idx + word.length;
  NUMBER.lastIndex = idx;
  const m = NUMBER.exec(s);
  if (m) return idx + m[0].length;
  throw new NoValue(idx);
}

function value(s: string, idx: number): number {
  try {
    return scanOnce(s, idx);
  } catch (e) {
    if (e instanceof NoValue) throw new Stop('Expecting value', e.pos);
    throw e;
  }
}

function scanObject(s: string, end: number): number {
  let next = s[end] ?? '';
  if (next !== '"') {
    if (WS.has(next)) {
      end = skipWs(s, end);
      next = s[end] ?? '';
    }
    if (next === '}') return end + 1;
    if (next !== '"') throw new Stop('Expecting property name enclosed in double quotes', end);
  }
  end += 1;
  for (;;) {
    end = scanString(s, end);
    if (s[end] !== ':') {
      end = skipWs(s, end);
      if (s[end] !== ':') throw new Stop("Expecting ':' delimiter", end);
    }
    end = skipWs(s, end + 1);
    end = value(s, end);
    end = skipWs(s, end);
    const c = s[end] ?? '';
    end += 1;
    if (c === '}') return end;
    if (c !== ',') throw new Stop("Expecting ',' delimiter", end - 1);
    end = skipWs(s, end);
    const q = s[end] ?? '';
    end += 1;
    if (q !== '"') throw new Stop('Expecting property name enclosed in double quotes', end - 1);
  }
}

function scanArray(s: string, end: number): number {
  end = skipWs(s, end);
  if (s[end] === ']') return end + 1;
  for (;;) {
    end = value(s, end);
    end = skipWs(s, end);
    const c = s[end] ?? '';
    end += 1;
    if (c === ']') return end;
    if (c !== ',') throw new Stop("Expecting ',' delimiter", end - 1);
    end = skipWs(s, end);
  }
}

/** JSONDecodeError's text: "msg: line L column C (char N)". */
function decodeError(s: string, msg: string, pos: number): string {
  const before = s.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `${msg}: line ${line} column ${col} (char ${pos})`;
}

export function pythonJsonError(text: string): string | undefined {
  if (text.startsWith('\ufeff')) return 'Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)';
  try {
    const end = skipWs(text, value(text, skipWs(text, 0)));
    if (end !== text.length) return decodeError(text, 'Extra data', end);
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return decodeError(text, e.msg, e.pos);
    throw e;
  }
}
