/** Lookups that only reshape their terms or read variables/environment: items, list, dict, vars, env, sequence, nested... */
import { InventoryData } from '../../inventory/data.js';
import { selectHostNames } from '../../inventory/patterns.js';
import type { LookupFn } from './index.js';
import { TemplateRuntimeError } from '../runtime/env.js';
import { percentFormat } from '../runtime/ops.js';
import { parseKeyValues } from '../../values/kv.js';
import { isDict, num, pyIter, pyStr, truthy, tuple, typeName, Undefined, UndefinedUse, type Dict } from '../runtime/values.js';

function flattenOnce(terms: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const t of terms) {
    if (Array.isArray(t)) out.push(...t);
    else out.push(t);
  }
  return out;
}

/** Python's int(x, 0): 0x/0o/0b prefixes, underscores between digits, no leading zero on a decimal. */
function pyIntBase0(x: string): number | undefined {
  const t = x.trim();
  const m = /^([+-]?)(?:(0[xX](?:_?[0-9a-fA-F])+)|(0[oO](?:_?[0-7])+)|(0[bB](?:_?[01])+)|([1-9](?:_?\d)*|0(?:_?0)*))$/.exec(t);
  if (!m) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  const body = (m[2] ?? m[3] ?? m[4] ?? m[5]!).replace(/_/g, '');
  const n = m[2] ? parseInt(body.slice(2), 16) : m[3] ? parseInt(body.slice(2), 8) : m[4] ? parseInt(body.slice(2), 2) : parseInt(body, 10);
  return sign * n;
}

const NUM = '(0?x?[0-9a-f]+)';
const SHORTCUT = new RegExp(`^(${NUM}-)?${NUM}(/${NUM})?(:(.+))?$`, 'i');

/** ansible-core 2.14's sequence lookup: "[start-]end[/stride][:format]" or key=value, one term at a time. */
function parseSequence(term: string): string[] {
  let start = 1;
  let end: number | undefined;
  let count: number | undefined;
  let stride = 1;
  let format = '%d';
  const int = (name: string, raw: string): number => {
    const n = pyIntBase0(raw);
    if (n === undefined) throw new TemplateRuntimeError(`can't parse ${name}=${raw} as integer`);
    return n;
  };
  const m = SHORTCUT.exec(term);
  if (m) {
    if (m[2] !== undefined) start = int('start', m[2]);
    end = int('end', m[3]!);
    if (m[5] !== undefined) stride = int('stride', m[5]);
    if (m[7] !== undefined) format = m[7];
  } else {
    const args = parseKeyValues(term);
    for (const k of ['start', 'end', 'count', 'stride'] as const) {
      const raw = args[k];
      delete args[k];
      if (raw === undefined || raw === null) continue;
      const n = int(k, pyStr(raw));
      if (k === 'start') start = n;
      else if (k === 'end') end = n;
      else if (k === 'count') count = n;
      else stride = n;
    }
    if ('format' in args) {
      format = pyStr(args['format']);
      delete args['format'];
    }
    const rest = Object.keys(args);
    if (rest.length) throw new TemplateRuntimeError(`unrecognized arguments to with_sequence: [${rest.map((k) => `'${k}'`).join(', ')}]`);
  }
  if (count === undefined && end === undefined) throw new TemplateRuntimeError('must specify count or end in with_sequence');
  if (count !== undefined && end !== undefined) throw new TemplateRuntimeError("can't specify both count and end in with_sequence");
  if (count !== undefined) {
    if (count !== 0) end = start + count * stride - 1;
    else start = end = stride = 0;
  }
  if (stride > 0 && end! < start) throw new TemplateRuntimeError('to count backwards make stride negative');
  if (stride < 0 && end! > start) throw new TemplateRuntimeError("to count forward don't make stride negative");
  if ((format.match(/%/g) ?? []).length !== 1) throw new TemplateRuntimeError(`bad formatting string: ${format}`);
  const out: string[] = [];
  if (stride === 0) return out;
  // range(start, end + adjust, stride)
  const stop = end! + (stride >= 0 ? 1 : -1);
  for (let i = start; stride > 0 ? i < stop : i > stop; i += stride) out.push(percentFormat(format, i));
  return out;
}

