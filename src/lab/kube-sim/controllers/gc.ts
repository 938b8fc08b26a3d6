/**
 * Garbage collector and namespace controller: dependents whose owner is gone are deleted
 * (background propagation); an owner held by the foregroundDeletion finalizer waits until its
 * dependents are gone; the orphan finalizer strips ownerReferences from dependents first; a
 * Terminating namespace is emptied, then its `kubernetes` finalizer is removed.
 */
import type { KObject, ResourceType } from '../types.js';
import { SYS, type Ctx } from './context.js';

function everything(ctx: Ctx): Array<{ rt: ResourceType; obj: KObject }> {
  const seen = new Set<string>();
  const out: Array<{ rt: ResourceType; obj: KObject }> = [];
  for (const rt of ctx.api.registry.all()) {
    if (rt.builtin && rt.kind === 'Event') continue; // never owned, and the most numerous
    const k = `${rt.group}|${rt.plural}`;
    if (seen.has(k)) continue;
    seen.add(k);
    for (const obj of ctx.api.store.list(rt)) out.push({ rt, obj });
  }
  return out;
}

function dropFinalizer(ctx: Ctx, rt: ResourceType, o: KObject, f: string): void {
  const cur = ctx.api.store.get(rt, o.metadata.namespace, o.metadata.name!);
  if (!cur) return;
  ctx.api.update(rt, o.metadata.namespace, o.metadata.name!, { ...cur, metadata: { ...cur.metadata, finalizers: (cur.metadata.finalizers ?? []).filter((x) => x !== f) } }, SYS);
}

export function syncGarbage(ctx: Ctx): void {
  const all = everything(ctx);
  const uids = new Map(all.map((x) => [x.obj.metadata.uid!, x]));
  for (const { rt, obj } of all) {
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length && refs.every((r) => !uids.has(r.uid))) {
      if (ctx.api.store.get(rt, obj.metadata.namespace, obj.metadata.name!)) ctx.api.delete(rt, obj.metadata.namespace, obj.metadata.name!, { propagationPolicy: 'Background' });
      continue;
    }
    if (!obj.metadata.deletionTimestamp) continue;
    const fins = obj.metadata.finalizers ?? [];
    const deps = all.filter((d) => (d.obj.metadata.ownerReferences ?? []).some((r) => r.uid === obj.metadata.uid));
    if (fins[0] === 'orphan' || (fins.includes('orphan') && fins.every((f) => f === 'orphan' || f === 'foregroundDeletion'))) {
      for (const d of deps) {
        const cur = ctx.api.store.get(d.rt, d.obj.metadata.namespace, d.obj.metadata.name!);
        if (cur) ctx.api.update(d.rt, cur.metadata.namespace, cur.metadata.name!, { ...cur, metadata: { ...cur.metadata, ownerReferences: (cur.metadata.ownerReferences ?? []).filter((r) => r.uid !== obj.metadata.uid) } }, SYS);
      }
      dropFinalizer(ctx, rt, obj, 'orphan');
    } else if (fins.includes('foregroundDeletion')) {
      if (deps.length === 0) dropFinalizer(ctx, rt, obj, 'foregroundDeletion');
      else for (const d of deps) if (!d.obj.metadata.deletionTimestamp) ctx.api.delete(d.rt, d.obj.metadata.namespace, d.obj.metadata.name!, { propagationPolicy: 'Foreground' });
    }
    if (rt.kind === 'Namespace' && rt.builtin && fins.includes('kubernetes')) {
      const evType = ctx.api.registry.find('', 'v1', 'events')!;
      const inside = [...all.filter((x) => x.rt.namespaced && x.obj.metadata.namespace === obj.metadata.name), ...ctx.api.store.list(evType, obj.metadata.name).map((e) => ({ rt: evType, obj: e }))];
      for (const x of inside) if (!x.obj.metadata.deletionTimestamp) ctx.api.delete(x.rt, x.obj.metadata.namespace, x.obj.metadata.name!);
      if (!inside.length) dropFinalizer(ctx, rt, obj, 'kubernetes');
    }
  }
}
