/** Jinja2 builtin filters and Ansible's type/default filters. */
import { PendingVault } from '../../values/vault-hook.js';
import type { FilterFn } from '../runtime/env.js';
import { FinalTemplateError, TemplateRuntimeError } from '../runtime/env.js';
import {
  failUndefined,
  isDict,
  isFloat,
  isInt,
  isNumber,
  makeFloat,
  num,
  PyFloat,
  pyIter,
  pyLen,
  pyRepr,
  pyStr,
  PyTypeError,
  truthy,
  tuple,
  Undefined,
  type Dict,
} from '../runtime/values.js';
import { percentFormat } from '../runtime/ops.js';

function arg(args: unknown[], kwargs: Dict, i: number, name: string, dflt?: unknown): unknown {
  if (i < args.length) return args[i];
  if (name in kwargs) return kwargs[name];
  return dflt;
}

/** Python int() of a string/number, as Jinja's `int` filter does (with the default on failure). */
export function toInt(v: unknown, dflt: unknown = 0, base = 10): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isNumber(v)) return Math.trunc(num(v));
  if (typeof v === 'string') {
    const s = v.trim().replace(/_/g, '');
    if (base === 10) {
      if (/^[+-]?\d+$/.test(s)) return parseInt(s, 10);
      if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Math.trunc(parseFloat(s));
      return dflt;
    }
    const n = parseInt(s.replace(/^0[xob]/i, ''), base);
    return Number.isNaN(n) ? dflt : n;
  }
  return dflt;
}

export function toFloat(v: unknown, dflt: unknown = new PyFloat(0)): unknown {
  if (typeof v === 'boolean') return makeFloat(v ? 1 : 0);
  if (isNumber(v)) return makeFloat(num(v));
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return makeFloat(parseFloat(s));
    if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
    if (/^nan$/i.test(s)) return NaN;
  }
  return dflt;
}

/** Ansible's `bool` filter. */
/**
 * The `bool` filter (ansible's to_bool), a rule of its own, not convert_bool's boolean(): a
 * string is lowered but not stripped and must be yes/on/1/true; a number must equal 1.
 */
export function toBool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === null) return null;
  if (typeof v === 'string') return ['yes', 'on', '1', 'true'].includes(v.toLowerCase());
  if (isNumber(v)) return num(v) === 1;
  return false;
}

/** Jinja's round: 'common' is Python's round() (half to even, int stays int); ceil/floor give floats. */
function round(v: unknown, precision = 0, method = 'common'): unknown {
  const x = num(v);
  const f = Math.pow(10, precision);
  if (method === 'ceil') return makeFloat(Math.ceil(x * f) / f);
  if (method === 'floor') return makeFloat(Math.floor(x * f) / f);
  if (method !== 'common') throw new TemplateRuntimeError('method must be common, ceil or floor');
  if (isInt(v) || typeof v === 'boolean') return x;
  const scaled = x * f;
  const fl = Math.floor(scaled);
  const diff = scaled - fl;
  let r: number;
  if (Math.abs(diff - 0.5) < 1e-9) r = fl % 2 === 0 ? fl : fl + 1;
  else r = Math.round(scaled);
  return makeFloat(r / f);
}

function indent(s: string, width: unknown = 4, first = false, blank = false): string {
  const pad = typeof width === 'string' ? width : ' '.repeat(num(width));
  const lines = s.split('\n');
  return lines
    .map((l, i) => {
      if (i === 0 && !first) return l;
      if (!blank && l.trim() === '') return l;
      return pad + l;
    })
    .join('\n');
}

function truncate(s: string, length = 255, killwords = false, end = '...', leeway = 5): string {
  if (s.length <= length + leeway) return s;
  if (killwords) return s.slice(0, length - end.length) + end;
  const cut = s.slice(0, length - end.length);
  const i = cut.lastIndexOf(' ');
  return (i < 0 ? cut : cut.slice(0, i)) + end;
}

function wordwrap(s: string, width = 79, breakLong = true, wrapstring = '\n'): string {
  const words = s.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let cur = '';
  for (let w of words) {
    while (breakLong && w.length > width) {
      if (cur) {
        lines.push(cur);
        cur = '';
      }
      lines.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!cur) cur = w;
    else if (cur.length + 1 + w.length <= width) cur += ' ' + w;
    else {
      lines.push(cur);
      cur = w;
    }
  }
  if (cur) lines.push(cur);
  return lines.join(wrapstring);
}

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

