/**
 * k8s_json_patch (kubernetes.core.k8s_json_patch): apply an RFC 6902 JSON patch to one object.
 *
 * Arguments: kind, name (required), namespace, api_version (default v1),
 *   patch (required): list of {op, path, value/from}; wait, wait_condition, wait_timeout, wait_sleep;
 *   kubeconfig, context ... (see client/auth.ts)
 * Returns: changed (the object differs after the patch), result, duration (with wait), diff.
 * Check mode: the patch is sent with dryRun=All.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { KubeApiError } from './client/client.js';
import { authFields, clientFor, waitFields } from './client/common.js';
import { diffObjects, diffText } from './client/diff.js';
import { pollUntil, predicateFor, type WaitCondition } from './client/wait.js';

const schema = z
  .object({
    ...authFields,
    ...waitFields,
    kind: z.string(),
    name: z.string(),
    namespace: z.string().optional(),
    api_version: z.string().optional(),
    patch: z.array(z.object({ op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']), path: z.string() }).passthrough()),
  })
  .strict();

type Args = z.infer<typeof schema>;

export const k8sJsonPatchModule: ModuleDefinition<Args> = {
  name: 'k8s_json_patch',
  aliases: ['kubernetes.core.k8s_json_patch'],
  runsOn: 'controller',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const client = clientFor(ctx);
    const res = await client.requireResource(a.kind, a.api_version ?? 'v1');
    const ns = res.namespaced ? (a.namespace ?? 'default') : undefined;
    const existing = await client.get(res, a.name, ns);
    if (!existing) {
      return { failed: true, changed: false, msg: `${a.kind} ${a.name}: Failed to retrieve requested object: not found`, error: 404, status: 404, reason: 'Not Found' };
    }
    let obj;
    try {
      obj = await client.patch(res, a.name, ns, a.patch, 'application/json-patch+json', { dryRun: ctx.checkMode });
    } catch (e) {
      if (e instanceof KubeApiError) return { failed: true, changed: false, msg: `Failed to patch existing object: ${e.message}`, error: e.status, status: e.status, reason: e.reason };
      throw e;
    }
    const result: Record<string, unknown> = { result: obj };
    let ok = true;
    if (a.wait && !ctx.checkMode) {
      const [success, last, duration] = await pollUntil(() => client.get(res, a.name, ns), predicateFor(res.kind, 'present', (a.wait_condition ?? undefined) as WaitCondition | undefined), a.wait_timeout ?? 120, a.wait_sleep ?? 5, ctx.signal);
      ok = success;
      result['result'] = last;
      result['duration'] = duration;
    }
    const [match, diff] = diffObjects(existing, obj);
    if (ctx.diffMode) result['diff'] = diff.before ? { before: diffText(diff.before), after: diffText(diff.after) } : {};
    if (!ok) return { failed: true, changed: !match, msg: 'Resource update timed out', ...result };
    return { changed: !match, ...result };
  },
};
