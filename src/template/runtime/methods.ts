/** Python str/list/dict methods that playbooks call (`x.split(',')`, `d.items()`, `s.format(...)`). */
import { PyCallable } from './callable.js';
import { isDict, num, pyEquals, pyIter, pyRepr, pyStr, PyTypeError, tuple, Undefined, type Dict } from './values.js';

type Method<T> = (self: T, args: unknown[], kwargs: Dict) => unknown;

const WS = ' \t\n\r\x0b\x0c';

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === undefined || chars === null ? WS : pyStr(chars);
  let a = 0;
  let b = s.length;
  if (left) while (a < b && set.includes(s[a]!)) a++;
  if (right) while (b > a && set.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** Python str.split(sep=None, maxsplit=-1). */
export function pySplit(s: string, sep?: unknown, maxsplit = -1): string[] {
  if (sep === undefined || sep === null) {
    const out: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest.length) {
      if (maxsplit >= 0 && out.length === maxsplit) {
        out.push(rest);
        return out;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  const sp = pyStr(sep);
  if (sp === '') throw new PyTypeError('empty separator');
  const parts = s.split(sp);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sp)];
}

function rsplit(s: string, sep?: unknown, maxsplit = -1): string[] {
  if (maxsplit < 0) return pySplit(s, sep);
  if (sep === undefined || sep === null) {
    const words = pySplit(s);
    if (words.length <= maxsplit + 1) return words;
    const tail = words.slice(words.length - maxsplit);
    const headEnd = s.replace(/\s+$/, '');
    let cut = headEnd.length;
    for (let k = 0; k < maxsplit; k++) cut = headEnd.lastIndexOf(words[words.length - 1 - k]!, cut - 1);
    return [headEnd.slice(0, cut).replace(/\s+$/, ''), ...tail];
  }
  const sp = pyStr(sep);
  const parts = s.split(sp);
  if (parts.length <= maxsplit + 1) return parts;
  return [parts.slice(0, parts.length - maxsplit).join(sp), ...parts.slice(parts.length - maxsplit)];
}

function title(s: string): string {
  return s.replace(/[A-Za-z]+('[A-Za-z]+)?/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase());
}

/** Python str.format with positional/keyword fields and simple format specs. */
export function pyFormat(fmt: string, args: unknown[], kwargs: Dict): string {
  let auto = 0;
  return fmt.replace(/\{\{|\}\}|\{([^{}:!]*)(![rs])?(?::([^{}]*))?\}/g, (m, field: string | undefined, conv: string | undefined, spec: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const f = field ?? '';
    const [head, ...path] = f.split('.');
    let v: unknown = head === '' ? args[auto++] : /^\d+$/.test(head!) ? args[Number(head)] : kwargs[head!];
    for (const p of path) v = isDict(v) ? v[p] : undefined;
    if (v instanceof Undefined) throw new PyTypeError(v.message);
    let s = conv === '!r' ? pyRepr(v) : undefined;
    if (spec) s = applySpec(s ?? v, spec);
    return s ?? pyStr(v);
  });
}

function applySpec(v: unknown, spec: string): string {
  const m = /^(?:(.)?([<>^=]))?([+\- ])?(0)?(\d+)?(,)?(?:\.(\d+))?([sdfxXobeEg%])?$/.exec(spec);
  if (!m) return pyStr(v);
  const [, fill = ' ', align, , zero, width, comma, prec, type] = m;
  let s: string;
  if (type === 'f' || (prec !== undefined && typeof v !== 'string' && type !== 's')) s = num(v).toFixed(prec === undefined ? 6 : Number(prec));
  else if (type === 'd') s = String(Math.trunc(num(v)));
  else if (type === 'x') s = Math.trunc(num(v)).toString(16);
  else if (type === 'X') s = Math.trunc(num(v)).toString(16).toUpperCase();
  else if (type === 'o') s = Math.trunc(num(v)).toString(8);
  else if (type === 'b') s = Math.trunc(num(v)).toString(2);
  else if (type === '%') s = (num(v) * 100).toFixed(prec === undefined ? 6 : Number(prec)) + '%';
  else s = pyStr(v);
  if (type === 's' && prec !== undefined) s = s.slice(0, Number(prec));
  if (comma) s = s.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const w = width ? Number(width) : 0;
  if (s.length >= w) return s;
  const isNum = typeof v === 'number' || typeof v === 'boolean';
  const al = align ?? (zero ? '=' : isNum ? '>' : '<');
  const fc = zero && !align ? '0' : fill;
  const pad = w - s.length;
  if (al === '<') return s + fc.repeat(pad);
  if (al === '>') return fc.repeat(pad) + s;
  if (al === '=') return s.startsWith('-') ? '-' + fc.repeat(pad) + s.slice(1) : fc.repeat(pad) + s;
  return fc.repeat(Math.floor(pad / 2)) + s + fc.repeat(pad - Math.floor(pad / 2));
}

function findIndex(s: string, sub: unknown, start?: unknown, end?: unknown): number {
  const st = start === undefined || start === null ? 0 : num(start);
  const en = end === undefined || end === null ? s.length : num(end);
  const hay = s.slice(st < 0 ? s.length + st : st, en < 0 ? s.length + en : en);
  const i = hay.indexOf(pyStr(sub));
  return i < 0 ? -1 : i + (st < 0 ? s.length + st : st);
}

function startsOrEnds(s: string, arg: unknown, ends: boolean): boolean {
  const opts = Array.isArray(arg) ? arg.map(pyStr) : [pyStr(arg)];
  return opts.some((o) => (ends ? s.endsWith(o) : s.startsWith(o)));
}

const STR_METHODS: Record<string, Method<string>> = {
  split: (s, a, k) => pySplit(s, a[0] ?? k['sep'], num(a[1] ?? k['maxsplit'] ?? -1)),
  rsplit: (s, a, k) => rsplit(s, a[0] ?? k['sep'], num(a[1] ?? k['maxsplit'] ?? -1)),
  splitlines: (s, a) => {
    const lines = s.split(/(\r\n|\n|\r)/);
    const out: string[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const line = lines[i]!;
      const nl = lines[i + 1] ?? '';
      if (i + 1 >= lines.length && line === '') break;
      out.push(a[0] ? line + nl : line);
    }
    return out;
  },
  strip: (s, a) => stripChars(s, a[0], true, true),
  lstrip: (s, a) => stripChars(s, a[0], true, false),
  rstrip: (s, a) => stripChars(s, a[0], false, true),
  startswith: (s, a) => startsOrEnds(s, a[0], false),
  endswith: (s, a) => startsOrEnds(s, a[0], true),
  replace: (s, a) => {
    const count = a[2] === undefined ? -1 : num(a[2]);
    const from = pyStr(a[0]);
    const to = pyStr(a[1]);
    if (count < 0) return s.split(from).join(to);
    const parts = s.split(from);
    return parts.slice(0, count + 1).join(to) + (parts.length > count + 1 ? from + parts.slice(count + 1).join(from) : '');
  },
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  title: (s) => title(s),
  capitalize: (s) => (s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s),
  swapcase: (s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  format: (s, a, k) => pyFormat(s, a, k),
  join: (s, a) => pyIter(a[0]).map((x) => {
    if (typeof x !== 'string') throw new PyTypeError(`sequence item 0: expected str instance, ${typeof x === 'number' ? 'int' : 'object'} found`);
    return x;
  }).join(s),
  count: (s, a) => (pyStr(a[0]) === '' ? s.length + 1 : s.split(pyStr(a[0])).length - 1),
  find: (s, a) => findIndex(s, a[0], a[1], a[2]),
  rfind: (s, a) => s.lastIndexOf(pyStr(a[0])),
  index: (s, a) => {
    const i = findIndex(s, a[0], a[1], a[2]);
    if (i < 0) throw new PyTypeError('substring not found');
    return i;
  },
  isdigit: (s) => /^[0-9]+$/.test(s),
  isnumeric: (s) => /^[0-9]+$/.test(s),
  isdecimal: (s) => /^[0-9]+$/.test(s),
  isalpha: (s) => /^[A-Za-z]+$/.test(s),
  isalnum: (s) => /^[A-Za-z0-9]+$/.test(s),
  isspace: (s) => /^\s+$/.test(s),
  islower: (s) => /[a-z]/.test(s) && s === s.toLowerCase(),
  isupper: (s) => /[A-Z]/.test(s) && s === s.toUpperCase(),
  zfill: (s, a) => {
    const w = num(a[0]);
    const sign = /^[+-]/.test(s) ? s[0]! : '';
    const body = sign ? s.slice(1) : s;
    return s.length >= w ? s : sign + body.padStart(w - sign.length, '0');
  },
  center: (s, a) => {
    const w = num(a[0]);
    const fill = a[1] === undefined ? ' ' : pyStr(a[1]);
    if (s.length >= w) return s;
    const pad = w - s.length;
    const left = Math.floor(pad / 2) + (pad & w & 1);
    return fill.repeat(left) + s + fill.repeat(pad - left);
  },
  ljust: (s, a) => s.padEnd(num(a[0]), a[1] === undefined ? ' ' : pyStr(a[1])),
  rjust: (s, a) => s.padStart(num(a[0]), a[1] === undefined ? ' ' : pyStr(a[1])),
  partition: (s, a) => {
    const sep = pyStr(a[0]);
    const i = s.indexOf(sep);
    return tuple(i < 0 ? [s, '', ''] : [s.slice(0, i), sep, s.slice(i + sep.length)]);
  },
  rpartition: (s, a) => {
    const sep = pyStr(a[0]);
    const i = s.lastIndexOf(sep);
    return tuple(i < 0 ? ['', '', s] : [s.slice(0, i), sep, s.slice(i + sep.length)]);
  },
  encode: (s) => s,
  decode: (s) => s,
  removeprefix: (s, a) => (s.startsWith(pyStr(a[0])) ? s.slice(pyStr(a[0]).length) : s),
  removesuffix: (s, a) => (pyStr(a[0]) && s.endsWith(pyStr(a[0])) ? s.slice(0, s.length - pyStr(a[0]).length) : s),
};

const LIST_METHODS: Record<string, Method<unknown[]>> = {
  count: (l, a) => l.filter((x) => pyEquals(x, a[0])).length,
  index: (l, a) => {
    const i = l.findIndex((x) => pyEquals(x, a[0]));
    if (i < 0) throw new PyTypeError(`${pyRepr(a[0])} is not in list`);
    return i;
  },
  append: (l, a) => {
    l.push(a[0]);
    return null;
  },
  extend: (l, a) => {
    l.push(...pyIter(a[0]));
    return null;
  },
  insert: (l, a) => {
    l.splice(num(a[0]), 0, a[1]);
    return null;
  },
  pop: (l, a) => {
    if (!l.length) throw new PyTypeError('pop from empty list');
    const i = a[0] === undefined ? l.length - 1 : num(a[0]) < 0 ? l.length + num(a[0]) : num(a[0]);
    return l.splice(i, 1)[0];
  },
  remove: (l, a) => {
    const i = l.findIndex((x) => pyEquals(x, a[0]));
    if (i < 0) throw new PyTypeError('list.remove(x): x not in list');
    l.splice(i, 1);
    return null;
  },
  reverse: (l) => {
    l.reverse();
    return null;
  },
  copy: (l) => [...l],
};

const DICT_METHODS: Record<string, Method<Dict>> = {
  items: (d) => Object.entries(d).map(([k, v]) => tuple([k, v])),
  keys: (d) => Object.keys(d),
  values: (d) => Object.values(d),
  get: (d, a) => {
    const k = pyStr(a[0]);
    return Object.prototype.hasOwnProperty.call(d, k) && d[k] !== undefined ? d[k] : a[1] === undefined ? null : a[1];
  },
  copy: (d) => ({ ...d }),
  update: (d, a, k) => {
    if (a[0] !== undefined) Object.assign(d, a[0] as Dict);
    Object.assign(d, k);
    return null;
  },
  pop: (d, a) => {
    const k = pyStr(a[0]);
    if (k in d) {
      const v = d[k];
      delete d[k];
      return v;
    }
    if (a.length > 1) return a[1];
    throw new PyTypeError(pyRepr(a[0]));
  },
  setdefault: (d, a) => {
    const k = pyStr(a[0]);
    if (!(k in d)) d[k] = a[1] === undefined ? null : a[1];
    return d[k];
  },
};

/** A bound method for `obj.name`, or undefined if obj's type has no such method. */
export function methodFor(obj: unknown, name: string): PyCallable | undefined {
  let table: Record<string, Method<never>> | undefined;
  if (typeof obj === 'string') table = STR_METHODS;
  else if (Array.isArray(obj)) table = LIST_METHODS;
  else if (isDict(obj)) table = DICT_METHODS;
  if (!table || !Object.prototype.hasOwnProperty.call(table, name)) return undefined;
  const m = table[name] as Method<unknown>;
  return new PyCallable(name, (args, kwargs) => m(obj, args, kwargs));
}
