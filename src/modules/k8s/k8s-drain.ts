/**
 * k8s_drain (kubernetes.core.k8s_drain): cordon, drain or uncordon a node.
 *
 * Arguments (kubernetes.core 2.4, plus pod_selectors from later releases):
 *   name (required)   the node
 *   state             drain (default) | cordon | uncordon
 *   delete_options:
 *     ignore_daemonsets      skip DaemonSet-managed pods instead of failing (kubectl --ignore-daemonsets)
 *     delete_emptydir_data   evict pods with emptyDir volumes too (their data is lost)
 *     force                  also evict pods no controller will recreate
 *     terminate_grace_period grace period (seconds) given to each pod
 *     disable_eviction       DELETE pods instead of using the eviction API (ignores PodDisruptionBudgets)
 *     wait_timeout           seconds to keep retrying evictions a PodDisruptionBudget refuses (429)
 *                            and to wait for the pods to be gone (default 120 in philote)
 *     wait_sleep             seconds between those retries and checks (default 5)
 *   pod_selectors     label selectors limiting which pods of the node are drained
 *   kubeconfig, context, host, api_key ... (see client/auth.ts)
 *
 * A drain reads like kubectl's drain package, in small named steps:
 *   cordon → listPodsOnNode → filterPods (mirror, finished, emptyDir, unreplicated, DaemonSet)
 *   → evictPods (retrying while a PodDisruptionBudget answers 429) → waitForDeletion.
 * When the pods cannot be drained (filter errors) the node is uncordoned again if this task
 * cordoned it, as kubernetes.core does.
 *
 * Returns (as kubernetes.core): changed, result ("node N marked unschedulable. 2 Pod(s) deleted
 * from node."), warnings (shown as [WARNING]); philote adds pods: ["namespace/name", ...] evicted.
 * Differences from kubernetes.core 2.4, on purpose: a 429 from the eviction API is retried until
 * wait_timeout (2.4 fails at once), and the task always waits for the evicted pods to be gone.
 * Check mode: skipped, as kubernetes.core 2.4 does not support it for this module.
 */
import { z } from 'zod';
import { PhiloteError } from '../../errors.js';
import type { ModuleDefinition } from '../types.js';
import { KubeApiError, type KubeClient, type KubeObject } from './client/client.js';
import { authFields, bool, clientFor, int, strList } from './client/common.js';
import { sleep } from './client/wait.js';

const schema = z
  .object({
    ...authFields,
    name: z.string(),
    state: z.enum(['drain', 'cordon', 'uncordon']).optional(),
    delete_options: z
      .object({
        terminate_grace_period: int.nullish(),
        force: bool.optional(),
        ignore_daemonsets: bool.optional(),
        delete_emptydir_data: bool.optional(),
        disable_eviction: bool.optional(),
        wait_timeout: int.nullish(),
        wait_sleep: int.optional(),
      })
      .strict()
      .nullish(),
    pod_selectors: strList.optional(),
  })
  .strict();

type Args = z.infer<typeof schema>;
type DrainOptions = NonNullable<Args['delete_options']>;

export interface PodRef {
  namespace: string;
  name: string;
  uid?: string;
}

export interface PodFilterResult {
  toDelete: PodRef[];
  warnings: string[];
  errors: string[];
}

const MIRROR = 'kubernetes.io/config.mirror';
const names = (pods: PodRef[]) => pods.map((p) => `${p.namespace}/${p.name}`).join(',');

/**
 * Decide which pods a drain removes, with kubernetes.core's messages:
 * mirror pods (static pods) cannot be removed through the API; finished pods always go;
 * emptyDir pods need delete_emptydir_data; pods without a controller need force;
 * DaemonSet pods would come back at once, so they need ignore_daemonsets (and stay).
 */
