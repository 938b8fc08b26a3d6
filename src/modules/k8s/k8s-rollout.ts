/**
 * k8s_rollout (a philote module; its Ansible twin is playbooks/library/k8s_rollout.py):
 * `kubectl rollout restart` and `kubectl rollout status` for Deployments, DaemonSets and
 * StatefulSets.
 *
 * Arguments:
 *   action     restart | status (required)
 *   kind       Deployment | DaemonSet | StatefulSet (required)
 *   name       one object; omitted: every object of the kind in the namespace
 *   namespace  default "default"
 *   timeout    seconds to wait for status (default 300)
 *   kubeconfig, context, host, api_key ... (see client/auth.ts)
 *
 * restart sets spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] to the
 * current time (RFC 3339, as kubectl), which makes the controller roll every pod. In check
 * mode it patches with dryRun=All. changed: true when there was something to restart.
 * status waits until each object is rolled out, by kubectl's rules:
 *   - status.observedGeneration >= metadata.generation (the controller saw the latest spec);
 *   - Deployment: updatedReplicas >= spec.replicas, replicas (old ones included) <= spec.replicas,
 *     availableReplicas >= spec.replicas;
 *   - DaemonSet: updatedNumberScheduled and numberAvailable >= desiredNumberScheduled;
 *   - StatefulSet: updatedReplicas and readyReplicas >= spec.replicas (and, for a partitioned
 *     rolling update, the pods above the partition updated).
 * Returns: changed, resources (the names handled); on timeout a failure naming the objects
 * still rolling out and why (e.g. "2 of 3 updated replicas are available").
 */
import { z } from 'zod';
import { PhiloteError } from '../../errors.js';
import type { ModuleDefinition } from '../types.js';
import type { KubeObject } from './client/client.js';
import { authFields, clientFor, int } from './client/common.js';
import { sleep } from './client/wait.js';

const KINDS = { Deployment: 'deployments', DaemonSet: 'daemonsets', StatefulSet: 'statefulsets' } as const;
type Kind = keyof typeof KINDS;

const schema = z
  .object({
    ...authFields,
    action: z.enum(['restart', 'status']),
    kind: z.enum(['Deployment', 'DaemonSet', 'StatefulSet']),
    name: z.string().nullish(),
    namespace: z.string().optional(),
    timeout: int.optional(),
  })
  .strict();

type Args = z.infer<typeof schema>;

/** undefined when rolled out, else why not (kubectl rollout status' messages). */
export function rolloutPending(kind: Kind, o: KubeObject): string | undefined {
  const s = (o['status'] ?? {}) as Record<string, number | undefined>;
  const spec = (o['spec'] ?? {}) as Record<string, any>;
  const gen = o.metadata?.['generation'] ?? 0;
  const name = o.metadata?.name;
  if ((s['observedGeneration'] ?? 0) < gen) return `waiting for ${kind} ${name} spec update to be observed`;
  if (kind === 'DaemonSet') {
    const want = s['desiredNumberScheduled'] ?? 0;
    const updated = s['updatedNumberScheduled'] ?? 0;
    if (updated < want) return `${updated} out of ${want} new pods have been updated`;
    const avail = s['numberAvailable'] ?? 0;
    if (avail < want) return `${avail} of ${want} updated pods are available`;
    return undefined;
  }
  const want = spec['replicas'] ?? 1;
  const updated = s['updatedReplicas'] ?? 0;
  if (kind === 'StatefulSet') {
    const ru = spec['updateStrategy']?.rollingUpdate;
    if (ru?.partition !== undefined && ru.partition !== null) {
      const needed = want - ru.partition;
      if (updated < needed) return `${updated} out of ${needed} new pods have been updated`;
      return undefined;
    }
    const ready = s['readyReplicas'] ?? 0;
    if (ready < want) return `${ready} out of ${want} new pods are ready`;
    if (updated < want) return `${updated} out of ${want} new pods have been updated`;
    return undefined;
  }
  if (updated < want) return `${updated} out of ${want} new replicas have been updated`;
  const total = s['replicas'] ?? 0;
  if (total > updated) return `${total - updated} old replicas are pending termination`;
  const avail = s['availableReplicas'] ?? 0;
  if (avail < updated) return `${avail} of ${updated} updated replicas are available`;
  return undefined;
}

export const k8sRolloutModule: ModuleDefinition<Args> = {
  name: 'k8s_rollout',
  aliases: ['philote.k8s_rollout'],
  runsOn: 'controller',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const client = clientFor(ctx);
    const ns = a.namespace ?? 'default';
    const plural = KINDS[a.kind];
    const base = `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/${plural}`;
    const read = (n: string) => client.request<KubeObject>('GET', `${base}/${encodeURIComponent(n)}`, { verb: 'get', resource: `${plural}.apps`, name: n, namespace: ns });
    let names: string[];
    if (a.name) names = [(await read(a.name)).metadata!.name!];
    else {
      const list = await client.request<{ items?: KubeObject[] }>('GET', base, { verb: 'list', resource: `${plural}.apps`, namespace: ns });
      names = (list.items ?? []).map((o) => o.metadata!.name!);
    }

    if (a.action === 'restart') {
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': now } } } } };
      for (const n of names) {
        await client.request('PATCH', `${base}/${encodeURIComponent(n)}`, { verb: 'patch', resource: `${plural}.apps`, name: n, namespace: ns }, {
          body: patch,
          contentType: 'application/strategic-merge-patch+json',
          query: { dryRun: ctx.checkMode ? 'All' : undefined, fieldManager: 'kubectl-rollout' },
        });
      }
      return { changed: names.length > 0, resources: names };
    }

    const deadline = Date.now() + (a.timeout ?? 300) * 1000;
    let pending = new Map<string, string>();
    for (let first = true; first || pending.size; first = false) {
      const next = new Map<string, string>();
      for (const n of first ? names : [...pending.keys()]) {
        const why = rolloutPending(a.kind, await read(n));
        if (why) next.set(n, why);
      }
      pending = next;
      if (!pending.size) break;
      if (Date.now() >= deadline || ctx.signal.aborted) {
        const detail = [...pending].map(([n, why]) => `${n}: ${why}`).join('; ');
        throw new PhiloteError('kube', `timed out waiting for ${a.kind} ${[...pending.keys()].join(', ')} to roll out (${detail})`);
      }
      await sleep(1000, ctx.signal);
    }
    return { changed: false, resources: names };
  },
};
