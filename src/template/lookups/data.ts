/** Lookups that only reshape their terms or read variables/environment: items, list, dict, vars, env, sequence, nested... */
import type { LookupFn } from './index.js';
import { TemplateRuntimeError } from '../runtime/env.js';
import { percentFormat } from '../runtime/ops.js';
import { isDict, num, pyIter, pyStr, truthy, tuple, typeName, Undefined, UndefinedUse, type Dict } from '../runtime/values.js';

function flattenOnce(terms: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const t of terms) {
    if (Array.isArray(t)) out.push(...t);
    else out.push(t);
  }
  return out;
}

/** "start=1 end=5 stride=2 format=x%02d" or "1-5" or "5" (count). */
function parseSequence(term: string, kwargs: Dict): string[] {
  let start = 1;
  let end: number | undefined;
  let count: number | undefined;
  let stride = 1;
  let format = '%d';
  const parseNum = (x: string): number => (/^0x/i.test(x) ? parseInt(x, 16) : /^0o?[0-7]+$/.test(x) && x.length > 1 ? parseInt(x.replace(/^0o?/, ''), 8) : parseInt(x, 10));
  const apply = (k: string, v: string): void => {
    if (k === 'start') start = parseNum(v);
    else if (k === 'end') end = parseNum(v);
    else if (k === 'count') count = parseNum(v);
    else if (k === 'stride') stride = parseNum(v);
    else if (k === 'format') format = v;
    else throw new TemplateRuntimeError(`unrecognized arguments to with_sequence: ['${k}']`);
  };
  const t = term.trim();
  const short = /^(?:(0x[0-9a-f]+|0o?[0-7]+|\d+)-)?(0x[0-9a-f]+|0o?[0-7]+|\d+)(?:\/(0x[0-9a-f]+|0o?[0-7]+|\d+))?(?::(.+))?$/i.exec(t);
  if (t && short) {
    if (short[1]) {
      start = parseNum(short[1]);
      end = parseNum(short[2]!);
    } else end = parseNum(short[2]!);
    if (short[3]) stride = parseNum(short[3]);
    if (short[4]) format = short[4];
  } else if (t) {
    for (const part of t.split(/\s+/)) {
      const i = part.indexOf('=');
      if (i < 0) throw new TemplateRuntimeError(`can't parse arg ${part}`);
      apply(part.slice(0, i), part.slice(i + 1));
    }
  }
  for (const [k, v] of Object.entries(kwargs)) apply(k, pyStr(v));
  if (count !== undefined) {
    if (end !== undefined) throw new TemplateRuntimeError("can't specify both count and end in with_sequence");
    end = count === 0 ? start - stride : start + (count - 1) * stride;
    if (count === 0) return [];
  }
  if (end === undefined) throw new TemplateRuntimeError("must specify count or end in with_sequence");
  if (stride > 0 && end < start) throw new TemplateRuntimeError('to count backwards make stride negative');
  if (stride < 0 && end > start) throw new TemplateRuntimeError('to count forward don\'t make stride negative');
  const out: string[] = [];
  if (stride === 0) return out;
  for (let i = start; stride > 0 ? i <= end : i >= end; i += stride) out.push(percentFormat(format, i));
  return out;
}

function product(lists: unknown[][]): unknown[][] {
  let acc: unknown[][] = [[]];
  for (const l of lists) acc = acc.flatMap((prefix) => l.map((x) => [...prefix, x]));
  return acc;
}

