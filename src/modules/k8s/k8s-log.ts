/**
 * k8s_log (kubernetes.core.k8s_log): read a pod's log.
 *
 * Arguments (kubernetes.core 2.4):
 *   name or label_selectors (not both); kind (default Pod): for another kind (Deployment,
 *   DaemonSet...) its spec.selector picks the pod, as `kubectl logs deploy/x` does
 *   namespace, api_version (default v1), container, since_seconds, tail_lines, previous,
 *   all_containers; kubeconfig, context ... (see client/auth.ts)
 * With a label selector the first matching pod is read (as kubectl).
 * Returns: log (text), log_lines (list), changed false.
 */
import { z } from 'zod';
import { PhiloteError } from '../../errors.js';
import type { ModuleDefinition } from '../types.js';
import { KubeApiError, type KubeObject } from './client/client.js';
import { authFields, bool, clientFor, int, strList } from './client/common.js';

const schema = z
  .object({
    ...authFields,
    name: z.string().optional(),
    namespace: z.string().optional(),
    kind: z.string().optional(),
    api_version: z.string().optional(),
    label_selectors: strList.optional(),
    container: z.string().optional(),
    since_seconds: z.coerce.string().optional(),
    tail_lines: int.optional(),
    previous: bool.optional(),
    all_containers: bool.optional(),
  })
  .strict();

type Args = z.infer<typeof schema>;

/** The label selector of a workload (matchLabels and matchExpressions), as "k=v,k in (a,b)". */
export function selectorOf(obj: KubeObject): string[] {
  const sel = obj['spec']?.selector as { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | Record<string, string> | undefined;
  if (!sel) return [];
  if (!('matchLabels' in sel) && !('matchExpressions' in sel)) return Object.entries(sel as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  const s = sel as { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
  const out = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    if (e.operator === 'In') out.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') out.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') out.push(e.key);
    else if (e.operator === 'DoesNotExist') out.push(`!${e.key}`);
  }
  return out;
}

export const k8sLogModule: ModuleDefinition<Args> = {
  name: 'k8s_log',
  aliases: ['kubernetes.core.k8s_log', 'community.kubernetes.k8s_log'],
  runsOn: 'controller',
  schema,
  async run(ctx) {
    const a = ctx.args;
    let name = a.name;
    const namespace = a.namespace ?? 'default';
    let selector = (a.label_selectors ?? []).join(',');
    if (name && selector) throw new PhiloteError('module-args', 'Only one of name or label_selectors can be provided');
    const client = clientFor(ctx);
    const kind = a.kind ?? 'Pod';
    const pods = await client.requireResource('Pod', 'v1');
    if (kind !== 'Pod') {
      if (!name) throw new PhiloteError('module-args', 'name must be provided for resources that do not support the log subresource');
      const res = await client.requireResource(kind, a.api_version ?? 'v1');
      const inst = await client.get(res, name, namespace);
      if (!inst) throw new PhiloteError('kube', `${kind} ${namespace}/${name} not found.`);
      selector = selectorOf(inst).join(',');
      name = undefined;
    }
    if (selector) {
      const list = await client.list(pods, { namespace, labelSelector: selector });
      if (!list.items.length) throw new PhiloteError('kube', `No pods in namespace ${namespace} matched selector ${selector}`);
      name = list.items[0]!.metadata!.name!;
    }
    if (!name) throw new PhiloteError('module-args', 'name or label_selectors is required');
    let containers: Array<string | undefined> = [a.container];
    if (a.all_containers) {
      const pod = await client.get(pods, name, namespace);
      containers = ((pod?.['spec']?.containers ?? []) as Array<{ name: string }>).map((c) => c.name);
    }
    let log = '';
    for (const container of containers) {
      try {
        log += await client.request<string>('GET', client.path(pods, namespace, name, 'log'), { verb: 'get', resource: 'pods/log', name, namespace }, {
          text: true,
          query: { container, sinceSeconds: a.since_seconds, previous: a.previous ? 'true' : undefined, tailLines: a.tail_lines },
        });
      } catch (e) {
        if (e instanceof KubeApiError && e.status === 404) throw new PhiloteError('kube', `Pod ${namespace}/${name} not found.`);
        if (e instanceof KubeApiError) throw new PhiloteError('kube', `Unable to retrieve log from Pod due to: ${(e.body as { message?: string })?.message ?? e.message}`);
        throw e;
      }
    }
    return { changed: false, log, log_lines: log.split('\n').filter((l, i, all) => !(i === all.length - 1 && l === '')) };
  },
};
