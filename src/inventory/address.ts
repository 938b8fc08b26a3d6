/**
 * Host identifiers as Ansible reads them (ansible/parsing/utils/addresses.py and
 * ansible/plugins/inventory expand_hostname_range): `host:port`, `[v6]:port`, IPv4/IPv6,
 * and `[x:y]`/`[x:y:step]` ranges, numeric (with zero padding) or alphabetic.
 */
import { PhiloteError } from '../errors.js';

const numericRange = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const hexRange = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const alnumRange = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const v6 = `(?:[0-9a-f]{1,4}|${hexRange})`;
const v4 = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${numericRange})`;
const word = String.raw`[\p{L}\p{N}_]`;
const label = `(?:${word}|${alnumRange})(?:${word}|[_-]|${alnumRange})*(?<![_-])`;
/**
 * The same label for ASCII names, which almost every inventory has: V8 compiles a case-insensitive
 * Unicode property class slowly (~5 ms at the first host, ~0.1 ms for each further one), and
 * for ASCII text the two patterns accept the same names (ASCII letters and digits are all in
 * \p{L}/\p{N}; the only extra case-insensitive matches of [a-z] under `u` are non-ASCII).
 */
const asciiLabel = `(?:[a-z0-9_]|${alnumRange})(?:[a-z0-9_-]|${alnumRange})*(?<![_-])`;

const PATTERNS = {
  bracketedHostPort: /^\[(.+)\]:([0-9]+)$/,
  hostPort: /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/,
  ipv4: new RegExp(`^(?:${v4}\\.){3}${v4}$`, 'i'),
  ipv6: new RegExp(
    '^(?:' +
      [
        `(?:${v6}:){7}${v6}`,
        `(?:${v6}:){1,6}:`,
        `(?:${v6}:)(?::${v6}){1,6}`,
        `(?:${v6}:){2}(?::${v6}){1,5}`,
        `(?:${v6}:){3}(?::${v6}){1,4}`,
        `(?:${v6}:){4}(?::${v6}){1,3}`,
        `(?:${v6}:){5}(?::${v6}){1,2}`,
        `(?:${v6}:){6}(?::${v6})`,
        `:(?::${v6}){1,6}`,
        `${v6}?::`,
        `(?:0:){6}(?:${v6}\\.){3}${v6}`,
        `::(?:ffff:)?(?:${v6}\\.){3}${v6}`,
        `(?:0:){5}ffff:(?:${v6}\\.){3}${v6}`,
      ].join('|') +
      ')$',
    'i',
  ),
  hostname: new RegExp(`^${label}(?:\\.${label})*$`, 'iu'),
  asciiHostname: new RegExp(`^${asciiLabel}(?:\\.${asciiLabel})*$`, 'i'),
};

const ASCII = /^[\x00-\x7f]*$/;

/** Split `host:port` etc.; undefined when the text is not a host identifier (then it may be a pattern list). */
export function parseAddress(address: string): { host: string; port?: number } | undefined {
  let port: number | undefined;
  let host = address;
  for (const re of [PATTERNS.bracketedHostPort, PATTERNS.hostPort]) {
    const m = re.exec(host);
    if (m) {
      host = m[1]!;
      port = Number.parseInt(m[2]!, 10);
    }
  }
  // Any of the three makes it an address: the cheapest, an ASCII name, is tried first.
  if (ASCII.test(host) ? PATTERNS.asciiHostname.test(host) : PATTERNS.hostname.test(host)) return { host, port };
  if (PATTERNS.ipv4.test(host) || PATTERNS.ipv6.test(host)) return { host, port };
  return undefined;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Expand `node[01:03]`, `db-[a:f:2]`, and several ranges in one name. */
export function expandHostRange(line: string): string[] {
  if (!line.includes('[')) return [line];
  const open = line.indexOf('[');
  const close = line.indexOf(']', open);
  if (close < 0) throw rangeError(`host range must be begin:end or begin:end:step (in '${line}')`);
  const head = line.slice(0, open);
  const tail = line.slice(close + 1);
  const bounds = line.slice(open + 1, close).split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw rangeError('host range must be begin:end or begin:end:step');
  const beg = bounds[0] || '0';
  const end = bounds[1]!;
  const step = bounds.length === 3 ? Number.parseInt(bounds[2]!, 10) : 1;
  if (!end) throw rangeError('host range must specify end value');
  if (!Number.isFinite(step) || step <= 0) throw rangeError(`invalid host range step '${bounds[2]}'`);
  let fill = (x: string | number) => String(x);
  if (beg[0] === '0' && beg.length > 1) {
    if (beg.length !== end.length) throw rangeError('host range must specify equal-length begin and end formats');
    fill = (x) => String(x).padStart(beg.length, '0');
  }
  const seq: Array<string | number> = [];
  const ib = beg.length === 1 ? LETTERS.indexOf(beg) : -1;
  const ie = end.length === 1 ? LETTERS.indexOf(end) : -1;
  if (ib >= 0 && ie >= 0) {
    if (ib > ie) throw rangeError('host range must have begin <= end');
    for (let i = ib; i <= ie; i += step) seq.push(LETTERS[i]!);
  } else {
    const b = Number(beg);
    const e = Number(end);
    if (!/^\d+$/.test(beg) || !/^\d+$/.test(end)) throw rangeError(`invalid host range '[${bounds.join(':')}]'`);
    for (let i = b; i <= e; i += step) seq.push(i);
  }
  return seq.flatMap((x) => expandHostRange(`${head}${fill(x)}${tail}`));
}

/**
 * expand_hostname_range's ValueError: the text of the first of begin, end and step that Python's
 * int() refuses, when the first range is not a letter range; undefined when it reads, or when it
 * is wrong in a way ansible-core reports as an AnsibleError (the checks of expandHostRange above,
 * in Python's order). advanced_host_list fails a whole source on such a ValueError.
 */
export function rangeIntLiteral(pattern: string): string | undefined {
  const m = /\[([^\]]*)\]/.exec(pattern);
  if (!m) return undefined;
  const bounds = m[1]!.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) return undefined;
  const beg = bounds[0] || '0';
  const end = bounds[1]!;
  const step = bounds[2] ?? '1';
  if (!end || (beg[0] === '0' && beg.length > 1 && beg.length !== end.length)) return undefined;
  const letter = (x: string) => x.length === 1 && LETTERS.includes(x);
  const int = (x: string) => /^\s*[+-]?\d+(?:_\d+)*\s*$/.test(x);
  if (letter(beg) && letter(end) && int(step)) return undefined;
  return [beg, end, step].find((x) => !int(x));
}

function rangeError(msg: string): PhiloteError {
  return new PhiloteError('parse', msg);
}
