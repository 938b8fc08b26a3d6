/** List filters: Jinja2's sort/unique/map/select..., Ansible's set theory, flatten, zip, combinatorics. */
import type { EvalState, FilterFn } from '../runtime/env.js';
import { FinalTemplateError, RuntimePluginLoadError, TemplateRuntimeError } from '../runtime/env.js';
import { binop } from '../runtime/ops.js';
import { isDict, isTuple, num, pyClass, pyCompare, pyEquals, pyIter, pyRepr, pyStr, PyTypeError, truthy, tuple, typeName, Undefined, UndefinedUse, type Dict } from '../runtime/values.js';

function arg(a: unknown[], k: Dict, i: number, name: string, dflt?: unknown): unknown {
  return i < a.length ? a[i] : name in k ? k[name] : dflt;
}

/** Jinja's attribute lookup for filters: "a.b.0" walks dicts and lists. */
export function attrGetter(s: EvalState, attribute: unknown, dflt?: unknown): (x: unknown) => unknown {
  if (attribute === undefined || attribute === null) return (x) => x;
  const parts = typeof attribute === 'number' ? [attribute] : pyStr(attribute).split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (x) => {
    let v = x;
    for (const p of parts) {
      if (typeof p === 'number' && Array.isArray(v)) v = p < v.length ? v[p] : new Undefined(String(p), `list object has no element ${p}`);
      else v = s.getAttr(v, String(p));
    }
    if (v instanceof Undefined && dflt !== undefined) return dflt;
    return v;
  };
}

function sortKey(caseSensitive: boolean): (v: unknown) => unknown {
  return (v) => (!caseSensitive && typeof v === 'string' ? v.toLowerCase() : v);
}

function uniqueBy(items: unknown[], key: (x: unknown, i: number) => unknown): unknown[] {
  const out: unknown[] = [];
  const keys: unknown[] = [];
  for (const [i, x] of items.entries()) {
    const k = key(x, i);
    if (!keys.some((y) => pyEquals(y, k))) {
      keys.push(k);
      out.push(x);
    }
  }
  return out;
}

function flatten(items: unknown[], levels: number | null, skipNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const x of items) {
    if (skipNulls && (x === null || x === 'None')) continue;
    if (Array.isArray(x) && (levels === null || levels > 0)) out.push(...flatten(x, levels === null ? null : levels - 1, skipNulls));
    else out.push(x);
  }
  return out;
}

function contains(list: unknown[], x: unknown): boolean {
  return list.some((y) => pyEquals(x, y));
}

export function mergeDicts(a: Dict, b: Dict, recursive: boolean, listMerge: string): Dict {
  const out: Dict = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (recursive && isDict(cur) && isDict(v)) out[k] = mergeDicts(cur, v, recursive, listMerge);
    else if (Array.isArray(cur) && Array.isArray(v) && listMerge !== 'replace') {
      if (listMerge === 'keep') out[k] = cur;
      else if (listMerge === 'append') out[k] = [...cur, ...v];
      else if (listMerge === 'prepend') out[k] = [...v, ...cur];
      else if (listMerge === 'append_rp') out[k] = [...cur.filter((x) => !contains(v, x)), ...v];
      else if (listMerge === 'prepend_rp') out[k] = [...v, ...cur.filter((x) => !contains(v, x))];
      else throw new TemplateRuntimeError(`'${listMerge}' is not a valid list_merge value`);
    } else out[k] = v;
  }
  return out;
}

function selectOrReject(s: EvalState, v: unknown, a: unknown[], k: Dict, attr: boolean, keep: boolean): unknown[] {
  const items = pyIter(v);
  let get: (x: unknown) => unknown = (x) => x;
  let rest = a;
  if (attr) {
    get = attrGetter(s, a[0]);
    rest = a.slice(1);
  }
  const testName = rest[0];
  const testArgs = rest.slice(1);
  return items.filter((x) => {
    const val = get(x);
    const r = testName === undefined ? truthy(val) : runtimeLookup(() => s.callTest(pyStr(testName), val, testArgs, k));
    return r === keep;
  });
}

function combinations<T>(items: T[], r: number): T[][] {
  if (r === 0) return [[]];
  const out: T[][] = [];
  items.forEach((x, i) => {
    for (const rest of combinations(items.slice(i + 1), r - 1)) out.push([x, ...rest]);
  });
  return out;
}

function permutations<T>(items: T[], r: number): T[][] {
  if (r === 0) return [[]];
  const out: T[][] = [];
  items.forEach((x, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)], r - 1)) out.push([x, ...rest]);
  });
  return out;
}

