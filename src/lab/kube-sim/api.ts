/**
 * The API server's write path, shared by HTTP handlers and the controllers: identity and
 * bookkeeping (uid, creationTimestamp, generation, resourceVersion, managedFields), optimistic
 * concurrency, the status subresource split, defaulting, validation, dry-run, finalizers and
 * deletion propagation. Controllers write through here so watches see every change.
 */
import { randomUUID } from 'node:crypto';
import { alreadyExists, ApiError, badRequest, conflict, notFound } from './errors.js';
import { applyDefaults } from './defaults.js';
import { allocateServiceFields } from './services.js';
import { recordUpdate, serverSideApply } from './patch/apply.js';
import { jsonPatch } from './patch/json.js';
import { mergePatch } from './patch/merge.js';
import { strategicMerge } from './patch/strategic.js';
import type { Registry } from './resources.js';
import { clone, type Store } from './store.js';
import { gvOf, type Json, type KObject, type ResourceType } from './types.js';
import { validate } from './validate.js';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  subresource?: 'status' | 'scale';
  /** Controllers skip validation of their own writes and never conflict. */
  system?: boolean;
}
export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}
export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
/**
 * JSON with every mapping's keys sorted: a real server compares decoded objects, so a write that
 * differs only in key order (a client that sorts keys, as to_nice_yaml does) changes nothing.
 */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
const specOf = (o: KObject): string => {
  const { apiVersion: _a, kind: _k, metadata: _m, status: _s, ...rest } = o;
  return canonical(rest);
};

export class Api {
  /** Deterministic uids when seeded, so two simulators started alike answer alike. */
  private uidCounter = 0;
  constructor(
    readonly store: Store,
    readonly registry: Registry,
    private readonly uidSeed?: string,
  ) {}

  private uid(): string {
    if (this.uidSeed === undefined) return randomUUID();
    const n = (++this.uidCounter).toString(16).padStart(12, '0');
    const s = Buffer.from(this.uidSeed).toString('hex').padEnd(8, '0').slice(0, 8);
    return `${s}-0000-4000-8000-${n}`;
  }

  get(rt: ResourceType, ns: string | undefined, name: string): KObject {
    const o = this.store.get(rt, ns, name);
    if (!o) throw notFound(rt, name);
    return this.present(rt, o);
  }

  /** Objects are stored version-agnostic; answer with the requested version (no conversion). */
  present(rt: ResourceType, o: KObject): KObject {
    o.apiVersion = gvOf(rt);
    o.kind = rt.kind;
    return o;
  }

