/** ReplicaSets keep spec.replicas live pods; extra pods go unready-first, newest-first. */
import { isPodReady } from '../disruption.js';
import type { KObject } from '../types.js';
import { alive, ownedBy, podFrom, setStatus, spec, SYS, type Ctx } from './context.js';
import { recordEvent } from './events.js';

type RsSpec = { replicas?: number; template?: { metadata?: { labels?: Record<string, string> }; spec?: Record<string, unknown> } };

export function syncReplicaSets(ctx: Ctx): void {
  const pods = ctx.api.store.list(ctx.t.pods);
  for (const rs of ctx.api.store.list(ctx.t.replicasets)) {
    if (rs.metadata.deletionTimestamp) continue;
    const s = spec<RsSpec>(rs);
    const mine = pods.filter((p) => p.metadata.namespace === rs.metadata.namespace && ownedBy(p, rs.metadata.uid!) && alive(p));
    const want = s.replicas ?? 1;
    if (mine.length < want) {
      for (let i = mine.length; i < want; i++) {
        const pod = podFrom(rs, s.template ?? {}, `${rs.metadata.name}-${ctx.suffix()}`, {});
        ctx.api.create(ctx.t.pods, rs.metadata.namespace, pod, { ...SYS, fieldManager: 'kube-controller-manager' });
        recordEvent(ctx, rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'replicaset-controller');
      }
    } else if (mine.length > want) {
      const victims = [...mine].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '')).slice(0, mine.length - want);
      for (const v of victims) {
        ctx.api.delete(ctx.t.pods, v.metadata.namespace, v.metadata.name!);
        recordEvent(ctx, rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${v.metadata.name}`, 'replicaset-controller');
      }
    }
    const live = ctx.api.store.list(ctx.t.pods, rs.metadata.namespace).filter((p) => ownedBy(p, rs.metadata.uid!) && alive(p));
    const ready = live.filter(isPodReady).length;
    setStatus(ctx, ctx.t.replicasets, rs, {
      replicas: live.length,
      fullyLabeledReplicas: live.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata.generation ?? 1,
    });
  }
}

export const rsPods = (ctx: Ctx, rs: KObject): KObject[] => ctx.api.store.list(ctx.t.pods, rs.metadata.namespace).filter((p) => ownedBy(p, rs.metadata.uid!) && alive(p));