function product(lists: unknown[][]): unknown[][] {
  let acc: unknown[][] = [[]];
  for (const l of lists) acc = acc.flatMap((prefix) => l.map((x) => [...prefix, x]));
  return acc;
}

const SUBELEMENT_FLAGS = ['skip_missing'];

/** ansible-core 2.14's subelements lookup, wording and quirks included (the sub-list is popped from its item). */
export function subelements(terms: unknown[]): unknown[] {
  const fail = (msg = '') => new TemplateRuntimeError(`subelements lookup expects a list of two or three items, ${msg}`);
  const t = [...terms];
  // listify_lookup_plugin_terms: a scalar becomes a one-item list.
  if (t.length > 0 && !Array.isArray(t[0]) && !isDict(t[0])) t[0] = [t[0]];
  if (t.length < 2 || t.length > 3) throw fail();
  const [first, key] = t;
  if ((!Array.isArray(first) && !isDict(first)) || typeof key !== 'string') throw fail('first a dict or a list, second a string pointing to the subkey');
  const path = key.split('.');
  if (isDict(first) && first['skipped'] !== undefined && first['skipped'] !== false) return [];
  const elements = Array.isArray(first) ? first : Object.values(first);
  const flags = t.length === 3 ? t[2] : {};
  if (!isDict(flags) && !(Array.isArray(flags) && flags.every((k) => typeof k === 'string' && SUBELEMENT_FLAGS.includes(k)))) {
    throw fail(`the optional third item must be a dict with flags ${pyStr(SUBELEMENT_FLAGS)}`);
  }
  const out: unknown[] = [];
  for (const original of elements) {
    if (!isDict(original)) throw new TemplateRuntimeError(`subelements lookup expects a dictionary, got '${pyStr(original)}'`);
    if (original['skipped'] !== undefined && original['skipped'] !== false) continue;
    const skipMissing = isDict(flags) ? truthy(flags['skip_missing'] ?? false) : false;
    // The item is copied along the path, so that popping the sub-list leaves the caller's data alone.
    const item: Dict = { ...original };
    let sub: Dict = item;
    let sublist: unknown[] = [];
    for (let n = 0; n < path.length; n++) {
      const k = path[n]!;
      const last = n === path.length - 1;
      if (!(k in sub)) {
        if (skipMissing) continue;
        throw new TemplateRuntimeError(`could not find '${k}' key in iterated item '${pyStr(sub)}'`);
      }
      const v = sub[k];
      if (!last) {
        if (!isDict(v)) {
          if (skipMissing) continue;
          throw new TemplateRuntimeError(`the key ${k} should point to a dictionary, got '${pyStr(v)}'`);
        }
        sub = sub[k] = { ...v };
      } else {
        if (!Array.isArray(v)) throw new TemplateRuntimeError(`the key ${k} should point to a list, got '${pyStr(v)}'`);
        sublist = v;
        delete sub[k];
      }
    }
    for (const s of sublist) out.push(tuple([item, s]));
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
  // 2.14's run() ignores keyword arguments: everything is in the terms.
  sequence: (_s, terms) => terms.flatMap((t) => parseSequence(pyStr(t))),
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
  /**
   * As ansible-core's lookup: an inventory rebuilt from `groups` alone (group -> hosts, no
   * hierarchy or variables), asked for the full host pattern (a:!b, a:&b, wildcards, ~regex,
   * subscripts); a pattern that fails yields no hosts.
   */
  inventory_hostnames: (s, terms) => {
    const groups = s.lookupVar('groups');
    const inv = new InventoryData();
    if (isDict(groups)) {
      for (const [group, hosts] of Object.entries(groups)) {
        inv.addGroup(group);
        for (const h of pyIter(hosts ?? [])) inv.addHostTo(pyStr(h), group);
      }
    }
    inv.reconcile();
    try {
      return selectHostNames(inv, terms.map((t) => pyStr(t)));
    } catch {
      return [];
    }
  },
  num_sequence: (_s, terms) => terms.map(num),
};