  create(rt: ResourceType, ns: string | undefined, body: KObject, opts: WriteOptions = {}): KObject {
    const o = clone(body);
    o.apiVersion = gvOf(rt);
    o.kind = rt.kind;
    o.metadata ??= {};
    if (rt.namespaced) {
      if (o.metadata.namespace && ns && o.metadata.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      o.metadata.namespace = ns ?? o.metadata.namespace ?? 'default';
      const nsType = this.registry.find('', 'v1', 'namespaces')!;
      const nsObj = this.store.get(nsType, undefined, o.metadata.namespace);
      if (!nsObj) throw notFound(nsType, o.metadata.namespace);
      if (nsObj.metadata.deletionTimestamp && !opts.system) {
        throw new ApiError(403, 'Forbidden', `${rt.plural} "${o.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${o.metadata.namespace} because it is being terminated`);
      }
    } else delete o.metadata.namespace;
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = o.metadata.generateName + Math.random().toString(36).slice(2, 7);
    if (!opts.system) validate(rt, o);
    if (this.store.get(rt, o.metadata.namespace, o.metadata.name!)) throw alreadyExists(rt, o.metadata.name!);
    delete o.metadata.resourceVersion;
    delete o.metadata.deletionTimestamp;
    o.metadata.uid = this.uid();
    o.metadata.creationTimestamp = now();
    o.metadata.generation = 1;
    applyDefaults(rt, o);
    if (rt.builtin && rt.kind === 'Service') allocateServiceFields(this.store, rt, o);
    if (rt.subresources?.includes('status') && rt.kind !== 'Pod' && rt.kind !== 'Namespace' && rt.kind !== 'Node' && !opts.system) delete o['status'];
    if (rt.kind === 'CustomResourceDefinition') establishCrd(o);
    if (!o.metadata.managedFields) o.metadata.managedFields = recordUpdate(undefined, o, opts.fieldManager ?? 'unknown', now());
    if (opts.dryRun) return this.present(rt, { ...o, metadata: { ...o.metadata, resourceVersion: String(this.store.resourceVersion) } });
    const stored = this.store.put(rt, o);
    if (rt.kind === 'CustomResourceDefinition') this.refreshCrds();
    return this.present(rt, stored);
  }

  /** PUT. Returns the stored object; a stale resourceVersion is a 409 Conflict. */
  update(rt: ResourceType, ns: string | undefined, name: string, body: KObject, opts: WriteOptions = {}): KObject {
    const cur = this.store.get(rt, ns, name);
    if (!cur) throw notFound(rt, name);
    if (body.metadata?.name && body.metadata.name !== name) throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    if (!opts.system && body.metadata?.resourceVersion && body.metadata.resourceVersion !== cur.metadata.resourceVersion) throw conflict(rt, name);
    return this.write(rt, cur, clone(body), opts);
  }

  private write(rt: ResourceType, cur: KObject, next: KObject, opts: WriteOptions): KObject {
    next.apiVersion = gvOf(rt);
    next.kind = rt.kind;
    next.metadata = { ...next.metadata };
    // Identity and server-owned metadata cannot change through a write.
    for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'namespace', 'name'] as const) {
      const meta = next.metadata as Record<string, unknown>;
      if (cur.metadata[k] !== undefined) meta[k] = cur.metadata[k];
      else delete meta[k];
    }
    const hasStatus = rt.subresources?.includes('status');
    if (opts.subresource === 'status') {
      // Writes to /status change only status (and, as a real server does, not spec or labels).
      next = { ...cur, status: next['status'], metadata: { ...cur.metadata } };
    } else if (opts.subresource === 'scale') {
      next = cur;
    } else if (hasStatus && !opts.system) {
      if (cur['status'] !== undefined) next['status'] = cur['status'];
      else delete next['status'];
    }
    if (!opts.system) validate(rt, next);
    next.metadata.generation = cur.metadata.generation ?? 1;
    if (opts.subresource !== 'status' && specOf(next) !== specOf(cur) && hasStatus) next.metadata.generation += 1;
    if (!hasStatus && !rt.builtin && specOf(next) !== specOf(cur)) next.metadata.generation += 1;
    if (rt.kind === 'CustomResourceDefinition') establishCrd(next);
    next.metadata.managedFields = recordUpdate(cur, next, opts.fieldManager ?? (opts.system ? 'k3s' : 'unknown'), now(), opts.subresource);
    const unchanged = canonical({ ...next, metadata: { ...next.metadata, resourceVersion: undefined, managedFields: undefined } }) ===
      canonical({ ...cur, metadata: { ...cur.metadata, resourceVersion: undefined, managedFields: undefined } });
    // A no-op write keeps the resourceVersion and sends no watch event, as on a real server.
    if (unchanged) return this.present(rt, cur);
    if (opts.dryRun) return this.present(rt, { ...next, metadata: { ...next.metadata, resourceVersion: cur.metadata.resourceVersion } });
    // Clearing the last finalizer of an object being deleted completes the deletion (a pod in
    // graceful termination waits for its kubelet instead: deletionGracePeriodSeconds > 0).
    if (next.metadata.deletionTimestamp && !(next.metadata.finalizers ?? []).length && !((next.metadata.deletionGracePeriodSeconds ?? 0) > 0)) {
      const gone = this.store.remove(rt, cur.metadata.namespace, cur.metadata.name!)!;
      this.afterDelete(rt, gone);
      return this.present(rt, next);
    }
    const stored = this.store.put(rt, next);
    if (rt.kind === 'CustomResourceDefinition') this.refreshCrds();
    return this.present(rt, stored);
  }

  patch(rt: ResourceType, ns: string | undefined, name: string, type: PatchType, body: Json, opts: WriteOptions & { force?: boolean } = {}): KObject {
    const cur = this.store.get(rt, ns, name);
    if (type === 'apply') {
      const applied = body as unknown as KObject;
      if (!applied || typeof applied !== 'object' || !applied.metadata) throw badRequest('error decoding YAML: the applied object has no metadata');
      if (applied.metadata.name && applied.metadata.name !== name) throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
      if (!opts.fieldManager) throw new ApiError(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
      const result = serverSideApply(cur ? this.present(rt, cur) : undefined, { ...applied, apiVersion: gvOf(rt), kind: rt.kind, metadata: { ...applied.metadata, name, ...(rt.namespaced ? { namespace: ns } : {}) } }, { manager: opts.fieldManager, force: !!opts.force, now: now() });
      if (!cur) return this.create(rt, ns, result, { ...opts, fieldManager: opts.fieldManager });
      const rv = applied.metadata.resourceVersion;
      if (rv && rv !== cur.metadata.resourceVersion) throw conflict(rt, name);
      const mf = result.metadata.managedFields;
      const out = this.write(rt, cur, result, { ...opts, fieldManager: '\u0000apply' });
      // write() recorded an Update by a placeholder manager; the Apply entries computed above are what count.
      // Entries that differ only by their timestamp are a no-op apply: a real server keeps the
      // object (and its resourceVersion) as it was.
      const untimed = (m: unknown) => JSON.stringify(m, (k, v: unknown) => (k === 'time' ? undefined : v));
      // The same holds for a dry run: its answer is the object unchanged, timestamps included.
      if (untimed(out.metadata.managedFields) === untimed(mf)) return out;
      if (opts.dryRun) return { ...out, metadata: { ...out.metadata, managedFields: mf } };
      const fixed = this.store.get(rt, ns, name)!;
      fixed.metadata.managedFields = mf;
      return this.present(rt, this.store.put(rt, fixed));
    }
    if (!cur) throw notFound(rt, name);
    const base = this.present(rt, cur);
    let target: Json = opts.subresource === 'scale' ? (scaleOf(base) as unknown as Json) : (base as unknown as Json);
    if (type === 'merge') target = mergePatch(target, body);
    else if (type === 'json') target = jsonPatch(target, body);
    else {
      if (!rt.builtin) throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
      target = strategicMerge(target, body);
    }
    const next = target as unknown as KObject;
    if (opts.subresource === 'scale') return this.setScale(rt, cur, next, opts);
    const rv = next.metadata?.resourceVersion;
    if (rv && rv !== cur.metadata.resourceVersion && !opts.system) throw conflict(rt, name);
    return this.write(rt, cur, next, opts);
  }

  setScale(rt: ResourceType, cur: KObject, scale: KObject, opts: WriteOptions): KObject {
    const replicas = (scale['spec'] as { replicas?: number } | undefined)?.replicas;
    if (typeof replicas !== 'number' || replicas < 0) throw badRequest('spec.replicas must be a non-negative integer');
    if (scale.metadata?.resourceVersion && scale.metadata.resourceVersion !== cur.metadata.resourceVersion) throw conflict(rt, cur.metadata.name!);
    const next = clone(cur);
    (next['spec'] as Record<string, unknown>)['replicas'] = replicas;
    return scaleOf(this.write(rt, cur, next, { ...opts, subresource: undefined }));
  }

  /** DELETE: returns the object as stored after the call (with deletionTimestamp when finalizers hold it). */
  delete(rt: ResourceType, ns: string | undefined, name: string, opts: DeleteOptions = {}): { object: KObject; pending: boolean } {
    const cur = this.store.get(rt, ns, name);
    if (!cur) throw notFound(rt, name);
    if (opts.preconditions?.uid && opts.preconditions.uid !== cur.metadata.uid) {
      throw new ApiError(409, 'Conflict', `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${cur.metadata.uid}`);
    }
    if (opts.preconditions?.resourceVersion && opts.preconditions.resourceVersion !== cur.metadata.resourceVersion) throw conflict(rt, name);
    const finalizers = [...(cur.metadata.finalizers ?? [])];
    const policy = opts.propagationPolicy ?? 'Background'; // the default for every kind since apps/v1
    if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion') && this.hasDependents(cur)) finalizers.push('foregroundDeletion');
    if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    // Namespaces are emptied by the namespace controller before they go.
    if (rt.kind === 'Namespace' && !finalizers.includes('kubernetes')) finalizers.push('kubernetes');
    const grace = rt.builtin && rt.kind === 'Pod' ? podGrace(cur, opts.gracePeriodSeconds) : 0;
    if (opts.dryRun) return { object: this.present(rt, cur), pending: finalizers.length > 0 || grace > 0 };
    if (cur.metadata.deletionTimestamp) {
      // Already terminating: only a shorter grace period (e.g. --force --grace-period=0) changes anything.
      const remaining = cur.metadata.deletionGracePeriodSeconds ?? 0;
      if (grace >= remaining) return { object: this.present(rt, cur), pending: true };
      if (grace === 0 && !finalizers.length) {
        const gone = this.store.remove(rt, ns, name)!;
        this.afterDelete(rt, gone);
        return { object: this.present(rt, gone), pending: false };
      }
      const next = clone(cur);
      next.metadata.deletionGracePeriodSeconds = grace;
      return { object: this.present(rt, this.store.put(rt, next)), pending: true };
    }
    if (finalizers.length || grace > 0) {
      const next = clone(cur);
      next.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      next.metadata.deletionGracePeriodSeconds = grace;
      if (finalizers.length) next.metadata.finalizers = finalizers;
      if (rt.kind === 'Namespace') (next['status'] as Record<string, unknown>) = { ...((next['status'] as object) ?? {}), phase: 'Terminating' };
      return { object: this.present(rt, this.store.put(rt, next)), pending: true };
    }
    const gone = this.store.remove(rt, ns, name)!;
    this.afterDelete(rt, gone);
    return { object: this.present(rt, gone), pending: false };
  }

  private afterDelete(rt: ResourceType, gone: KObject): void {
    if (rt.kind === 'CustomResourceDefinition') {
      const spec = gone['spec'] as { group: string; names: { plural: string } };
      this.store.dropAll(`${spec.group}|${spec.names.plural}`);
      this.refreshCrds();
    }
  }

  /** Any object anywhere whose ownerReferences name this uid. */
  hasDependents(owner: KObject): boolean {
    return this.dependents(owner.metadata.uid!).length > 0;
  }
  dependents(uid: string): Array<{ rt: ResourceType; obj: KObject }> {
    const out: Array<{ rt: ResourceType; obj: KObject }> = [];
    const seen = new Set<string>();
    for (const rt of this.registry.all()) {
      const key = `${rt.group}|${rt.plural}`;
      if (seen.has(key)) continue;
      seen.add(key);
      for (const o of this.store.list(rt)) if ((o.metadata.ownerReferences ?? []).some((r) => r.uid === uid)) out.push({ rt, obj: o });
    }
    return out;
  }

  refreshCrds(): void {
    const crdType = this.registry.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    this.registry.setCrds(this.store.list(crdType));
  }
}

