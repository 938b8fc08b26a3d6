/**
 * DaemonSets keep one pod on every eligible node (nodeSelector / required node affinity; taints
 * are treated as tolerated, like the CNI agents' tolerate-everything). Deleted pods come back.
 * A template change (`kubectl rollout restart` sets an annotation on it) replaces outdated pods
 * one node at a time (maxUnavailable 1), waiting while any pod is not Ready; status carries the
 * fields `kubectl rollout status ds/...` reads.
 */
import { isPodReady } from '../disruption.js';
import type { KObject } from '../types.js';
import { alive, hashOf, ownedBy, podFrom, setStatus, spec, SYS, type Ctx } from './context.js';
import { nodeMatches } from './pods.js';
import { recordEvent } from './events.js';

type DsSpec = { template?: { metadata?: { labels?: Record<string, string> }; spec?: Record<string, unknown> }; updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string } } };
const HASH = 'controller-revision-hash';

export function syncDaemonSets(ctx: Ctx): void {
  const nodes = ctx.api.store.list(ctx.t.nodes);
  for (const ds of ctx.api.store.list(ctx.t.daemonsets)) {
    if (ds.metadata.deletionTimestamp) continue;
    const s = spec<DsSpec>(ds);
    const hash = hashOf(s.template ?? {});
    const podSpec = (s.template?.spec ?? {}) as Parameters<typeof nodeMatches>[0];
    const eligible = nodes.filter((n) => nodeMatches(podSpec, n));
    let pods = ctx.api.store.list(ctx.t.pods, ds.metadata.namespace).filter((p) => ownedBy(p, ds.metadata.uid!) && alive(p));
    const onNode = (n: string): KObject[] => pods.filter((p) => spec<{ nodeName?: string }>(p).nodeName === n);
    for (const n of eligible) {
      if (onNode(n.metadata.name!).length) continue;
      const pod = podFrom(ds, s.template ?? {}, `${ds.metadata.name}-${ctx.suffix()}`, { [HASH]: hash, 'pod-template-generation': String(ds.metadata.generation ?? 1) }, n.metadata.name!);
      // Real DaemonSet pods are pinned with node affinity on metadata.name and tolerate cordons.
      const ps = pod['spec'] as Record<string, unknown>;
      ps['tolerations'] = [...((ps['tolerations'] as object[]) ?? []), ...['not-ready', 'unreachable', 'disk-pressure', 'memory-pressure', 'pid-pressure', 'unschedulable'].map((k) => ({ key: `node.kubernetes.io/${k}`, operator: 'Exists', effect: k === 'not-ready' || k === 'unreachable' ? 'NoExecute' : 'NoSchedule' }))];
      ctx.api.create(ctx.t.pods, ds.metadata.namespace, pod, { ...SYS, fieldManager: 'kube-controller-manager' });
      recordEvent(ctx, ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'daemonset-controller');
    }
    // Pods on nodes that are no longer eligible (label removed) go away.
    for (const p of pods) if (!eligible.some((n) => n.metadata.name === spec<{ nodeName?: string }>(p).nodeName)) ctx.api.delete(ctx.t.pods, p.metadata.namespace, p.metadata.name!);
    pods = ctx.api.store.list(ctx.t.pods, ds.metadata.namespace).filter((p) => ownedBy(p, ds.metadata.uid!) && alive(p));
    if ((s.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const maxUnavailable = Number(s.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1) || 1;
      const unavailable = pods.filter((p) => !isPodReady(p)).length;
      const outdated = pods.filter((p) => p.metadata.labels?.[HASH] !== hash);
      for (const p of outdated.slice(0, Math.max(0, maxUnavailable - unavailable))) ctx.api.delete(ctx.t.pods, p.metadata.namespace, p.metadata.name!);
    }
    const live = ctx.api.store.list(ctx.t.pods, ds.metadata.namespace).filter((p) => ownedBy(p, ds.metadata.uid!) && alive(p));
    const scheduled = eligible.filter((n) => live.some((p) => spec<{ nodeName?: string }>(p).nodeName === n.metadata.name)).length;
    const ready = live.filter(isPodReady).length;
    const updated = live.filter((p) => p.metadata.labels?.[HASH] === hash);
    setStatus(ctx, ctx.t.daemonsets, ds, {
      currentNumberScheduled: scheduled,
      desiredNumberScheduled: eligible.length,
      numberMisscheduled: 0,
      numberReady: ready,
      numberAvailable: ready,
      ...(eligible.length - ready > 0 ? { numberUnavailable: eligible.length - ready } : {}),
      updatedNumberScheduled: updated.length,
      observedGeneration: ds.metadata.generation ?? 1,
    });
  }
}