export function filterPods(pods: KubeObject[], opts: { force?: boolean; ignoreDaemonsets?: boolean; deleteEmptydirData?: boolean }): PodFilterResult {
  const daemonSet: PodRef[] = [];
  const unmanaged: PodRef[] = [];
  const mirror: PodRef[] = [];
  const localStorage: PodRef[] = [];
  const toDelete: PodRef[] = [];
  for (const pod of pods) {
    const md = pod.metadata ?? {};
    const ref: PodRef = { namespace: md.namespace ?? 'default', name: md.name ?? '', uid: md['uid'] };
    if (md.annotations && MIRROR in md.annotations) {
      mirror.push(ref);
      continue;
    }
    const phase = pod['status']?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      toDelete.push(ref);
      continue;
    }
    const volumes = (pod['spec']?.volumes ?? []) as Array<Record<string, unknown>>;
    if (volumes.some((v) => v['emptyDir'])) {
      localStorage.push(ref);
      continue;
    }
    const owners = (md['ownerReferences'] ?? []) as Array<{ kind?: string; controller?: boolean }>;
    if (!owners.length) unmanaged.push(ref);
    else if (owners.some((o) => o.kind === 'DaemonSet')) daemonSet.push(ref);
    else toDelete.push(ref);
  }
  const warnings: string[] = [];
  const errors: string[] = [];
  if (unmanaged.length) {
    if (!opts.force) {
      errors.push(`cannot delete Pods not managed by ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet (use option force set to yes): ${names(unmanaged)}.`);
    } else {
      warnings.push(`Deleting Pods not managed by ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet: ${names(unmanaged)}.`);
      toDelete.push(...unmanaged);
    }
  }
  if (mirror.length) warnings.push(`cannot delete mirror Pods using API server: ${names(mirror)}.`);
  if (localStorage.length) {
    if (!opts.deleteEmptydirData) errors.push(`cannot delete Pods with local storage: ${names(localStorage)}.`);
    else {
      warnings.push(`Deleting Pods with local storage: ${names(localStorage)}.`);
      toDelete.push(...localStorage);
    }
  }
  if (daemonSet.length) {
    if (!opts.ignoreDaemonsets) errors.push(`cannot delete DaemonSet-managed Pods (use option ignore_daemonset set to yes): ${names(daemonSet)}.`);
    else warnings.push(`Ignoring DaemonSet-managed Pods: ${names(daemonSet)}.`);
  }
  return { toDelete, warnings, errors };
}

/** Drain steps against one node. */
class Drainer {
  constructor(
    private readonly client: KubeClient,
    private readonly node: string,
    private readonly opts: DrainOptions,
    private readonly signal: AbortSignal,
  ) {}

  private get timeoutMs() {
    return (this.opts.wait_timeout ?? 120) * 1000;
  }
  private get sleepMs() {
    return (this.opts.wait_sleep ?? 5) * 1000;
  }

  async readNode(): Promise<KubeObject> {
    try {
      return await this.client.request('GET', `/api/v1/nodes/${encodeURIComponent(this.node)}`, { verb: 'get', resource: 'nodes', name: this.node });
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) throw new PhiloteError('kube', `Node ${this.node} not found.`);
      throw e;
    }
  }

  async setUnschedulable(unschedulable: boolean): Promise<void> {
    await this.client.request('PATCH', `/api/v1/nodes/${encodeURIComponent(this.node)}`, { verb: 'patch', resource: 'nodes', name: this.node }, {
      body: { spec: { unschedulable } },
      contentType: 'application/strategic-merge-patch+json',
    });
  }

  async listPodsOnNode(podSelectors?: string[]): Promise<KubeObject[]> {
    const r = await this.client.request<{ items?: KubeObject[] }>('GET', '/api/v1/pods', { verb: 'list', resource: 'pods' }, {
      query: { fieldSelector: `spec.nodeName=${this.node}`, labelSelector: podSelectors?.length ? podSelectors.join(',') : undefined },
    });
    return r.items ?? [];
  }

  /** Evict (or delete) one pod; retry while the API answers 429 (a PodDisruptionBudget says no). */
  async evict(pod: PodRef, deadline: number): Promise<void> {
    const base = `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods/${encodeURIComponent(pod.name)}`;
    const grace = this.opts.terminate_grace_period;
    const deleteOptions = grace !== undefined && grace !== null ? { gracePeriodSeconds: grace } : undefined;
    for (;;) {
      try {
        if (this.opts.disable_eviction) {
          await this.client.request('DELETE', base, { verb: 'delete', resource: 'pods', name: pod.name, namespace: pod.namespace }, {
            ...(deleteOptions ? { body: { apiVersion: 'v1', kind: 'DeleteOptions', ...deleteOptions } } : {}),
          });
        } else {
          await this.client.request('POST', `${base}/eviction`, { verb: 'create', resource: 'pods/eviction', name: pod.name, namespace: pod.namespace }, {
            body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod.name, namespace: pod.namespace }, ...(deleteOptions ? { deleteOptions } : {}) },
          });
        }
        return;
      } catch (e) {
        if (e instanceof KubeApiError && e.status === 404) return;
        if (e instanceof KubeApiError && e.status === 429 && Date.now() + this.sleepMs <= deadline && !this.signal.aborted) {
          await sleep(this.sleepMs, this.signal);
          continue;
        }
        const why = e instanceof KubeApiError ? `${e.reason === 'TooManyRequests' ? 'Too Many Requests' : e.reason}: ${(e.body as { message?: string })?.message ?? e.message}` : (e as Error).message;
        throw new PhiloteError('kube', `Failed to delete pod ${pod.namespace}/${pod.name} due to: ${why}`, { cause: e });
      }
    }
  }

  /** Wait until every pod is gone (or replaced by a new pod of the same name); false on timeout. */
  async waitForDeletion(pods: PodRef[], deadline: number): Promise<boolean> {
    let pending = [...pods];
    while (pending.length) {
      const still: PodRef[] = [];
      for (const p of pending) {
        try {
          const cur = await this.client.request<KubeObject>('GET', `/api/v1/namespaces/${encodeURIComponent(p.namespace)}/pods/${encodeURIComponent(p.name)}`, {
            verb: 'get',
            resource: 'pods',
            name: p.name,
            namespace: p.namespace,
          });
          if (!p.uid || cur.metadata?.['uid'] === p.uid) still.push(p);
        } catch (e) {
          if (!(e instanceof KubeApiError && e.status === 404)) throw e;
        }
      }
      pending = still;
      if (!pending.length) return true;
      if (Date.now() >= deadline || this.signal.aborted) return false;
      await sleep(Math.min(this.sleepMs, 1000), this.signal);
    }
    return true;
  }
}