export const CORE_FILTERS: Record<string, FilterFn> = {
  default: (_s, v, a, k) => {
    const dflt = arg(a, k, 0, 'default_value', '');
    const boolean = truthy(arg(a, k, 1, 'boolean', false));
    if (v instanceof Undefined) return dflt;
    if (boolean && !truthy(v)) return dflt;
    return v;
  },
  mandatory: (_s, v, a, k) => {
    // AnsibleFilterError: shown as it is, with no template after it.
    if (v instanceof Undefined) {
      const msg = a[0] ?? k['msg'];
      if (msg !== undefined && msg !== null) throw new FinalTemplateError(pyStr(msg));
      throw new FinalTemplateError(`Mandatory variable ${v.name ? `'${v.name}' ` : ''} not defined.`);
    }
    return v;
  },
  bool: (_s, v) => toBool(v),
  int: (_s, v, a, k) => toInt(v, arg(a, k, 0, 'default', 0), num(arg(a, k, 1, 'base', 10))),
  float: (_s, v, a, k) => toFloat(v, arg(a, k, 0, 'default', new PyFloat(0))),
  string: (_s, v) => pyStr(v),
  length: (_s, v) => pyLen(v),
  count: (_s, v) => pyLen(v),
  lower: (_s, v) => pyStr(v).toLowerCase(),
  upper: (_s, v) => pyStr(v).toUpperCase(),
  capitalize: (_s, v) => {
    const s = pyStr(v);
    return s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s;
  },
  // Jinja's do_title: split on runs of "-", whitespace and opening brackets, capitalize each piece.
  title: (_s, v) =>
    pyStr(v)
      .split(/([-\s({[<]+)/)
      .filter((x) => x)
      .map((x) => x[0]!.toUpperCase() + x.slice(1).toLowerCase())
      .join(''),
  trim: (_s, v, a) => {
    const s = pyStr(v);
    if (a[0] === undefined) return s.trim();
    const chars = pyStr(a[0]);
    let i = 0;
    let j = s.length;
    while (i < j && chars.includes(s[i]!)) i++;
    while (j > i && chars.includes(s[j - 1]!)) j--;
    return s.slice(i, j);
  },
  replace: (_s, v, a) => {
    const s = pyStr(v);
    const from = pyStr(a[0]);
    const to = pyStr(a[1]);
    if (a[2] === undefined || a[2] === null) return s.split(from).join(to);
    const n = num(a[2]);
    const parts = s.split(from);
    return parts.slice(0, n + 1).join(to) + (parts.length > n + 1 ? from + parts.slice(n + 1).join(from) : '');
  },
  join: (s, v, a, k) => {
    const sep = pyStr(arg(a, k, 0, 'd', ''));
    const attr = arg(a, k, 1, 'attribute');
    return pyIter(v)
      .map((x) => pyStr(attr === undefined ? x : s.getAttr(x, pyStr(attr))))
      .join(sep);
  },
  first: (_s, v) => {
    const items = pyIter(v);
    return items.length ? items[0] : new Undefined('first', 'No first item, sequence was empty.');
  },
  last: (_s, v) => {
    const items = pyIter(v);
    return items.length ? items[items.length - 1] : new Undefined('last', 'No last item, sequence was empty.');
  },
  abs: (_s, v) => (isFloat(v) ? makeFloat(Math.abs(num(v))) : Math.abs(num(v))),
  round: (_s, v, a, k) => round(v, num(arg(a, k, 0, 'precision', 0)), pyStr(arg(a, k, 1, 'method', 'common'))),
  center: (_s, v, a) => {
    const s = pyStr(v);
    const w = num(a[0] ?? 80);
    if (s.length >= w) return s;
    const pad = w - s.length;
    const left = Math.floor(pad / 2) + (pad & w & 1);
    return ' '.repeat(left) + s + ' '.repeat(pad - left);
  },
  indent: (_s, v, a, k) => indent(pyStr(v), arg(a, k, 0, 'width', 4), truthy(arg(a, k, 1, 'first', false)), truthy(arg(a, k, 2, 'blank', false))),
  wordcount: (_s, v) => (pyStr(v).match(/\w+/g) ?? []).length,
  truncate: (_s, v, a, k) =>
    truncate(pyStr(v), num(arg(a, k, 0, 'length', 255)), truthy(arg(a, k, 1, 'killwords', false)), pyStr(arg(a, k, 2, 'end', '...')), num(arg(a, k, 3, 'leeway', 5))),
  wordwrap: (_s, v, a, k) => wordwrap(pyStr(v), num(arg(a, k, 0, 'width', 79)), truthy(arg(a, k, 1, 'break_long_words', true)), pyStr(arg(a, k, 2, 'wrapstring', '\n'))),
  e: (_s, v) => xmlEscape(pyStr(v)),
  escape: (_s, v) => xmlEscape(pyStr(v)),
  forceescape: (_s, v) => xmlEscape(pyStr(v)),
  safe: (_s, v) => v,
  striptags: (_s, v) => pyStr(v).replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim(),
  format: (_s, v, a, k) => percentFormat(pyStr(v), Object.keys(k).length ? k : tuple(a)),
  list: (_s, v) => [...pyIter(v)],
  pprint: (_s, v) => pyRepr(v),
  reverse: (_s, v) => (typeof v === 'string' ? [...v].reverse().join('') : [...pyIter(v)].reverse()),
  items: (_s, v) => {
    if (v instanceof Undefined) failUndefined(v);
    if (!isDict(v)) throw new PyTypeError(`Can only get item pairs from a mapping.`);
    return Object.entries(v).map(([k, x]) => tuple([k, x]));
  },
  urlencode: (_s, v) => {
    // Python's urllib quote; query strings (dict/pairs) also quote "/" and use "+" for spaces.
    const quote = (x: string): string => encodeURIComponent(x).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
    const enc = (x: string): string => quote(x).replace(/%2F/g, '/');
    const qs = (x: string): string => quote(x).replace(/%20/g, '+');
    if (isDict(v)) return Object.entries(v).map(([k, x]) => `${qs(k)}=${qs(pyStr(x))}`).join('&');
    if (Array.isArray(v)) return v.map((p) => `${qs(pyStr((p as unknown[])[0]))}=${qs(pyStr((p as unknown[])[1]))}`).join('&');
    return enc(pyStr(v));
  },
  xmlattr: (_s, v, a) => {
    const autospace = a[0] === undefined ? true : truthy(a[0]);
    const parts = Object.entries(v as Dict)
      .filter(([, x]) => x !== null && !(x instanceof Undefined))
      .map(([k, x]) => `${k}="${xmlEscape(pyStr(x))}"`);
    const s = parts.join(' ');
    return autospace && s ? ' ' + s : s;
  },
  filesizeformat: (_s, v, a) => {
    const binary = truthy(a[0] ?? false);
    const bytes = num(v);
    const base = binary ? 1024 : 1000;
    const prefixes = binary ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
    if (bytes === 1) return '1 Byte';
    if (bytes < base) return `${bytes} Bytes`;
    let unit = base;
    let i = 0;
    for (; i < prefixes.length; i++) {
      unit = Math.pow(base, i + 2);
      if (bytes < unit) break;
    }
    return `${((base * bytes) / unit).toFixed(1)} ${prefixes[Math.min(i, prefixes.length - 1)]}`;
  },
  // Jinja's attr() reads Python attributes only: a dict key is not an attribute.
  attr: (s, v, a) => {
    const name = pyStr(a[0]);
    if (isDict(v) && !['items', 'keys', 'values', 'get', 'copy', 'update', 'pop', 'setdefault'].includes(name)) return new Undefined(name, `'dict object' has no attribute '${name}'`);
    return s.getAttr(v, name);
  },
  type_debug: (_s, v) => {
    if (v === null) return 'NoneType';
    if (v instanceof PendingVault) return 'AnsibleVaultEncryptedUnicode';
    if (typeof v === 'boolean') return 'bool';
    if (typeof v === 'string') return 'str';
    if (isInt(v)) return 'int';
    if (isNumber(v)) return 'float';
    if (Array.isArray(v)) return 'list';
    return 'dict';
  },
};
