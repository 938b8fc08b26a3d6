/**
 * k8s_scale (kubernetes.core.k8s_scale): set the replicas of Deployments, ReplicaSets,
 * StatefulSets (the scale subresource) or the parallelism of a Job.
 *
 * Arguments (kubernetes.core 2.4):
 *   replicas (required); current_replicas / resource_version: only scale when they match
 *   kind, name, namespace, api_version (default v1), or definition/src naming the object
 *   label_selectors  scale every match (result.results then holds one entry per object)
 *   wait (default true), wait_timeout (default 20), wait_sleep (5): until the object is ready
 *   continue_on_error (with several objects)
 *   kubeconfig, context ... (see client/auth.ts)
 * Returns: changed, result (the object after scaling), duration (with wait), diff (diff mode);
 * warning when current_replicas/resource_version do not match (nothing scaled).
 * Check mode: nothing is written; result shows the object with the new replicas.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PhiloteError } from '../../errors.js';
import type { ModuleDefinition, ModuleResult } from '../types.js';
import type { KubeObject } from './client/client.js';
import { authFields, bool, clientFor, int, strList } from './client/common.js';
import { buildDefinitions, fromDefinition, parseYamlDocuments } from './client/definitions.js';
import { diffObjects, diffText } from './client/diff.js';
import { pollUntil, predicateFor } from './client/wait.js';

const schema = z
  .object({
    ...authFields,
    replicas: int,
    current_replicas: int.optional(),
    resource_version: z.string().optional(),
    wait: bool.optional(),
    wait_timeout: int.optional(),
    wait_sleep: int.optional(),
    kind: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    api_version: z.string().optional(),
    definition: z.unknown().optional(),
    resource_definition: z.unknown().optional(),
    src: z.string().optional(),
    label_selectors: strList.optional(),
    continue_on_error: bool.optional(),
  })
  .strict();

type Args = z.infer<typeof schema>;

export const k8sScaleModule: ModuleDefinition<Args> = {
  name: 'k8s_scale',
  aliases: ['kubernetes.core.k8s_scale', 'community.kubernetes.k8s_scale'],
  runsOn: 'controller',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const def = a.definition ?? a.resource_definition;
    const docs = def ? fromDefinition(def) : a.src ? parseYamlDocuments(readFileSync(ctx.findFile('files', a.src) ?? a.src, 'utf8')) : undefined;
    const [d] = buildDefinitions(docs, { kind: a.kind, api_version: a.api_version ?? 'v1', name: a.name, namespace: a.namespace });
    if (!d?.kind) throw new PhiloteError('module-args', 'k8s_scale: kind is required');
    const client = clientFor(ctx);
    const res = await client.requireResource(d.kind, d.apiVersion);
    const name = d.metadata?.name;
    const namespace = res.namespaced ? (d.metadata?.namespace ?? 'default') : undefined;
    const wait = a.wait ?? true;
    let items: KubeObject[];
    if (name) {
      const o = await client.get(res, name, namespace);
      if (!o) throw new PhiloteError('kube', `Failed to retrieve requested object: ${res.kind} ${namespace ? `${namespace}/` : ''}${name} not found`);
      items = [o];
    } else items = (await client.list(res, { namespace, labelSelector: a.label_selectors?.join(',') })).items;
    const multiple = items.length > 1;
    const results: ModuleResult[] = [];
    const errors: Array<{ error: string; failed: true }> = [];
    let changed = false;
    for (const existing of items) {
      const md = existing.metadata ?? {};
      const isJob = res.kind.toLowerCase() === 'job';
      const count = isJob ? existing['spec']?.parallelism : existing['spec']?.replicas;
      const where = `kind=${existing.kind ?? res.kind} name=${md.name} namespace=${md.namespace}`;
      if (count === undefined || count === null) {
        const error = `Failed to retrieve the available count for object ${where}.`;
        if (multiple && a.continue_on_error) {
          errors.push({ error, failed: true });
          continue;
        }
        return { failed: true, changed, msg: error };
      }
      let warn: string | undefined;
      if (a.resource_version && a.resource_version !== md['resourceVersion']) warn = `expected resource version ${a.resource_version} does not match with actual ${md['resourceVersion']} for object ${where}.`;
      else if (a.current_replicas !== undefined && a.current_replicas !== count) warn = `current replicas ${a.current_replicas} does not match with actual ${count} for object ${where}.`;
      if (warn) {
        if (!multiple) return { changed: false, result: {}, warning: warn };
        results.push({ warning: warn, changed: false });
        continue;
      }
      const r: ModuleResult = {};
      if (count === a.replicas) {
        r.changed = false;
        r['result'] = existing;
        if (wait) r['duration'] = 0;
      } else {
        let obj: KubeObject;
        const field = isJob ? 'parallelism' : 'replicas';
        if (ctx.checkMode) obj = { ...structuredClone(existing), spec: { ...existing['spec'], [field]: a.replicas } };
        else {
          if (isJob) await client.patch(res, md.name!, md.namespace, { spec: { parallelism: a.replicas } }, 'application/merge-patch+json');
          else {
            try {
              await client.patch(res, md.name!, md.namespace, { spec: { replicas: a.replicas } }, 'application/merge-patch+json', { sub: 'scale' });
            } catch (e) {
              throw new PhiloteError('kube', `Scale request failed: ${(e as Error).message}`, { cause: e });
            }
          }
          obj = (await client.get(res, md.name!, md.namespace)) ?? {};
          if (wait && !isJob) {
            const [ok, last, duration] = await pollUntil(() => client.get(res, md.name!, md.namespace), predicateFor(res.kind, 'present'), a.wait_timeout ?? 20, a.wait_sleep ?? 5, ctx.signal);
            obj = last ?? obj;
            r['duration'] = duration;
            if (!ok) return { failed: true, changed: true, msg: 'Resource scaling timed out', result: obj, duration };
          }
        }
        const [match, diff] = diffObjects(existing, obj);
        r.changed = !match;
        r['result'] = obj;
        if (ctx.diffMode) r.diff = diff.before ? { before: diffText(diff.before), after: diffText(diff.after) } : {};
      }
      changed ||= Boolean(r.changed);
      if (!multiple) return r;
      results.push(r);
    }
    return { changed, results, ...(errors.length ? { errors } : {}) };
  },
};