export const k8sDrainModule: ModuleDefinition<Args> = {
  name: 'k8s_drain',
  aliases: ['kubernetes.core.k8s_drain', 'community.kubernetes.k8s_drain'],
  runsOn: 'controller',
  // kubernetes.core's k8s_drain does not declare check mode support: Ansible skips it.
  noCheckMode: 'named',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const state = a.state ?? 'drain';
    const opts: DrainOptions = a.delete_options ?? {};
    const d = new Drainer(clientFor(ctx), a.name, opts, ctx.signal);
    const node = await d.readNode();
    const cordoned = Boolean(node['spec']?.unschedulable);

    if (state === 'cordon') {
      if (cordoned) return { changed: false, result: `node ${a.name} already marked unschedulable.` };
      await d.setUnschedulable(true);
      return { changed: true, result: `node ${a.name} marked unschedulable.` };
    }
    if (state === 'uncordon') {
      if (!cordoned) return { changed: false, result: `node ${a.name} already marked schedulable.` };
      await d.setUnschedulable(false);
      return { changed: true, result: `node ${a.name} marked schedulable.` };
    }

    // drain
    const lines: string[] = [];
    let changed = false;
    if (!cordoned) {
      await d.setUnschedulable(true);
      lines.push(`node ${a.name} marked unschedulable.`);
      changed = true;
    } else lines.push(`node ${a.name} already marked unschedulable.`);
    const revert = async () => {
      if (changed) await d.setUnschedulable(false);
    };

    let filtered: PodFilterResult;
    try {
      const pods = await d.listPodsOnNode(a.pod_selectors);
      filtered = filterPods(pods, { force: opts.force, ignoreDaemonsets: opts.ignore_daemonsets, deleteEmptydirData: opts.delete_emptydir_data });
    } catch (e) {
      await revert();
      throw new PhiloteError('kube', `Failed to list pod from node ${a.name} due to: ${(e as Error).message}`, { cause: e });
    }
    if (filtered.errors.length) {
      await revert();
      return { failed: true, changed: false, msg: `Pod deletion errors: ${filtered.errors.join(' ')}` };
    }
    const warnings = [...filtered.warnings];
    const evicted: string[] = [];
    if (filtered.toDelete.length) {
      const deadline = Date.now() + (opts.wait_timeout ?? 120) * 1000;
      for (const p of filtered.toDelete) {
        try {
          await d.evict(p, deadline);
        } catch (e) {
          return { failed: true, changed: changed || evicted.length > 0, msg: (e as Error).message, pods: evicted };
        }
        evicted.push(`${p.namespace}/${p.name}`);
        changed = true;
      }
      if (!(await d.waitForDeletion(filtered.toDelete, deadline))) warnings.push('timeout reached while pods were still running.');
      lines.push(`${filtered.toDelete.length} Pod(s) deleted from node.`);
    }
    for (const w of warnings) ctx.warn(w);
    return { changed, result: lines.join(' '), pods: evicted };
  },
};
