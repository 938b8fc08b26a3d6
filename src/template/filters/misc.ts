/** Encoding, hashing, path, shell-quoting, size, date and random filters. */
import { pyCodec, type PyCodec } from '../../values/py-codec.js';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FilterFn } from '../runtime/env.js';
import { FinalTemplateError, TemplateRuntimeError } from '../runtime/env.js';
import { PyDatetime, strftime, strptime } from '../runtime/datetime.js';
import { isInt, makeFloat, num, pyClass, PyFloat, pyIter, pyStr, PyTypeError, truthy, tuple, typeName } from '../runtime/values.js';
import { percentFormat } from '../runtime/ops.js';
import { randomSalt, shaCrypt } from './crypt.js';
import { PyRandom } from './pyrandom.js';
import { shellQuote } from '../../values/shell-quote.js';
import { humanToBytes, SIZE_RANGES } from '../../values/human-size.js';
import { fileglob } from './fileglob.js';

function hashHex(alg: string, s: string): string {
  const map: Record<string, string> = { sha1: 'sha1', md5: 'md5', sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512', blake2b: 'blake2b512', sha3_256: 'sha3-256', sha3_512: 'sha3-512' };
  const a = map[alg];
  if (!a) throw new TemplateRuntimeError(`unsupported hash type ${alg}`);
  return createHash(a).update(Buffer.from(s, 'utf8')).digest('hex');
}

/** Largest unit first, as human_readable walks them. */
const SIZE_STEPS = Object.entries(SIZE_RANGES);

function bytesToHuman(size: number, isbits: boolean, unit?: string): string {
  const base = isbits ? 'bits' : 'Bytes';
  let suffix = '';
  let limit = 1;
  for ([suffix, limit] of SIZE_STEPS) {
    if ((unit === undefined && size >= limit) || (unit !== undefined && unit.toUpperCase() === suffix[0])) break;
  }
  suffix = limit !== 1 ? suffix + base[0] : base;
  return `${percentFormat('%.2f', size / limit)} ${suffix}`;
}

/**
 * The filter of ansible-core 2.14 (plugins/filter/mathstuff.py): whatever formatters.human_to_bytes
 * raises becomes one AnsibleFilterError, worded the same for every cause and shown as it is.
 */
function humanToBytesFilter(value: unknown, defaultUnit?: string, isbits = false): number {
  const n = humanToBytes(pyStr(value), defaultUnit, isbits);
  if (n === undefined) throw new FinalTemplateError(`human_to_bytes() can't interpret following string: ${pyStr(value)}`);
  return n;
}

/** The codec of b64encode/b64decode's `encoding=` (default utf-8), src/values/py-codec.ts. */
function codec(name: unknown): PyCodec {
  const c = pyCodec(name === undefined || name === null ? 'utf-8' : pyStr(name));
  if (!c) throw new TemplateRuntimeError(`unknown encoding: ${pyStr(name)}`);
  return c;
}

const COMMENT_STYLES: Record<string, Record<string, string>> = {
  plain: { decoration: '# ' },
  erlang: { decoration: '% ' },
  c: { decoration: '// ' },
  cblock: { beginning: '/*', decoration: ' * ', end: ' */' },
  xml: { beginning: '<!--', decoration: ' - ', end: '-->' },
};

/**
 * core.py's comment(text, style, **kw): the style's beginning, prefix lines, every line of the
 * text after the decoration (trailing spaces dropped where a line is empty), postfix lines and
 * end; newline, beginning, prefix(_count), decoration, postfix(_count) and end can each be given.
 */
function commentText(text: string, style: string, kw: Record<string, unknown>): string {
  const styleParams = COMMENT_STYLES[style];
  if (!styleParams) throw new TemplateRuntimeError(`'${style}'`);
  const rstrip = (x: string) => x.replace(/\s+$/, '');
  const around = rstrip(kw['decoration'] !== undefined ? pyStr(kw['decoration']) : styleParams['decoration']!);
  const p: Record<string, unknown> = { newline: '\n', beginning: '', prefix: around, prefix_count: 1, decoration: '', postfix: around, postfix_count: 1, end: '', ...styleParams };
  for (const [key, val] of Object.entries(kw)) p[key] = val;
  const nl = pyStr(p['newline']);
  const dec = pyStr(p['decoration']);
  const prefix = pyStr(p['prefix']);
  const beginning = p['beginning'] ? `${pyStr(p['beginning'])}${nl}` : '';
  const prefixes = prefix ? (prefix !== nl ? `${prefix}${nl}` : nl).repeat(Math.max(0, Math.trunc(num(p['prefix_count'])))) : '';
  const body = (dec + text.split(nl).join(nl + dec)).split(dec + nl).join(rstrip(dec) + nl);
  const postfixes = Array.from({ length: Math.max(0, Math.trunc(num(p['postfix_count']))) }, () => nl + pyStr(p['postfix'])).join('');
  const end = p['end'] ? `${nl}${pyStr(p['end'])}` : '';
  return beginning + prefixes + body + postfixes + end;
}

/** uuid.UUID(namespace) as to_uuid reads it; what it refuses is the filter's "Invalid value" error. */
function uuidNamespace(namespace: unknown): Buffer {
  const bad = (why: string) => new FinalTemplateError(`Invalid value '${pyStr(namespace)}' for 'namespace': ${why}`);
  if (typeof namespace !== 'string') throw bad(`'${typeName(namespace)}' object has no attribute 'replace'`);
  const hex = namespace.replace(/urn:/g, '').replace(/uuid:/g, '').replace(/^[{}]+|[{}]+$/g, '').replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw bad('badly formed hexadecimal UUID string');
  return Buffer.from(hex, 'hex');
}

/** float(second) as strftime does it; what float() refuses is the filter's own error. */
function epochSeconds(second: unknown): number {
  if (typeof second === 'string') {
    const t = second.trim().replace(/(?<=\d)_(?=\d)/g, '');
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return parseFloat(t);
    if (/^[+-]?(inf|infinity|nan)$/i.test(t)) return parseFloat(t.replace(/inf(inity)?/i, 'Infinity').replace(/nan/i, 'NaN'));
  } else if (typeof second === 'number' || typeof second === 'boolean' || second instanceof PyFloat) {
    return num(second);
  }
  throw new FinalTemplateError(`Invalid value for epoch value (${pyStr(second)})`);
}

function b64encode(s: string, encoding: unknown): string {
  const c = codec(encoding);
  const body = Buffer.from(s, c.node);
  return (c.bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body).toString('base64');
}

function b64decode(s: string, encoding?: unknown): string {
  const c = codec(encoding);
  let bytes = Buffer.from(s, 'base64');
  if (c.bom && bytes[0] === 0xff && bytes[1] === 0xfe) bytes = bytes.subarray(2);
  return bytes.toString(c.node);
}

/**
 * A number for Python's math functions, which take int, float and bool only; anything else is
 * their TypeError, which mathstuff's log/pow/root re-raise as AnsibleFilterTypeError.
 */
function mathArg(filter: 'log' | 'pow' | 'root', v: unknown): number {
  if (typeof v === 'number') return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw new FinalTemplateError(`${filter}() can only be used on numbers: must be real number, not ${typeName(v)}`);
}

export const MISC_FILTERS: Record<string, FilterFn> = {
  b64encode: (_s, v, a, k) => b64encode(pyStr(v), a[0] ?? k['encoding']),
  b64decode: (_s, v, a, k) => b64decode(pyStr(v), a[0] ?? k['encoding']),
  hash: (_s, v, a) => hashHex(pyStr(a[0] ?? 'sha1'), pyStr(v)),
  checksum: (_s, v) => hashHex('sha1', pyStr(v)),
  sha1: (_s, v) => hashHex('sha1', pyStr(v)),
  md5: (_s, v) => hashHex('md5', pyStr(v)),
  password_hash: (_s, v, a, k) => {
    // get_encrypted_password(password, hashtype, salt, salt_size, rounds, ident).
    const type = pyStr(a[0] ?? k['hashtype'] ?? 'sha512');
    const salt = a[1] ?? k['salt'];
    const saltSize = a[2] ?? k['salt_size'];
    const rounds = a[3] ?? k['rounds'];
    // passlib compares salt_size with the algorithm's limits: what is no int fails there.
    if (saltSize !== undefined && saltSize !== null && !isInt(saltSize)) throw new PyTypeError(`'<' not supported between instances of '${typeName(saltSize)}' and 'int'`);
    const s = salt === undefined || salt === null ? randomSalt(saltSize === undefined || saltSize === null ? 16 : num(saltSize)) : pyStr(salt);
    // passlib leaves out "rounds=" when it is the algorithm's implicit 5000.
    if (type === 'sha512' || type === 'sha512_crypt') return shaCrypt(pyStr(v), s, rounds === undefined || rounds === null ? 656000 : num(rounds) === 5000 ? undefined : num(rounds), 512);
    if (type === 'sha256' || type === 'sha256_crypt') return shaCrypt(pyStr(v), s, rounds === undefined || rounds === null ? 535000 : num(rounds) === 5000 ? undefined : num(rounds), 256);
    throw new TemplateRuntimeError(`password_hash type '${type}' is not supported by philote (use sha512 or sha256)`);
  },
  basename: (_s, v) => path.posix.basename(pyStr(v)) === '' ? '' : pyStr(v).split('/').pop()!,
  fileglob: (_s, v) => fileglob(pyStr(v)),
  dirname: (_s, v) => {
    const s = pyStr(v);
    const i = s.lastIndexOf('/');
    if (i < 0) return '';
    const head = s.slice(0, i + 1);
    return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
  },
  expanduser: (_s, v) => pyStr(v).replace(/^~(?=$|\/)/, os.homedir()),
  expandvars: (_s, v) => pyStr(v).replace(/\$(\w+)|\$\{(\w+)\}/g, (m, a: string | undefined, b: string | undefined) => process.env[(a ?? b)!] ?? m),
  realpath: (_s, v) => {
    const p = path.resolve(pyStr(v));
    try {
      return fs.realpathSync(p);
    } catch {
      return p;
    }
  },
  relpath: (_s, v, a) => path.relative(a[0] === undefined ? process.cwd() : pyStr(a[0]), pyStr(v)) || '.',
  splitext: (_s, v) => {
    const s = pyStr(v);
    const base = s.slice(s.lastIndexOf('/') + 1);
    const dot = base.lastIndexOf('.');
    if (dot <= 0 || /^\.+$/.test(base.slice(0, dot + 1))) return tuple([s, '']);
    const cut = s.length - base.length + dot;
    return tuple([s.slice(0, cut), s.slice(cut)]);
  },
  path_join: (_s, v) => {
    if (typeof v !== 'string' && !Array.isArray(v)) throw new PyTypeError(`|path_join expects string or sequence, got ${pyClass(v)} instead.`);
    const parts = Array.isArray(v) ? v.map(pyStr) : [v];
    let out = '';
    for (const p of parts) out = p.startsWith('/') || out === '' ? p : out.endsWith('/') ? out + p : out + '/' + p;
    return out;
  },
  quote: (_s, v) => shellQuote(v === null || v === undefined ? '' : pyStr(v)),
  human_readable: (_s, v, a, k) => {
    const unit = a[1] === undefined && k['unit'] === undefined ? undefined : pyStr(a[1] ?? k['unit']);
    if (typeof v !== 'number' && typeof v !== 'boolean' && !(v instanceof PyFloat)) {
      // bytes_to_human compares (or, given a unit, divides) the size with an int: Python's TypeError.
      const t = typeName(v);
      const why = unit === undefined ? `'>=' not supported between instances of '${t}' and 'int'` : `unsupported operand type(s) for /: '${t}' and 'int'`;
      throw new FinalTemplateError(`human_readable() failed on bad input: ${why}`);
    }
    return bytesToHuman(num(v), truthy(a[0] ?? k['isbits'] ?? false), unit);
  },
  human_to_bytes: (_s, v, a, k) => humanToBytesFilter(v, a[0] === undefined && k['default_unit'] === undefined ? undefined : pyStr(a[0] ?? k['default_unit']), truthy(a[1] ?? k['isbits'] ?? false)),
  to_datetime: (_s, v, a) => {
    try {
      return strptime(pyStr(v), pyStr(a[0] ?? '%Y-%m-%d %H:%M:%S'));
    } catch (e) {
      throw new TemplateRuntimeError((e as Error).message);
    }
  },
  strftime: (_s, v, a, k) => {
    const second = a[0] ?? k['second'];
    const utc = truthy(a[1] ?? k['utc'] ?? false);
    const d = second === undefined || second === null ? new Date() : new Date(epochSeconds(second) * 1000);
    return strftime(pyStr(v), d, utc);
  },
  random: (_s, v, a, k) => {
    const seed = k['seed'];
    const start = a[0] ?? k['start'];
    const step = a[1] ?? k['step'];
    const r = seed === undefined || seed === null ? undefined : new PyRandom(typeof seed === 'number' ? seed : pyStr(seed));
    if (isInt(v)) {
      const st = start === undefined || start === null || !truthy(start) ? 0 : num(start);
      const sp = step === undefined || step === null || !truthy(step) ? 1 : num(step);
      if (r) return r.randrange(st, v, sp);
      const n = Math.floor((v - st + sp - 1) / sp);
      return st + sp * randomInt(n);
    }
    // core.py's rand(): start and step only for an integer end; anything not iterable refused.
    if (v === null || v === undefined || typeof v === 'number' || v instanceof PyFloat) throw new FinalTemplateError('random can only be used on sequences and integers');
    if ((start !== undefined && start !== null && truthy(start)) || (step !== undefined && step !== null && truthy(step))) {
      throw new FinalTemplateError('start and step can only be used with integer values');
    }
    const items = pyIter(v);
    if (!items.length) throw new TemplateRuntimeError('Cannot choose from an empty sequence');
    return items[r ? r.randbelow(items.length) : randomInt(items.length)];
  },
  shuffle: (_s, v, _a, k) => {
    // randomize_list: what list() refuses comes back as it was (22 | shuffle is 22).
    let items: unknown[];
    try {
      items = [...pyIter(v)];
    } catch {
      return v;
    }
    const seed = k['seed'];
    if (seed !== undefined && seed !== null && truthy(seed)) new PyRandom(typeof seed === 'number' ? seed : pyStr(seed)).shuffle(items);
    else
      for (let i = items.length - 1; i > 0; i--) {
        const j = randomInt(i + 1);
        [items[i], items[j]] = [items[j], items[i]];
      }
    return items;
  },
  to_uuid: (_s, v, a, k) => {
    // uuid5 in Ansible's namespace 361E6D51-FAEC-444A-9079-341386DA8E2E.
    const ns = uuidNamespace(a[0] ?? k['namespace'] ?? '361E6D51-FAEC-444A-9079-341386DA8E2E');
    const h = createHash('sha1').update(ns).update(Buffer.from(pyStr(v), 'utf8')).digest();
    h[6] = (h[6]! & 0x0f) | 0x50;
    h[8] = (h[8]! & 0x3f) | 0x80;
    const x = h.subarray(0, 16).toString('hex');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  },
  comment: (_s, v, a, k) => commentText(pyStr(v), pyStr(a[0] ?? k['style'] ?? 'plain'), k),
  log: (_s, v, a) => {
    const base = a[0] === undefined ? undefined : mathArg('log', a[0]);
    const x = mathArg('log', v);
    return makeFloat(base === undefined ? Math.log(x) : base === 10 ? Math.log10(x) : Math.log(x) / Math.log(base));
  },
  pow: (_s, v, a) => makeFloat(Math.pow(mathArg('pow', v), mathArg('pow', a[0]))),
  root: (_s, v, a) => makeFloat(a[0] === undefined ? Math.sqrt(mathArg('root', v)) : Math.pow(mathArg('root', v), 1 / mathArg('root', a[0]))),
  random_mac: (_s, v) => {
    const prefix = pyStr(v);
    const parts = prefix.split(':');
    while (parts.length < 6) parts.push(randomBytes(1).toString('hex'));
    return parts.join(':');
  },
  datetime_ok: (_s, v) => v instanceof PyDatetime,
};