/**
 * Pods on a node terminate gracefully: the API marks them (deletionTimestamp = now + grace)
 * and the node's kubelet removes them once the containers stopped (controllers/pods.ts), so a
 * pod on a NotReady node stays Terminating until the node comes back or a forced delete
 * (grace period 0). Unscheduled and finished pods go at once, as on a real server.
 */
function podGrace(pod: KObject, requested: number | undefined): number {
  const nodeName = (pod['spec'] as { nodeName?: string } | undefined)?.nodeName;
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  if (!nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  const g = requested ?? (pod['spec'] as { terminationGracePeriodSeconds?: number }).terminationGracePeriodSeconds ?? 30;
  return Math.max(0, g < 0 ? 1 : g);
}

/** autoscaling/v1 Scale view of a Deployment/StatefulSet/ReplicaSet. */
export function scaleOf(o: KObject): KObject {
  const spec = (o['spec'] ?? {}) as { replicas?: number };
  const status = (o['status'] ?? {}) as { replicas?: number };
  const sel = (o['spec'] as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',') },
  };
}

/** A CRD is Established and NamesAccepted as soon as it is stored (a real server takes a moment). */
function establishCrd(o: KObject): void {
  const conds = (o['status'] as { conditions?: Array<{ type: string }> } | undefined)?.conditions ?? [];
  if (conds.some((c) => c.type === 'Established')) return;
  const spec = o['spec'] as { names?: Record<string, unknown> } | undefined;
  const t = now();
  o['status'] = {
    conditions: [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: t },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: t },
    ],
    acceptedNames: spec?.names ?? {},
    storedVersions: ((o['spec'] as { versions?: Array<{ name: string; storage?: boolean }> }).versions ?? []).filter((v) => v.storage).map((v) => v.name),
  };
}
