/**
 * k8s_info (kubernetes.core.k8s_info): read objects.
 *
 * Arguments (kubernetes.core 2.4):
 *   kind (required), api_version (api, version; default v1), name, namespace
 *   label_selectors  list of "k=v", "k!=v", "k in (a,b)", "k", "!k"
 *   field_selectors  list such as "spec.nodeName=node1", "metadata.name=x", "status.phase=Running"
 *   wait, wait_condition {type, status, reason}, wait_timeout (120), wait_sleep (5):
 *                    wait until something matches, then until each match is ready/meets the condition
 *   hidden_fields    dotted paths removed from each resource (e.g. metadata.managedFields)
 *   kubeconfig, context, host, api_key ... (see client/auth.ts)
 * Returns: resources (list of objects, each with apiVersion and kind), api_found (false with a
 * msg when no API serves that kind; not a failure, as in kubernetes.core). Never changes anything.
 */
import { z } from 'zod';
import { PhiloteError } from '../../errors.js';
import type { ModuleDefinition } from '../types.js';
import { KubeApiError, type KubeObject } from './client/client.js';
import { authFields, clientFor, strList, waitFields } from './client/common.js';
import { exists, pollUntil, predicateFor, type WaitCondition } from './client/wait.js';

const schema = z
  .object({
    ...authFields,
    ...waitFields,
    kind: z.string(),
    api_version: z.string().optional(),
    api: z.string().optional(),
    version: z.string().optional(),
    name: z.string().nullish(),
    namespace: z.string().nullish(),
    label_selectors: strList.optional(),
    field_selectors: strList.optional(),
    hidden_fields: strList.optional(),
  })
  .strict();

type Args = z.infer<typeof schema>;

/** Remove dotted paths ("metadata.managedFields", "spec.containers[0].env") from a copy. */
export function hideFields(obj: KubeObject, paths: string[]): KubeObject {
  const copy = structuredClone(obj);
  for (const p of paths) {
    const parts = p.split(/\.|\[(\d+)\]/).filter((x) => x !== undefined && x !== '');
    let cur: any = copy;
    for (let i = 0; i < parts.length - 1 && cur; i++) cur = cur[parts[i]!];
    if (cur && typeof cur === 'object') {
      const last = parts[parts.length - 1]!;
      if (Array.isArray(cur)) cur.splice(Number(last), 1);
      else delete cur[last];
    }
  }
  return copy;
}

export const k8sInfoModule: ModuleDefinition<Args> = {
  name: 'k8s_info',
  aliases: ['kubernetes.core.k8s_info', 'community.kubernetes.k8s_info', 'k8s_facts', 'kubernetes.core.k8s_facts'],
  runsOn: 'controller',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const apiVersion = a.api_version ?? a.api ?? a.version ?? 'v1';
    const client = clientFor(ctx);
    const res = await client.findResource(a.kind, apiVersion);
    if (!res) {
      return { changed: false, resources: [], api_found: false, msg: `Failed to find API for resource with apiVersion "${apiVersion}" and kind "${a.kind}"` };
    }
    const name = a.name ?? undefined;
    const namespace = res.namespaced ? (a.namespace ?? undefined) : undefined;
    const labelSelector = a.label_selectors?.join(',');
    const fieldSelector = a.field_selectors?.join(',');
    const timeout = a.wait ? (a.wait_timeout ?? 120) : 0;
    const sleepS = a.wait_sleep ?? 5;
    const get = async (): Promise<KubeObject | undefined> => {
      try {
        // As kubernetes.core: a name means one GET (the API server ignores selectors there).
        if (name) return await client.get(res, name, namespace);
        return await client.list(res, { namespace, labelSelector, fieldSelector });
      } catch (e) {
        // kubernetes.core returns no resources on a 400 (a bad selector)
        if (e instanceof KubeApiError && e.status === 400) return undefined;
        throw e;
      }
    };
    let found: KubeObject | undefined;
    try {
      [, found] = await pollUntil(get, exists, timeout, sleepS, ctx.signal);
    } catch (e) {
      if (e instanceof PhiloteError) throw e;
      throw new PhiloteError('kube', `Exception '${(e as Error).message}' raised while trying to get resource using (name=${name}, namespace=${namespace}, label_selectors=${JSON.stringify(a.label_selectors ?? [])}, field_selectors=${JSON.stringify(a.field_selectors ?? [])})`);
    }
    const instances: KubeObject[] = !found ? [] : found.kind?.endsWith('List') && Array.isArray(found['items']) ? (found['items'] as KubeObject[]) : [found];
    let resources = instances;
    if (a.wait && instances.length) {
      const pred = predicateFor(res.kind, 'present', (a.wait_condition ?? undefined) as WaitCondition | undefined);
      resources = [];
      for (const inst of instances) {
        const n = inst.metadata!.name!;
        const ns = inst.metadata?.namespace;
        const [ok, obj, duration] = await pollUntil(() => client.get(res, n, ns), pred, timeout, sleepS, ctx.signal);
        if (!ok) throw new PhiloteError('kube', `Failed to gather information about ${obj?.kind ?? res.kind}(s) even after waiting for ${duration} seconds`);
        resources.push({ apiVersion: res.groupVersion, kind: res.kind, ...obj! });
      }
    }
    if (a.hidden_fields?.length) resources = resources.map((r) => hideFields(r, a.hidden_fields!));
    return { changed: false, resources, api_found: true };
  },
};
