/**
 * k8s (kubernetes.core.k8s): create, update, patch, apply or delete Kubernetes objects.
 *
 * Arguments (kubernetes.core 2.4):
 *   state            present (default) | absent | patched (patch only when it exists, never create)
 *   definition       dict, list of dicts/YAML strings, or a multi-document YAML string
 *                    (aliases resource_definition, inline). `*List` kinds are flattened.
 *   src              a YAML file on the controller (found like Ansible: role files/, playbook files/ ...)
 *   template         a Jinja2 template of YAML: "path.j2", {path: ...} or a list of those
 *   api_version (api, version; default v1), kind, name, namespace, generate_name
 *                    fill in what the definition leaves out
 *   apply            server-side apply (PATCH application/apply-patch+yaml). With
 *                    server_side_apply {field_manager, force_conflicts} those are used; without it
 *                    philote applies as field manager "philote" with force (overwrite, like a
 *                    client-side kubectl apply; no last-applied-configuration annotation is kept)
 *   merge_type       list of strategic-merge (alias strategic) | merge | json; the patch types
 *                    tried in order for an update (default strategic-merge then merge)
 *   force            replace (PUT) instead of patching an existing object
 *   label_selectors  list of "k=v" etc.: with state absent and no name, deletes every match;
 *                    with state present, skips definitions whose labels do not match
 *   delete_options   {propagationPolicy, gracePeriodSeconds, preconditions}
 *   wait, wait_condition {type, status, reason}, wait_timeout (120), wait_sleep (5)
 *   continue_on_error  with several definitions, record an error in that item and go on
 *   kubeconfig, context, host, api_key, validate_certs, ca_cert ... (see client/auth.ts)
 * Check mode: every write goes with dryRun=All, so the API server validates and answers what
 * it would do, and nothing changes. Diff mode: result.diff {before, after} for updates (the
 * parts that differ, as sorted JSON text, the way Ansible's callback prints them).
 *
 * Returns, for one definition: changed, method (create|update|replace|apply|delete),
 * result (the object as the API returned it), duration (when waited), diff, warnings.
 * For several: changed, result.results (a list of those).
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { PhiloteError } from '../../errors.js';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../types.js';
import { type ApiResource, KubeApiError, type KubeClient, type KubeObject } from './client/client.js';
import { authFields, bool, clientFor, int, strList, waitFields } from './client/common.js';
import { buildDefinitions, fromDefinition, parseYamlDocuments } from './client/definitions.js';
import { diffObjects, diffText } from './client/diff.js';
import { definitionMatches } from './client/selectors.js';
import { exists, pollUntil, predicateFor, type WaitCondition } from './client/wait.js';

const templateSpec = z.union([z.string(), z.object({ path: z.string() }).passthrough()]);

const schema = z
  .object({
    ...authFields,
    ...waitFields,
    state: z.enum(['present', 'absent', 'patched']).optional(),
    definition: z.unknown().optional(),
    resource_definition: z.unknown().optional(),
    inline: z.unknown().optional(),
    src: z.string().optional(),
    template: z.union([templateSpec, z.array(templateSpec)]).nullish(),
    kind: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    api_version: z.string().optional(),
    api: z.string().optional(),
    version: z.string().optional(),
    generate_name: z.string().optional(),
    apply: bool.optional(),
    server_side_apply: z.object({ field_manager: z.string(), force_conflicts: bool.optional() }).nullish(),
    merge_type: z.union([z.array(z.enum(['json', 'merge', 'strategic-merge', 'strategic'])), z.enum(['json', 'merge', 'strategic-merge', 'strategic'])]).optional(),
    force: bool.optional(),
    label_selectors: strList.optional(),
    delete_options: z
      .object({
        propagationPolicy: z.enum(['Foreground', 'Background', 'Orphan']).optional(),
        gracePeriodSeconds: int.optional(),
        preconditions: z.object({ resourceVersion: z.string().optional(), uid: z.string().optional() }).optional(),
      })
      .nullish(),
    continue_on_error: bool.optional(),
    append_hash: bool.optional(),
    validate: z.record(z.string(), z.unknown()).nullish(),
  })
  .strict();

export type K8sArgs = z.infer<typeof schema>;

const CONTENT_TYPES: Record<string, string> = {
  'strategic-merge': 'application/strategic-merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
};

interface Plan {
  state: 'present' | 'absent' | 'patched';
  check: boolean;
  args: K8sArgs;
}

type ItemResult = ModuleResult & { changed: boolean; result: unknown };

/** Read the definitions of a task: definition, src or template (rendered with the task's vars). */
function loadDocuments(ctx: ModuleContext<K8sArgs>): KubeObject[] | undefined {
  const a = ctx.args;
  const def = a.definition ?? a.resource_definition ?? a.inline;
  try {
    if (def !== undefined && def !== null && def !== '') return fromDefinition(def);
    if (a.src) {
      if (/^(https?|ftp):\/\//.test(a.src)) throw new PhiloteError('module-args', `src=${a.src}: fetching definitions over the network is not supported; download it first`);
      const path = ctx.findFile('files', a.src) ?? a.src;
      return parseYamlDocuments(readText(path, 'src'), path);
    }
    if (a.template !== undefined && a.template !== null) {
      const specs = Array.isArray(a.template) ? a.template : [a.template];
      const docs: KubeObject[] = [];
      for (const t of specs) {
        const name = typeof t === 'string' ? t : t.path;
        const path = ctx.findFile('templates', name);
        if (!path) throw new PhiloteError('module-args', `could not find template=${name}`);
        const text = ctx.templar.renderText(readText(path, 'template'), { vars: ctx.vars, searchPaths: [dirname(path)] });
        docs.push(...parseYamlDocuments(text, path));
      }
      return docs;
    }
  } catch (e) {
    if (e instanceof PhiloteError) throw e;
    throw new PhiloteError('module-args', `Failed to load resource definition: ${(e as Error).message}`, { cause: e });
  }
  return undefined;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new PhiloteError('module-args', `could not read ${what}=${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The object a definition names, or the list its label selectors match; undefined when absent. */
async function retrieve(client: KubeClient, res: ApiResource, def: KubeObject, labelSelectors?: string[]): Promise<KubeObject | undefined> {
  const name = def.metadata?.name;
  const namespace = def.metadata?.namespace;
  if (name) return client.get(res, name, namespace);
  if (labelSelectors?.length) return client.list(res, { namespace, labelSelector: labelSelectors.join(',') });
  return undefined;
}

async function deleteOne(client: KubeClient, res: ApiResource, obj: KubeObject, plan: Plan): Promise<KubeObject> {
  const body = plan.args.delete_options ? { ...plan.args.delete_options } : undefined;
  try {
    return await client.delete(res, obj.metadata!.name!, obj.metadata?.namespace, { dryRun: plan.check, ...(body ? { body } : {}) });
  } catch (e) {
    if (e instanceof KubeApiError && e.status === 404) return {};
    throw e;
  }
}

/** Update an existing object with the merge types in order (default strategic merge, then merge). */
async function update(client: KubeClient, res: ApiResource, def: KubeObject, plan: Plan): Promise<KubeObject> {
  const types = plan.args.merge_type === undefined ? ['strategic-merge', 'merge'] : Array.isArray(plan.args.merge_type) ? plan.args.merge_type : [plan.args.merge_type];
  let last: unknown;
  for (const t of types) {
    try {
      return await client.patch(res, def.metadata!.name!, def.metadata?.namespace, def, CONTENT_TYPES[t]!, { dryRun: plan.check });
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

async function apply(client: KubeClient, res: ApiResource, def: KubeObject, plan: Plan): Promise<KubeObject> {
  const ssa = plan.args.server_side_apply;
  const name = def.metadata?.name;
  if (!name) throw new PhiloteError('module-args', 'apply needs metadata.name in the definition');
  return client.patch(res, name, def.metadata?.namespace, def, 'application/apply-patch+yaml', {
    dryRun: plan.check,
    fieldManager: ssa?.field_manager ?? 'philote',
    force: ssa ? Boolean(ssa.force_conflicts) : true,
  });
}

async function wait(client: KubeClient, res: ApiResource, def: KubeObject, plan: Plan, signal: AbortSignal): Promise<[boolean, KubeObject | undefined, number]> {
  const a = plan.args;
  const name = def.metadata?.name;
  const namespace = def.metadata?.namespace;
  const state = plan.state === 'absent' ? 'absent' : 'present';
  const pred = predicateFor(res.kind, state, (a.wait_condition ?? undefined) as WaitCondition | undefined);
  const get = () => (name ? client.get(res, name, namespace) : client.list(res, { namespace, labelSelector: a.label_selectors?.join(',') }));
  return pollUntil<KubeObject | undefined>(get, pred, a.wait_timeout ?? 120, a.wait_sleep ?? 5, signal);
}

/** One definition, as kubernetes.core's perform_action. */
async function performAction(client: KubeClient, def: KubeObject, plan: Plan, ctx: ModuleContext<K8sArgs>): Promise<ItemResult> {
  const a = plan.args;
  const kind = def.kind;
  const originName = def.metadata?.name;
  if (!kind) throw new PhiloteError('module-args', 'Error: kind is required (in the definition or as the kind argument)');
  const res = await client.requireResource(kind, def.apiVersion ?? undefined);
  def.kind = res.kind;
  def.apiVersion = res.groupVersion;
  if (res.namespaced && !def.metadata!.namespace && (originName || plan.state !== 'absent')) def.metadata!.namespace = 'default';
  if (!res.namespaced && def.metadata?.namespace) delete def.metadata.namespace;

  const result: ItemResult = { changed: false, result: {} };
  const warnings: string[] = [];
  let existing: KubeObject | undefined;
  try {
    existing = await retrieve(client, res, def, a.label_selectors);
  } catch (e) {
    throw new PhiloteError('kube', `Failed to retrieve requested object: ${(e as Error).message}`, { cause: e });
  }
  let instance: unknown = {};
  let method: string;

  if (plan.state === 'absent') {
    method = 'delete';
    if (exists(existing)) {
      if (existing!.kind?.endsWith('List')) {
        const out: KubeObject[] = [];
        for (const item of existing!['items'] as KubeObject[]) out.push(await deleteOne(client, res, item, plan));
        instance = out;
      } else instance = await deleteOne(client, res, existing!, plan);
      result.changed = true;
    }
  } else {
    if (a.label_selectors?.length && !definitionMatches(a.label_selectors, def)) {
      return {
        changed: false,
        result: {},
        msg: `resource 'kind=${kind},name=${originName},namespace=${def.metadata?.namespace}' filtered by label_selectors.`,
      };
    }
    if (a.apply) {
      method = 'apply';
      instance = await wrap('apply', () => apply(client, res, def, plan));
    } else if (!existing) {
      if (plan.state === 'patched') {
        warnings.push(`resource 'kind=${kind},name=${originName}' was not found but will not be created as 'state' parameter has been set to 'patched'`);
        return { changed: false, result: {}, warnings };
      }
      method = 'create';
      instance = await wrap('create', () => client.create(res, def, { dryRun: plan.check }));
      result.changed = true;
    } else if (a.force) {
      method = 'replace';
      instance = await wrap('replace', () => client.replace(res, def, { dryRun: plan.check }));
    } else {
      method = 'update';
      instance = await wrap('patch', () => update(client, res, def, plan));
    }
  }
  result.method = method;

  let success = true;
  if (a.wait && !plan.check) {
    const target = method === 'delete' ? def : ((instance as KubeObject).metadata ? (instance as KubeObject) : def);
    const [ok, obj, duration] = await wait(client, res, target, plan, ctx.signal);
    success = ok;
    result.duration = duration;
    if (method !== 'delete' && obj) instance = obj;
  }

  if (method !== 'create' && method !== 'delete') {
    const [match, diff] = diffObjects(existing ?? {}, (instance ?? {}) as KubeObject);
    if (match && diff.before) warnings.push('No meaningful diff was generated, but the API may not be idempotent (only metadata.generation or metadata.resourceVersion were changed)');
    result.changed = !match;
    if (ctx.diffMode) result.diff = diff.before ? { before: diffText(diff.before), after: diffText(diff.after) } : {};
  }
  result.result = instance;
  if (warnings.length) result['warnings'] = warnings;
  if (!success) {
    throw Object.assign(new PhiloteError('kube', `"${res.kind}" "${originName}": Timed out waiting on resource`), { result });
  }
  return result;
}

async function wrap<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof KubeApiError) throw new KubeApiError(`Failed to ${what} object: ${e.message}`, e.status, e.reason, e.body);
    throw e;
  }
}

export const k8sModule: ModuleDefinition<K8sArgs> = {
  name: 'k8s',
  aliases: ['kubernetes.core.k8s', 'community.kubernetes.k8s', 'k8s_raw', 'kubernetes.core.k8s_raw'],
  runsOn: 'controller',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const state = a.state ?? 'present';
    const docs = loadDocuments(ctx);
    const defs = buildDefinitions(docs, {
      kind: a.kind,
      api_version: a.api_version ?? a.api ?? a.version ?? 'v1',
      name: a.name,
      namespace: a.namespace,
      generate_name: a.generate_name,
    });
    if (a.append_hash) ctx.warn('k8s: append_hash is not supported by philote and was ignored');
    if (a.validate) ctx.warn('k8s: validate needs kubernetes-validate (a Python library) and was ignored');
    const client = clientFor(ctx);
    const plan: Plan = { state, check: ctx.checkMode, args: a };
    const results: ItemResult[] = [];
    let changed = false;
    for (const def of defs) {
      let r: ItemResult;
      try {
        r = await performAction(client, def, plan, ctx);
      } catch (e) {
        const partial = ((e as { result?: ItemResult }).result ?? {}) as Record<string, unknown>;
        const error: Record<string, unknown> = { ...partial, msg: (e as Error).message };
        if (e instanceof KubeApiError) {
          error['reason'] = e.reason;
          error['status'] = e.status;
        }
        if (!a.continue_on_error) {
          if (!(e instanceof KubeApiError) && !(e as { result?: unknown }).result) throw e;
          return { ...error, failed: true, changed: Boolean(partial['changed']) } as ModuleResult;
        }
        r = { changed: false, result: {}, error };
      }
      changed ||= r.changed;
      results.push(r);
    }
    if (results.length === 1) return results[0]!;
    return { changed, result: { results } };
  },
};
