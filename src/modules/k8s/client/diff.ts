/**
 * Object comparison for `changed` and `diff`, as kubernetes.core's diff_objects: two objects
 * match when they are equal apart from metadata.generation and metadata.resourceVersion.
 */
import { isDeepStrictEqual } from 'node:util';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** ansible's recursive_diff: [left, right] holding only what differs, or undefined when equal. */
export function recursiveDiff(a: Obj, b: Obj): [Obj, Obj] | undefined {
  const left: Obj = {};
  const right: Obj = {};
  for (const [k, v] of Object.entries(a)) if (!(k in b)) left[k] = v;
  for (const [k, v] of Object.entries(b)) if (!(k in a)) right[k] = v;
  for (const k of Object.keys(a)) {
    if (!(k in b)) continue;
    const x = a[k];
    const y = b[k];
    if (isObj(x) && isObj(y)) {
      const d = recursiveDiff(x, y);
      if (d) {
        left[k] = d[0];
        right[k] = d[1];
      }
    } else if (!isDeepStrictEqual(x, y)) {
      left[k] = x;
      right[k] = y;
    }
  }
  return Object.keys(left).length || Object.keys(right).length ? [left, right] : undefined;
}

export interface ObjectDiff {
  before?: Obj;
  after?: Obj;
}

/** [match, diff]: match ignores a change of metadata.generation/resourceVersion only. */
export function diffObjects(existing: Obj, updated: Obj): [boolean, ObjectDiff] {
  const d = recursiveDiff(existing, updated);
  if (!d) return [true, {}];
  const [before, after] = d;
  const onlyMeta = (o: Obj) => Object.keys(o).length === 1 && isObj(o['metadata']) && Object.keys(o['metadata']).every((k) => k === 'generation' || k === 'resourceVersion');
  return [onlyMeta(before) && onlyMeta(after), { before, after }];
}

/** JSON with sorted keys and 4-space indent, as Ansible's callback prints a dict diff. */
export function diffText(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : isObj(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort(x[k])])) : x;
  return JSON.stringify(sort(v ?? {}), null, 4) + '\n';
}