function minmax(s: EvalState, v: unknown, a: unknown[], k: Dict, wantMax: boolean): unknown {
  const items = pyIter(v);
  const get = attrGetter(s, k['attribute']);
  const cs = truthy(k['case_sensitive'] ?? false);
  const key = (x: unknown): unknown => sortKey(cs)(get(x));
  if (!items.length) return new Undefined('', `No aggregated item, sequence was empty.`);
  let best = items[0];
  for (const x of items.slice(1)) {
    const c = pyCompare(key(x), key(best));
    if (wantMax ? c > 0 : c < 0) best = x;
  }
  return best;
}

export const LIST_FILTERS: Record<string, FilterFn> = {
  min: (s, v, a, k) => minmax(s, v, a, k, false),
  max: (s, v, a, k) => minmax(s, v, a, k, true),
  sum: (s, v, a, k) => {
    const get = attrGetter(s, arg(a, k, 0, 'attribute'));
    let total: unknown = arg(a, k, 1, 'start', 0);
    for (const x of pyIter(v)) total = binop('+', total, get(x));
    return total;
  },
  sort: (s, v, a, k) => {
    const reverse = truthy(arg(a, k, 0, 'reverse', false));
    const cs = truthy(arg(a, k, 1, 'case_sensitive', false));
    const attribute = arg(a, k, 2, 'attribute');
    const getters = attribute === undefined || attribute === null ? [attrGetter(s, null)] : pyStr(attribute).split(',').map((x) => attrGetter(s, x.trim()));
    const key = (x: unknown): unknown[] => getters.map((g) => sortKey(cs)(g(x)));
    const items = [...pyIter(v)];
    items.sort((x, y) => pyCompare(key(x), key(y)) * (reverse ? -1 : 1));
    return items;
  },
  unique: (s, v, a, k) => {
    // Ansible calls Jinja's unique with case_sensitive=bool(case_sensitive): case-insensitive by default.
    const cs = arg(a, k, 0, 'case_sensitive');
    const attribute = arg(a, k, 1, 'attribute');
    const get = attrGetter(s, attribute);
    const items = pyIter(v);
    const keys = items.map((x) => sortKey(truthy(cs ?? false))(get(x)));
    // Jinja's do_unique keeps keys in a set: a dict or list key is unhashable (TypeError). Ansible
    // then falls back to its own unique by equality, which takes neither case_sensitive=False nor
    // an attribute.
    const bad = keys.find((x) => Array.isArray(x) || isDict(x));
    if (bad !== undefined && (cs === false || truthy(attribute ?? false))) {
      throw new FinalTemplateError(`Jinja2's unique filter failed and we cannot fall back to Ansible's version as it does not support the parameters supplied. unhashable type: '${typeName(bad)}'`);
    }
    return uniqueBy(items, (_x, i) => keys[i]);
  },
  union: (_s, v, a) => uniqueBy([...pyIter(v), ...pyIter(a[0])], (x) => x),
  intersect: (_s, v, a) => {
    const b = pyIter(a[0]);
    return uniqueBy(pyIter(v).filter((x) => contains(b, x)), (x) => x);
  },
  difference: (_s, v, a) => {
    const b = pyIter(a[0]);
    return uniqueBy(pyIter(v).filter((x) => !contains(b, x)), (x) => x);
  },
  symmetric_difference: (_s, v, a) => {
    const x1 = pyIter(v);
    const x2 = pyIter(a[0]);
    const union = uniqueBy([...x1, ...x2], (x) => x);
    return union.filter((x) => !(contains(x1, x) && contains(x2, x)));
  },
  flatten: (_s, v, a, k) => {
    const levels = arg(a, k, 0, 'levels', null);
    return flatten(pyIter(v), levels === null ? null : num(levels), truthy(arg(a, k, 1, 'skip_nulls', true)));
  },
  zip: (_s, v, a) => {
    const lists = [pyIter(v), ...a.map(pyIter)];
    const n = Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_x, i) => tuple(lists.map((l) => l[i])));
  },
  zip_longest: (_s, v, a, k) => {
    const lists = [pyIter(v), ...a.map(pyIter)];
    const fill = k['fillvalue'] ?? null;
    const n = Math.max(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_x, i) => tuple(lists.map((l) => (i < l.length ? l[i] : fill))));
  },
  map: (s, v, a, k) => {
    const items = pyIter(v);
    if (a.length === 0 && 'attribute' in k) {
      const get = attrGetter(s, k['attribute'], k['default']);
      return items.map(get);
    }
    if (a.length === 0) throw new TemplateRuntimeError('map requires a filter argument');
    const name = pyStr(a[0]);
    return items.map((x) => runtimeLookup(() => s.callFilter(name, x, a.slice(1), k)));
  },
  select: (s, v, a, k) => selectOrReject(s, v, a, k, false, true),
  reject: (s, v, a, k) => selectOrReject(s, v, a, k, false, false),
  selectattr: (s, v, a, k) => selectOrReject(s, v, a, k, true, true),
  rejectattr: (s, v, a, k) => selectOrReject(s, v, a, k, true, false),
  batch: (_s, v, a) => {
    const n = num(a[0]);
    const items = pyIter(v);
    const out: unknown[][] = [];
    for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
    if (a[1] !== undefined && out.length && out[out.length - 1]!.length < n) {
      const last = out[out.length - 1]!;
      while (last.length < n) last.push(a[1]);
    }
    return out;
  },
  slice: (_s, v, a) => {
    const items = pyIter(v);
    const slices = num(a[0]);
    const per = Math.floor(items.length / slices);
    const extra = items.length % slices;
    const out: unknown[][] = [];
    let offset = 0;
    for (let i = 0; i < slices; i++) {
      const start = offset + i * per;
      if (i < extra) offset++;
      const end = offset + (i + 1) * per;
      const part = items.slice(start, end);
      if (a[1] !== undefined && i >= extra) part.push(a[1]);
      out.push(part);
    }
    return out;
  },
  groupby: (s, v, a, k) => {
    const get = attrGetter(s, arg(a, k, 0, 'attribute'), k['default']);
    const items = [...pyIter(v)].sort((x, y) => pyCompare(get(x), get(y)));
    const groups: unknown[] = [];
    for (const x of items) {
      const key = get(x);
      const last = groups[groups.length - 1] as unknown[] | undefined;
      if (last && pyEquals(last[0], key)) (last[1] as unknown[]).push(x);
      else groups.push(tuple([key, [x]]));
    }
    return groups;
  },
  combine: (_s, v, a, k) => {
    if (Object.keys(k).some((n) => n !== 'recursive' && n !== 'list_merge')) throw new FinalTemplateError("'recursive' and 'list_merge' are the only valid keyword arguments");
    const recursive = truthy(k['recursive'] ?? false);
    const listMerge = pyStr(k['list_merge'] ?? 'replace');
    // flatten(terms, levels=1): one level of lists opened, None (and 'None', 'null') left out at
    // both levels, so `None | combine` is {}.
    const isNull = (x: unknown) => x === null || x === undefined || x === 'None' || x === 'null';
    const dicts = [v, ...a].filter((d) => !isNull(d)).flatMap((d) => (Array.isArray(d) ? d.filter((e) => !isNull(e)) : [d]));
    let out: Dict = {};
    for (const d of dicts) {
      if (!isDict(d)) throw new TemplateRuntimeError(`failed to combine variables, expected dicts but got a '${typeName(d)}'`);
      out = mergeDicts(out, d, recursive, listMerge);
    }
    return out;
  },
  dict2items: (_s, v, a, k) => {
    if (!isDict(v)) throw new PyTypeError(`dict2items requires a dictionary, got ${pyClass(v)} instead.`);
    const kn = pyStr(arg(a, k, 0, 'key_name', 'key'));
    const vn = pyStr(arg(a, k, 1, 'value_name', 'value'));
    return Object.entries(v).map(([key, value]) => ({ [kn]: key, [vn]: value }));
  },
  rekey_on_member: (_s, v, a, k) => {
    // mathstuff.rekey_on_member: a list (or a dict's values) of dicts keyed by one member.
    const key = arg(a, k, 0, 'key');
    const duplicates = pyStr(arg(a, k, 1, 'duplicates', 'error'));
    if (duplicates !== 'error' && duplicates !== 'overwrite') throw new FinalTemplateError(`duplicates parameter to rekey_on_member has unknown value: ${duplicates}`);
    if (v instanceof Undefined || key instanceof Undefined) throw new UndefinedUse(v instanceof Undefined ? v : (key as Undefined));
    const items = isDict(v) ? Object.values(v) : Array.isArray(v) ? v : undefined;
    if (!items) throw new PyTypeError('Type is not a valid list, set, or dict');
    const out: Dict = {};
    for (const item of items) {
      if (!isDict(item)) throw new PyTypeError('List item is not a valid dict');
      const name = pyStr(key);
      if (!(name in item)) throw new FinalTemplateError(`Key ${name} was not found`);
      const elem = pyStr(item[name]);
      if (out[elem] !== undefined && duplicates === 'error') throw new FinalTemplateError(`Key ${elem} is not unique, cannot correctly turn into dict`);
      out[elem] = item;
    }
    return out;
  },
  items2dict: (_s, v, a, k) => {
    // core.list_of_dict_key_value_elements_to_dict: item[key_name] for dicts, and for lists or
    // tuples by index (zip's pairs with key_name=0); a KeyError or TypeError has its own words.
    const kn = arg(a, k, 0, 'key_name', 'key');
    const vn = arg(a, k, 1, 'value_name', 'value');
    if (!Array.isArray(v)) throw new PyTypeError(`items2dict requires a list, got ${pyClass(v)} instead.`);
    const missing = () => new PyTypeError(`items2dict requires each dictionary in the list to contain the keys '${pyStr(kn)}' and '${pyStr(vn)}', got ${pyStr(v)} instead.`);
    const notDicts = () => new PyTypeError(`items2dict requires a list of dictionaries, got ${pyStr(v)} instead.`);
    const get = (x: unknown, key: unknown): unknown => {
      if (isDict(x)) {
        if (!(pyStr(key) in x)) throw missing();
        return x[pyStr(key)];
      }
      if ((Array.isArray(x) || typeof x === 'string') && typeof key === 'number' && Number.isInteger(key)) {
        const i = key < 0 ? x.length + key : key;
        if (i < 0 || i >= x.length) throw new TemplateRuntimeError(`${Array.isArray(x) ? (isTuple(x) ? 'tuple' : 'list') : 'string'} index out of range`);
        return x[i];
      }
      throw notDicts();
    };
    const out: Dict = {};
    for (const x of v) out[pyStr(get(x, kn))] = get(x, vn);
    return out;
  },
  dictsort: (_s, v, a, k) => {
    const cs = truthy(arg(a, k, 0, 'case_sensitive', false));
    const by = pyStr(arg(a, k, 1, 'by', 'key'));
    const reverse = truthy(arg(a, k, 2, 'reverse', false));
    const idx = by === 'value' ? 1 : 0;
    const items = Object.entries(v as Dict).map(([x, y]) => tuple([x, y]));
    items.sort((x, y) => pyCompare(sortKey(cs)(x[idx]), sortKey(cs)(y[idx])) * (reverse ? -1 : 1));
    return items;
  },
  subelements: (_s, v, a, k) => {
    // core.subelements: AnsibleFilterError (shown as is) or AnsibleFilterTypeError, as it raises them.
    const items = Array.isArray(v) ? v : isDict(v) ? Object.values(v) : undefined;
    if (!items) throw new FinalTemplateError('obj must be a list of dicts or a nested dict');
    const spec = a[0] ?? k['subelements'];
    const path = Array.isArray(spec) ? spec : typeof spec === 'string' ? spec.split('.') : undefined;
    if (!path) throw new PyTypeError('subelements must be a list or a string');
    const skipMissing = truthy(a[1] ?? k['skip_missing'] ?? false);
    const out: unknown[] = [];
    for (const item of items) {
      let values: unknown = item;
      for (const p of path) {
        if (isDict(values)) {
          const key = pyStr(p);
          if (!(key in values)) {
            if (skipMissing) {
              values = [];
              break;
            }
            throw new FinalTemplateError(`could not find ${pyRepr(p)} key in iterated item ${pyRepr(values)}`);
          }
          values = values[key];
        } else throw new PyTypeError(`the key ${pyStr(p)} should point to a dictionary, got '${pyStr(values)}'`);
      }
      if (!Array.isArray(values)) throw new PyTypeError(`the key ${pyRepr(spec)} should point to a list, got ${pyRepr(values)}`);
      for (const x of values) out.push(tuple([item, x]));
    }
    return out;
  },
  extract: (s, v, a) => {
    let out = s.getAttr(a[0], pyStr(v));
    if (Array.isArray(a[0]) && typeof v === 'number') out = a[0][v];
    const more = a[1] === undefined ? [] : Array.isArray(a[1]) ? a[1] : [a[1]];
    for (const key of more) out = Array.isArray(out) && typeof key === 'number' ? out[key] : s.getAttr(out, pyStr(key));
    return out;
  },
  product: (_s, v, a, k) => {
    const lists = [pyIter(v), ...a.map(pyIter)];
    const repeat = num(k['repeat'] ?? 1);
    let all: unknown[][] = [];
    for (let r = 0; r < repeat; r++) all = all.concat(lists);
    let acc: unknown[][] = [[]];
    for (const l of all) acc = acc.flatMap((p) => l.map((x) => [...p, x]));
    return acc.map((x) => tuple(x));
  },
  permutations: (_s, v, a) => {
    const items = pyIter(v);
    return permutations(items, a[0] === undefined || a[0] === null ? items.length : num(a[0])).map((x) => tuple(x));
  },
  combinations: (_s, v, a) => combinations(pyIter(v), num(a[0])).map((x) => tuple(x)),
  ternary: (_s, v, a) => (v === null && a.length > 2 ? a[2] : truthy(v) ? a[0] : a[1]),
};

/** A plugin looked up by name while the template runs fails as Jinja's runtime TemplateSyntaxError. */
function runtimeLookup<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof TemplateRuntimeError && /^Could not load "/.test(e.message)) throw new RuntimePluginLoadError(e.message);
    throw e;
  }
}
