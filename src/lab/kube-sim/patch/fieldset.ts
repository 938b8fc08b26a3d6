/**
 * Field sets for server-side apply, in the FieldsV1 shape managedFields uses:
 * `f:<field>` for map keys, `k:{"name":"c"}` for items of keyed lists, `v:"x"` for set items.
 * A path is an array of those tokens; a set is a Map from the joined path to the path.
 */
import type { Json, JsonObject } from '../types.js';
import { listStrategy } from './keys.js';

export type Path = string[];
export type FieldSet = Map<string, Path>;
const SEP = '\u0000';
const isObj = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const pathKey = (p: Path): string => p.join(SEP);

/** Fields not tracked by SSA (identity and server-owned bookkeeping). */
const IGNORED_TOP = new Set(['apiVersion', 'kind', 'status']);
const IGNORED_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']);

export function fieldSetOf(obj: Json, includeStatus = false): FieldSet {
  const out: FieldSet = new Map();
  const walk = (v: Json, path: Path, names: string[]): void => {
    if (isObj(v)) {
      const keys = Object.keys(v);
      if (keys.length === 0 && path.length) out.set(pathKey(path), path);
      for (const k of keys) {
        if (path.length === 0 && IGNORED_TOP.has(k) && !(includeStatus && k === 'status')) continue;
        if (path.length === 1 && path[0] === 'f:metadata' && IGNORED_META.has(k)) continue;
        walk(v[k]!, [...path, `f:${k}`], [...names, k]);
      }
      return;
    }
    if (Array.isArray(v) && names.length) {
      const field = names[names.length - 1]!;
      const s = listStrategy(names.slice(0, -1), field);
      if (s.kind === 'map' && v.every((x) => isObj(x) && s.key in x)) {
        for (const item of v as Array<Record<string, Json>>) {
          const p = [...path, `k:${JSON.stringify({ [s.key]: item[s.key] })}`];
          out.set(pathKey([...p, '.']), [...p, '.']);
          walk(item, p, names);
        }
        return;
      }
      if (s.kind === 'set') {
        for (const item of v) out.set(pathKey([...path, `v:${JSON.stringify(item)}`]), [...path, `v:${JSON.stringify(item)}`]);
        return;
      }
    }
    out.set(pathKey(path), path);
  };
  walk(obj, [], []);
  return out;
}

/** Value at a path (undefined when absent), for conflict checks. */
export function valueAt(obj: Json | undefined, path: Path): Json | undefined {
  let cur: Json | undefined = obj;
  for (const t of path) {
    if (cur === undefined) return undefined;
    if (t === '.') continue;
    if (t.startsWith('f:')) cur = isObj(cur) ? cur[t.slice(2)] : undefined;
    else if (t.startsWith('k:')) {
      const key = JSON.parse(t.slice(2)) as Record<string, Json>;
      const [kName, kVal] = Object.entries(key)[0]!;
      cur = Array.isArray(cur) ? cur.find((x) => isObj(x) && JSON.stringify(x[kName]) === JSON.stringify(kVal)) : undefined;
    } else if (t.startsWith('v:')) {
      const want = t.slice(2);
      cur = Array.isArray(cur) ? cur.find((x) => JSON.stringify(x) === want) : undefined;
    }
  }
  return cur;
}

/** Removes the field at path from obj (in place); empty parents are left as they are. */
export function removeAt(obj: Json, path: Path): void {
  let cur: Json | undefined = obj;
  for (let i = 0; i < path.length; i++) {
    const t = path[i]!;
    const last = i === path.length - 1 || path[i + 1] === '.';
    if (t === '.') return;
    if (t.startsWith('f:')) {
      if (!isObj(cur)) return;
      if (last) {
        delete cur[t.slice(2)];
        return;
      }
      cur = cur[t.slice(2)];
    } else if (t.startsWith('k:') || t.startsWith('v:')) {
      if (!Array.isArray(cur)) return;
      const arr: Json[] = cur;
      let idx: number;
      if (t.startsWith('k:')) {
        const [kName, kVal] = Object.entries(JSON.parse(t.slice(2)) as Record<string, Json>)[0]!;
        idx = arr.findIndex((x) => isObj(x) && JSON.stringify(x[kName]) === JSON.stringify(kVal));
      } else idx = arr.findIndex((x) => JSON.stringify(x) === t.slice(2));
      if (idx < 0) return;
      if (last) {
        arr.splice(idx, 1);
        return;
      }
      cur = arr[idx];
    }
  }
}

export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  for (const p of set.values()) {
    let cur = root;
    for (const t of p) cur = (cur[t] ??= {}) as JsonObject;
  }
  return root;
}

export function fromFieldsV1(tree: Json | undefined): FieldSet {
  const out: FieldSet = new Map();
  const walk = (n: Json, path: Path): void => {
    const keys = isObj(n) ? Object.keys(n) : [];
    if (keys.length === 0 && path.length) {
      out.set(pathKey(path), path);
      return;
    }
    for (const k of keys) walk((n as Record<string, Json>)[k]!, [...path, k]);
  };
  if (tree) walk(tree, []);
  return out;
}

/** Leaves whose value differs between two objects (added, changed or removed). */
export function changedFields(before: Json, after: Json, includeStatus = false): { changed: FieldSet; removed: FieldSet } {
  const a = fieldSetOf(before, includeStatus);
  const b = fieldSetOf(after, includeStatus);
  const changed: FieldSet = new Map();
  const removed: FieldSet = new Map();
  for (const [k, p] of b) if (!a.has(k) || JSON.stringify(valueAt(before, p)) !== JSON.stringify(valueAt(after, p))) changed.set(k, p);
  for (const [k, p] of a) if (!b.has(k)) removed.set(k, p);
  return { changed, removed };
}
