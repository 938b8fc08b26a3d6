/**
 * Deployments own one ReplicaSet per pod template (named <deploy>-<pod-template-hash>). On a
 * template change the new ReplicaSet scales up while old ones scale down only as far as new
 * pods are available, so availability holds during the rollout; status carries the fields
 * `kubectl rollout status` reads (observedGeneration, updated/ready/available replicas and the
 * Progressing condition with NewReplicaSetAvailable when done).
 */
import { isPodReady } from '../disruption.js';
import type { KObject } from '../types.js';
import { hashOf, ownedBy, ownerRef, setStatus, spec, status, SYS, type Ctx } from './context.js';
import { rsPods } from './replicasets.js';
import { recordEvent } from './events.js';

type DSpec = { replicas?: number; paused?: boolean; selector?: { matchLabels?: Record<string, string> }; template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> } };
const REV = 'deployment.kubernetes.io/revision';
const ts = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export function syncDeployments(ctx: Ctx): void {
  for (const d of ctx.api.store.list(ctx.t.deployments)) {
    if (d.metadata.deletionTimestamp) continue;
    const s = spec<DSpec>(d);
    const want = s.replicas ?? 1;
    const hash = hashOf(s.template ?? {});
    const owned = ctx.api.store.list(ctx.t.replicasets, d.metadata.namespace).filter((r) => ownedBy(r, d.metadata.uid!));
    let current = owned.find((r) => r.metadata.labels?.['pod-template-hash'] === hash);
    const maxRev = Math.max(0, ...owned.map((r) => Number(r.metadata.annotations?.[REV] ?? 0)));
    if (!current && !s.paused) {
      const tpl = structuredClone(s.template ?? {});
      tpl.metadata = { ...(tpl.metadata ?? {}), labels: { ...(tpl.metadata?.labels ?? {}), 'pod-template-hash': hash } };
      const rs: KObject = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${d.metadata.name}-${hash}`,
          namespace: d.metadata.namespace,
          labels: tpl.metadata.labels,
          annotations: { [REV]: String(maxRev + 1), 'deployment.kubernetes.io/desired-replicas': String(want), 'deployment.kubernetes.io/max-replicas': String(want + 1) },
          ownerReferences: [ownerRef(d)],
        },
        spec: { replicas: 0, selector: { matchLabels: { ...(s.selector?.matchLabels ?? {}), 'pod-template-hash': hash } }, template: tpl },
      };
      current = ctx.api.create(ctx.t.replicasets, d.metadata.namespace, rs, { ...SYS, fieldManager: 'kube-controller-manager' });
    }
    if (!current) continue;
    // Rolling back to an old template makes its ReplicaSet the newest revision again.
    const otherMax = Math.max(0, ...owned.filter((r) => r.metadata.uid !== current!.metadata.uid).map((r) => Number(r.metadata.annotations?.[REV] ?? 0)));
    if (Number(current.metadata.annotations?.[REV] ?? 0) <= otherMax) {
      current = ctx.api.update(ctx.t.replicasets, current.metadata.namespace, current.metadata.name!, { ...current, metadata: { ...current.metadata, annotations: { ...(current.metadata.annotations ?? {}), [REV]: String(otherMax + 1) } } }, { ...SYS, fieldManager: 'kube-controller-manager' });
    }
    const olds = owned.filter((r) => r.metadata.uid !== current!.metadata.uid);
    const newPods = rsPods(ctx, current);
    const newAvailable = newPods.filter(isPodReady).length;
    if (scale(ctx, current, want)) recordEvent(ctx, d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${current.metadata.name} to ${want}`, 'deployment-controller');
    // Old ReplicaSets give way only as new pods become available.
    let budget = Math.max(0, want - newAvailable);
    for (const old of olds.sort((a, b) => Number(b.metadata.annotations?.[REV] ?? 0) - Number(a.metadata.annotations?.[REV] ?? 0))) {
      const keep = Math.min(spec<{ replicas?: number }>(old).replicas ?? 0, budget);
      budget -= keep;
      if (scale(ctx, old, keep)) recordEvent(ctx, d, 'Normal', 'ScalingReplicaSet', `Scaled down replica set ${old.metadata.name} to ${keep}`, 'deployment-controller');
    }
    const rev = current.metadata.annotations?.[REV] ?? '1';
    if (d.metadata.annotations?.[REV] !== rev) {
      ctx.api.update(ctx.t.deployments, d.metadata.namespace, d.metadata.name!, { ...d, metadata: { ...d.metadata, annotations: { ...(d.metadata.annotations ?? {}), [REV]: rev } } }, { ...SYS, fieldManager: 'kube-controller-manager' });
    }
    const allPods = [current, ...olds].flatMap((r) => rsPods(ctx, r));
    const ready = allPods.filter(isPodReady).length;
    const complete = newPods.length === want && newAvailable === want && allPods.length === want;
    const fresh = ctx.api.store.get(ctx.t.deployments, d.metadata.namespace, d.metadata.name!)!;
    const prev = status<{ conditions?: Array<{ type: string; status: string; reason: string; lastTransitionTime?: string; lastUpdateTime?: string }> }>(fresh).conditions ?? [];
    const cond = (type: string, st: string, reason: string, message: string): object => {
      const p = prev.find((c) => c.type === type);
      const same = p && p.status === st && p.reason === reason;
      return { type, status: st, reason, message, lastUpdateTime: same ? p.lastUpdateTime : ts(), lastTransitionTime: p && p.status === st ? p.lastTransitionTime : ts() };
    };
    setStatus(ctx, ctx.t.deployments, fresh, {
      observedGeneration: fresh.metadata.generation ?? 1,
      replicas: allPods.length,
      updatedReplicas: newPods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(allPods.length - ready > 0 ? { unavailableReplicas: Math.max(0, want - ready) } : {}),
      conditions: [
        ready >= want ? cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.') : cond('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
        complete
          ? cond('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${current.metadata.name}" has successfully progressed.`)
          : cond('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${current.metadata.name}" is progressing.`),
      ],
    });
  }
}

/** True when the ReplicaSet's replicas changed. */
function scale(ctx: Ctx, rs: KObject, replicas: number): boolean {
  if ((spec<{ replicas?: number }>(rs).replicas ?? 0) === replicas) return false;
  const cur = ctx.api.store.get(ctx.t.replicasets, rs.metadata.namespace, rs.metadata.name!)!;
  ctx.api.update(ctx.t.replicasets, rs.metadata.namespace, rs.metadata.name!, { ...cur, spec: { ...spec<Record<string, unknown>>(cur), replicas } }, { ...SYS, fieldManager: 'kube-controller-manager' });
  return true;
}