export function subelements(terms: unknown[]): unknown[] {
  const [list, key, flags] = terms;
  if (!Array.isArray(list) && !isDict(list)) throw new TemplateRuntimeError('subelements lookup expects a list of two or three items, first a dict or a list');
  const skipMissing = isDict(flags) ? truthy(flags['skip_missing'] ?? false) : false;
  const items = Array.isArray(list) ? list : Object.values(list);
  const path = pyStr(key).split('.');
  const out: unknown[] = [];
  for (const item of items) {
    if (isDict(item) && truthy(item['skipped'] ?? false)) continue;
    let sub: unknown = item;
    let missing = false;
    for (const p of path) {
      if (!isDict(sub) || !(p in sub)) {
        missing = true;
        break;
      }
      sub = sub[p];
    }
    if (missing) {
      if (skipMissing) continue;
      throw new TemplateRuntimeError(`could not find '${pyStr(key)}' key in iterated item '${pyStr(item)}'`);
    }
    if (!Array.isArray(sub)) throw new TemplateRuntimeError(`the key ${pyStr(key)} should point to a list, got '${pyStr(sub)}'`);
    for (const s of sub) out.push(tuple([item, s]));
  }
  return out;
}

export const DATA_LOOKUPS: Record<string, LookupFn> = {
  items: (_s, terms) => flattenOnce(terms),
  list: (_s, terms) => terms,
  indexed_items: (_s, terms) => {
    const items = terms.length === 1 && Array.isArray(terms[0]) ? terms[0] : terms;
    return items.map((x, i) => tuple([i, x]));
  },
  dict: (_s, terms) =>
    terms.flatMap((t) => {
      if (!isDict(t)) throw new TemplateRuntimeError(`with_dict expects a dict`);
      return Object.entries(t).map(([key, value]) => ({ key, value }));
    }),
  env: (_s, terms, k) => terms.map((t) => process.env[pyStr(t)] ?? (k['default'] === undefined ? '' : k['default'])),
  vars: (s, terms, k) =>
    terms.map((t) => {
      if (typeof t !== 'string') throw new TemplateRuntimeError(`Invalid setting identifier, "${pyStr(t)}" is not a string, its a <class '${typeName(t)}'>`);
      const v = s.lookupVar(t);
      if (v instanceof Undefined) {
        if ('default' in k) return k['default'];
        throw new UndefinedUse(new Undefined(pyStr(t), `No variable found with this name: ${pyStr(t)}`));
      }
      return v;
    }),
  sequence: (_s, terms, k) => terms.flatMap((t) => parseSequence(pyStr(t), k)),
  nested: (_s, terms) => {
    const lists = (terms.length === 1 && Array.isArray(terms[0]) && (terms[0] as unknown[]).every(Array.isArray) ? (terms[0] as unknown[][]) : terms).map((l) => (Array.isArray(l) ? l : [l]));
    if (!lists.length) throw new TemplateRuntimeError('with_nested requires at least one element in the nested list');
    return product(lists);
  },
  cartesian: (_s, terms) => product(terms.map((l) => (Array.isArray(l) ? l : [l]))),
  together: (_s, terms) => {
    const lists = terms.map((l) => (Array.isArray(l) ? l : [l]));
    if (!lists.length) throw new TemplateRuntimeError('with_together requires at least one element in each list');
    const n = Math.max(...lists.map((l) => l.length));
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) out.push(lists.map((l) => (i < l.length ? l[i] : null)));
    return out;
  },
  subelements: (_s, terms) => subelements(terms),
  random_choice: (_s, terms) => (terms.length ? [terms[Math.floor(Math.random() * terms.length)]] : []),
  flattened: (_s, terms) => {
    const out: unknown[] = [];
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x !== null) out.push(x);
    };
    walk(terms);
    return out;
  },
  inventory_hostnames: (s, terms) => {
    const groups = s.lookupVar('groups');
    const all = isDict(groups) ? pyIter(groups['all'] ?? []) : [];
    const names = new Set(terms.flatMap((t) => pyStr(t).split(/[:,]/)).map((x) => x.trim()));
    if (names.has('all') || names.has('*')) return all;
    return all.filter((h) => names.has(pyStr(h)) || [...names].some((g) => isDict(groups) && pyIter(groups[g] ?? []).includes(h)));
  },
  num_sequence: (_s, terms) => terms.map(num),
};
