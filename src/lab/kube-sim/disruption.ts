/**
 * PodDisruptionBudget arithmetic (the disruption controller's) and the eviction subresource:
 * an eviction is refused with 429 TooManyRequests while disruptionsAllowed would go below zero,
 * with the message and cause kubectl drain and kubernetes.core's k8s_drain print.
 */
import type { Api } from './api.js';
import { ApiError, notFound } from './errors.js';
import { matchesSelector, type LabelSelector } from './selectors.js';
import type { KObject, ResourceType } from './types.js';

export const isPodReady = (p: KObject): boolean =>
  !p.metadata.deletionTimestamp && ((p['status'] as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export interface PdbStatus {
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
}

function resolve(v: number | string | undefined, total: number, roundUp: boolean): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export function pdbStatus(pdb: KObject, pods: KObject[]): PdbStatus {
  const spec = (pdb['spec'] ?? {}) as { selector?: LabelSelector; minAvailable?: number | string; maxUnavailable?: number | string };
  const matching = pods.filter((p) => p.metadata.namespace === pdb.metadata.namespace && matchesSelector(spec.selector ?? { matchLabels: {} }, p.metadata.labels));
  const expectedPods = matching.filter((p) => !p.metadata.deletionTimestamp).length;
  const currentHealthy = matching.filter(isPodReady).length;
  let desiredHealthy: number;
  const min = resolve(spec.minAvailable, expectedPods, true);
  if (min !== undefined) desiredHealthy = min;
  else desiredHealthy = Math.max(0, expectedPods - (resolve(spec.maxUnavailable, expectedPods, true) ?? 0));
  return { expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy) };
}

/** POST pods/{name}/eviction. Deletes the pod when every matching budget allows it. */
export function evict(api: Api, podType: ResourceType, ns: string, name: string, body: KObject, dryRun: boolean): void {
  const pod = api.store.get(podType, ns, name);
  if (!pod) throw notFound(podType, name);
  if (pod.metadata.deletionTimestamp) return; // already going: a real server answers success too
  const pdbType = api.registry.find('policy', 'v1', 'poddisruptionbudgets')!;
  const pdbs = api.store.list(pdbType, ns).filter((p) => matchesSelector((p['spec'] as { selector?: LabelSelector }).selector, pod.metadata.labels));
  if (pdbs.length > 1) throw new ApiError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  const terminal = phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending';
  if (pdbs.length === 1 && !terminal) {
    const pdb = pdbs[0]!;
    const st = pdbStatus(pdb, api.store.list(podType, ns));
    // An unready pod may go when the budget is already met (unhealthyPodEvictionPolicy IfHealthyBudget).
    const allowed = isPodReady(pod) ? st.disruptionsAllowed > 0 : st.currentHealthy >= st.desiredHealthy;
    if (!allowed) {
      throw new ApiError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
        causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata.name} needs ${st.desiredHealthy} healthy pods and has ${st.currentHealthy} currently` }],
      });
    }
  }
  const opts = (body as { deleteOptions?: { gracePeriodSeconds?: number; preconditions?: { uid?: string } } }).deleteOptions ?? {};
  api.delete(podType, ns, name, { dryRun, ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}), ...(opts.preconditions ? { preconditions: opts.preconditions } : {}) });
}
