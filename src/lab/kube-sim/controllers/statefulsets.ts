/**
 * StatefulSets: pods <name>-0..N-1 created in order (OrderedReady: the next only once the
 * previous is Ready), updated from the highest ordinal down one at a time; status reports
 * currentRevision/updateRevision as `kubectl rollout status sts/...` expects.
 */
import { isPodReady } from '../disruption.js';
import { alive, hashOf, ownedBy, podFrom, setStatus, spec, SYS, type Ctx } from './context.js';

type StsSpec = { replicas?: number; podManagementPolicy?: string; template?: { metadata?: { labels?: Record<string, string> }; spec?: Record<string, unknown> } };
const REV = 'controller-revision-hash';

export function syncStatefulSets(ctx: Ctx): void {
  for (const sts of ctx.api.store.list(ctx.t.statefulsets)) {
    if (sts.metadata.deletionTimestamp) continue;
    const s = spec<StsSpec>(sts);
    const want = s.replicas ?? 1;
    const rev = `${sts.metadata.name}-${hashOf(s.template ?? {})}`;
    const ordered = s.podManagementPolicy !== 'Parallel';
    const name = (i: number): string => `${sts.metadata.name}-${i}`;
    const mine = () => ctx.api.store.list(ctx.t.pods, sts.metadata.namespace).filter((p) => ownedBy(p, sts.metadata.uid!) && alive(p));
    let pods = mine();
    for (let i = 0; i < want; i++) {
      const p = pods.find((x) => x.metadata.name === name(i));
      if (p) {
        if (ordered && !isPodReady(p)) break;
        continue;
      }
      if (ctx.api.store.get(ctx.t.pods, sts.metadata.namespace, name(i))) break; // still terminating
      const pod = podFrom(sts, s.template ?? {}, name(i), { [REV]: rev, 'statefulset.kubernetes.io/pod-name': name(i), 'apps.kubernetes.io/pod-index': String(i) });
      ctx.api.create(ctx.t.pods, sts.metadata.namespace, pod, { ...SYS, fieldManager: 'kube-controller-manager' });
      if (ordered) break;
    }
    for (const p of pods) {
      const idx = Number(p.metadata.name!.slice(sts.metadata.name!.length + 1));
      if (idx >= want) ctx.api.delete(ctx.t.pods, p.metadata.namespace, p.metadata.name!);
    }
    pods = mine();
    const allReady = pods.length === want && pods.every(isPodReady);
    const outdated = pods.filter((p) => p.metadata.labels?.[REV] !== rev).sort((a, b) => b.metadata.name!.localeCompare(a.metadata.name!, undefined, { numeric: true }));
    if (allReady && outdated[0]) ctx.api.delete(ctx.t.pods, outdated[0].metadata.namespace, outdated[0].metadata.name!);
    pods = mine();
    const ready = pods.filter(isPodReady).length;
    const updated = pods.filter((p) => p.metadata.labels?.[REV] === rev).length;
    const prevStatus = (sts['status'] ?? {}) as { currentRevision?: string };
    const done = updated === want && pods.length === want;
    setStatus(ctx, ctx.t.statefulsets, sts, {
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      currentReplicas: done ? want : pods.length - updated,
      updatedReplicas: updated,
      currentRevision: done ? rev : (prevStatus.currentRevision ?? rev),
      updateRevision: rev,
      collisionCount: 0,
    });
  }
}
