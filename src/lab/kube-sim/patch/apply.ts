/**
 * Server-side apply (application/apply-patch+yaml) and managedFields bookkeeping.
 * - Apply: the manager's applied field set replaces its previous one; fields it applied before
 *   and no longer applies are removed unless another manager owns them; fields another manager
 *   owns with a different value are conflicts (409) unless force=true, which takes them over.
 * - Update (create/PUT/PATCH): the changed fields move to the updating manager.
 * Simplification: list items without a merge key are atomic; no per-version conversion.
 */
import { ApiError } from '../errors.js';
import type { Json, KObject, ManagedFieldsEntry } from '../types.js';
import { changedFields, fieldSetOf, fromFieldsV1, pathKey, removeAt, toFieldsV1, valueAt, type FieldSet, type Path } from './fieldset.js';
import { strategicMerge } from './strategic.js';

const same = (a: Json | undefined, b: Json | undefined): boolean => JSON.stringify(a) === JSON.stringify(b);

export function describePath(p: Path): string {
  return p
    .filter((t) => t !== '.')
    .map((t) => {
      if (t.startsWith('f:')) return `.${t.slice(2)}`;
      if (t.startsWith('k:')) {
        const o = JSON.parse(t.slice(2)) as Record<string, Json>;
        return `[${Object.entries(o).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
      }
      return `[${t.slice(2)}]`;
    })
    .join('');
}

function entry(manager: string, operation: 'Apply' | 'Update', apiVersion: string, set: FieldSet, now: string, subresource?: string): ManagedFieldsEntry {
  return { manager, operation, apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(set), ...(subresource ? { subresource } : {}) };
}

export interface ApplyOptions {
  manager: string;
  force: boolean;
  now: string;
}

/** Returns the new object (managedFields included). `live` undefined means create. */
export function serverSideApply(live: KObject | undefined, applied: KObject, o: ApplyOptions): KObject {
  const newSet = fieldSetOf(applied as unknown as Json);
  const cfg = structuredClone(applied);
  delete cfg.metadata.managedFields;
  delete cfg.metadata.resourceVersion;
  if (!live) {
    return { ...cfg, metadata: { ...cfg.metadata, managedFields: [entry(o.manager, 'Apply', applied.apiVersion, newSet, o.now)] } };
  }
  const entries = (live.metadata.managedFields ?? []).map((e) => ({ e, set: fromFieldsV1(e.fieldsV1) }));
  const mine = (e: ManagedFieldsEntry): boolean => e.manager === o.manager && e.operation === 'Apply' && !e.subresource;
  const conflicts: Array<{ manager: string; apiVersion: string; path: Path }> = [];
  for (const { e, set } of entries) {
    if (mine(e) || e.subresource) continue;
    for (const [k, p] of set) {
      if (p[p.length - 1] === '.' || !newSet.has(k)) continue;
      if (!same(valueAt(live as unknown as Json, p), valueAt(applied as unknown as Json, p))) conflicts.push({ manager: e.manager, apiVersion: e.apiVersion, path: p });
    }
  }
  if (conflicts.length && !o.force) {
    const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${describePath(c.path)}`);
    const msg = conflicts.length === 1 ? `Apply failed with 1 conflict: ${lines[0]}` : `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
    throw new ApiError(409, 'Conflict', msg, {
      causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: describePath(c.path) })),
    });
  }
  // force: the conflicting fields leave their previous owners.
  for (const c of conflicts) for (const x of entries) if (x.e.manager === c.manager) x.set.delete(pathKey(c.path));
  const previous = entries.find((x) => mine(x.e))?.set ?? new Map<string, Path>();
  const { managedFields: _m, ...liveMeta } = live.metadata;
  const merged = strategicMerge({ ...live, metadata: liveMeta } as unknown as Json, cfg as unknown as Json) as unknown as KObject;
  for (const [k, p] of previous) {
    if (newSet.has(k)) continue;
    const ownedByOther = entries.some((x) => !mine(x.e) && x.set.has(k));
    if (!ownedByOther) removeAt(merged as unknown as Json, p);
  }
  // Co-owned fields (same value) stay with their other owners too, as in real SSA. The
  // manager's Apply entry keeps its place in the list (a real server updates it in place), so a
  // no-op apply after someone else's update leaves managedFields, and the object, as they were.
  const mineEntry = entry(o.manager, 'Apply', applied.apiVersion, newSet, o.now);
  const managed = entries.flatMap((x) => (mine(x.e) ? [mineEntry] : x.set.size ? [{ ...x.e, fieldsV1: toFieldsV1(x.set) }] : []));
  if (!entries.some((x) => mine(x.e))) managed.push(mineEntry);
  merged.metadata.managedFields = managed;
  return merged;
}

/** managedFields after a non-apply write by `manager` (create, update, patch). */
export function recordUpdate(before: KObject | undefined, after: KObject, manager: string, now: string, subresource?: string): ManagedFieldsEntry[] {
  const strip = (o: KObject | undefined): Json => (o ? ({ ...o, metadata: { ...o.metadata, managedFields: undefined } } as unknown as Json) : {});
  const { changed, removed } = changedFields(JSON.parse(JSON.stringify(strip(before))) as Json, JSON.parse(JSON.stringify(strip(after))) as Json, subresource === 'status');
  const entries = (before?.metadata.managedFields ?? []).map((e) => ({ e, set: fromFieldsV1(e.fieldsV1) }));
  if (changed.size === 0 && removed.size === 0) return before?.metadata.managedFields ?? [];
  for (const x of entries) {
    for (const k of changed.keys()) if (!(x.e.manager === manager && x.e.operation === 'Update')) x.set.delete(k);
    for (const k of removed.keys()) x.set.delete(k);
  }
  const idx = entries.findIndex((x) => x.e.manager === manager && x.e.operation === 'Update' && (x.e.subresource ?? '') === (subresource ?? ''));
  if (idx >= 0) {
    for (const [k, p] of changed) entries[idx]!.set.set(k, p);
    entries[idx]!.e = { ...entries[idx]!.e, time: now };
  } else entries.push({ e: entry(manager, 'Update', after.apiVersion, changed, now, subresource), set: changed });
  return entries.filter((x) => x.set.size).map((x) => ({ ...x.e, fieldsV1: toFieldsV1(x.set) }));
}
