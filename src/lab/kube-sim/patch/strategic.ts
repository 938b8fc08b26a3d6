/**
 * application/strategic-merge-patch+json for built-in kinds: like a merge patch, but lists with
 * a patchMergeKey merge item by item (containers by name, env by name...), and the directives
 * $patch (replace/delete/merge), $deleteFromPrimitiveList/<field>, $setElementOrder/<field> and
 * $retainKeys are understood. kubectl label/cordon/rollout restart/apply send these.
 */
import { badRequest } from '../errors.js';
import type { Json } from '../types.js';
import { listStrategy } from './keys.js';

type Obj = Record<string, Json>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function strategicMerge(target: Json | undefined, patch: Json, path: string[] = []): Json {
  if (!isObj(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (patch['$patch'] === 'delete') return {};
  const out: Obj = isObj(target) ? structuredClone(target) : {};
  const retain = patch['$retainKeys'];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[f];
      if (Array.isArray(cur) && Array.isArray(v)) out[f] = cur.filter((x) => !v.some((d) => JSON.stringify(d) === JSON.stringify(x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    if (Array.isArray(v)) {
      out[k] = mergeList(out[k], v, [...path, k], k);
      continue;
    }
    out[k] = isObj(v) ? strategicMerge(out[k], v, [...path, k]) : structuredClone(v);
  }
  if (Array.isArray(retain)) for (const k of Object.keys(out)) if (!retain.includes(k) && !(k in patch)) delete out[k];
  return out;
}

function mergeList(cur: Json | undefined, patch: Json[], path: string[], field: string): Json {
  const s = listStrategy(path.slice(0, -1), field);
  const current = Array.isArray(cur) ? cur : [];
  if (s.kind === 'atomic') return stripDirectives(patch);
  if (s.kind === 'set') {
    const out = [...current];
    for (const v of patch) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(v))) out.push(structuredClone(v));
    return out;
  }
  // A `$patch: replace` item replaces the whole list with the other items.
  if (patch.some((p) => isObj(p) && p['$patch'] === 'replace' && !(s.key in p))) {
    return patch.filter((p) => !(isObj(p) && p['$patch'] === 'replace')).map(stripDirectives);
  }
  const out = current.map((x) => structuredClone(x));
  for (const item of patch) {
    if (!isObj(item)) throw badRequest(`unable to find api field in struct for the json field "${field}"`);
    const key = item[s.key];
    if (key === undefined) throw badRequest(`map: map[] does not contain declared merge key: ${s.key}`);
    const idx = out.findIndex((x) => isObj(x) && JSON.stringify(x[s.key]) === JSON.stringify(key));
    if (item['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMerge(out[idx], item, path);
    else out.push(strategicMerge({}, item, path));
  }
  return out;
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}
