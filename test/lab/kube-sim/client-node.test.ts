// The simulator driven by @kubernetes/client-node over HTTP: CRUD, Status errors, optimistic
// concurrency, the patch types, server-side apply, selectors, dry-run, watch, finalizers and
// propagation. Where a real API server would answer differently, the test says so.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSim, waitFor } from './helpers.js';

type Sim = Awaited<ReturnType<typeof startSim>>;
let sim: Sim;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let objs: k8s.KubernetesObjectApi;

const status = (e: unknown): { code: number; reason: string; message: string; details?: Record<string, unknown> } => {
  const x = e as { code?: number; body?: unknown };
  const body = typeof x.body === 'string' ? JSON.parse(x.body) : x.body;
  return { code: x.code ?? 0, ...(body as { reason: string; message: string }) };
};
const fails = async (p: Promise<unknown>) => status(await p.then(() => expect.fail('expected an error'), (e: unknown) => e));
const header = (ct: string) => k8s.setHeaderOptions('Content-Type', ct);

beforeAll(async () => {
  sim = await startSim({ seed: 'empty' });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(sim.kubeconfigPath);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  objs = k8s.KubernetesObjectApi.makeApiClient(kc);
  await core.createNamespace({ body: { metadata: { name: 't' } } });
});
afterAll(() => sim?.close());

describe('client-node against the simulator', () => {
  it('creates, reads, lists and deletes with uid, creationTimestamp and resourceVersion', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: 't', body: { metadata: { name: 'a', labels: { app: 'x' } }, data: { k: 'v' } } });
    expect(cm.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(cm.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(Number(cm.metadata?.resourceVersion)).toBeGreaterThan(0);
    const got = await core.readNamespacedConfigMap({ name: 'a', namespace: 't' });
    expect(got.data).toEqual({ k: 'v' });
    const list = await core.listNamespacedConfigMap({ namespace: 't' });
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['a']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(cm.metadata?.resourceVersion));
    await core.deleteNamespacedConfigMap({ name: 'a', namespace: 't' });
    const nf = await fails(core.readNamespacedConfigMap({ name: 'a', namespace: 't' }));
    expect(nf).toMatchObject({ code: 404, reason: 'NotFound', message: 'configmaps "a" not found', details: { name: 'a', kind: 'configmaps' } });
  });

  it('answers AlreadyExists, Conflict on a stale resourceVersion, Invalid names and a missing namespace', async () => {
    await core.createNamespacedConfigMap({ namespace: 't', body: { metadata: { name: 'c' }, data: { n: '1' } } });
    expect(await fails(core.createNamespacedConfigMap({ namespace: 't', body: { metadata: { name: 'c' } } }))).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'configmaps "c" already exists' });
    const cur = await core.readNamespacedConfigMap({ name: 'c', namespace: 't' });
    await core.replaceNamespacedConfigMap({ name: 'c', namespace: 't', body: { ...cur, data: { n: '2' } } });
    const stale = await fails(core.replaceNamespacedConfigMap({ name: 'c', namespace: 't', body: { ...cur, data: { n: '3' } } }));
    expect(stale).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(stale.message).toMatch(/the object has been modified; please apply your changes to the latest version and try again/);
    const bad = await fails(core.createNamespacedConfigMap({ namespace: 't', body: { metadata: { name: 'Bad_Name!' } } }));
    expect(bad).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(bad.message).toMatch(/^ConfigMap "Bad_Name!" is invalid: metadata.name: Invalid value/);
    expect(await fails(core.createNamespacedConfigMap({ namespace: 'nope', body: { metadata: { name: 'x' } } }))).toMatchObject({ code: 404, message: 'namespaces "nope" not found' });
  });

  it('merge, JSON and strategic merge patches (containers and env merged by name)', async () => {
    await core.createNamespacedConfigMap({ namespace: 't', body: { metadata: { name: 'p' }, data: { a: '1', b: '2' } } });
    const m = await core.patchNamespacedConfigMap({ name: 'p', namespace: 't', body: { data: { a: null, c: '3' } } }, header(k8s.PatchStrategy.MergePatch));
    expect(m.data).toEqual({ b: '2', c: '3' });
    const j = await core.patchNamespacedConfigMap({ name: 'p', namespace: 't', body: [{ op: 'replace', path: '/data/b', value: 'B' }] }, header(k8s.PatchStrategy.JsonPatch));
    expect(j.data).toEqual({ b: 'B', c: '3' });
    const failedTest = await fails(core.patchNamespacedConfigMap({ name: 'p', namespace: 't', body: [{ op: 'test', path: '/data/b', value: 'nope' }] }, header(k8s.PatchStrategy.JsonPatch)));
    expect(failedTest.code).toBe(422);
    const dep = {
      metadata: { name: 'd' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'd' } },
        template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '1' }] }, { name: 'b', image: 'b:1' }] } },
      },
    };
    await apps.createNamespacedDeployment({ namespace: 't', body: dep });
    const patched = await apps.patchNamespacedDeployment(
      { name: 'd', namespace: 't', body: { spec: { template: { spec: { containers: [{ name: 'a', image: 'a:2', env: [{ name: 'Y', value: '2' }] }] } } } } },
      header(k8s.PatchStrategy.StrategicMergePatch),
    );
    const cs = patched.spec!.template.spec!.containers;
    expect(cs.map((c) => `${c.name}=${c.image}`)).toEqual(['a=a:2', 'b=b:1']);
    expect(cs[0]!.env).toEqual([{ name: 'X', value: '1' }, { name: 'Y', value: '2' }]);
    expect(patched.metadata?.generation).toBe(2);
    const del = await apps.patchNamespacedDeployment(
      { name: 'd', namespace: 't', body: { spec: { template: { spec: { containers: [{ name: 'b', $patch: 'delete' }] } } } } },
      header(k8s.PatchStrategy.StrategicMergePatch),
    );
    expect(del.spec!.template.spec!.containers.map((c) => c.name)).toEqual(['a']);
    // Custom resources do not support strategic merge patch on a real server either (415).
  });

  it('server-side apply: field managers, managedFields, 409 conflicts with the other manager named, force', async () => {
    const cfg = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa', namespace: 't' }, data: { a: '1', b: '1' } };
    const first = (await objs.patch(cfg, undefined, undefined, 'alice', false, k8s.PatchStrategy.ServerSideApply)) as k8s.V1ConfigMap;
    expect(first.metadata?.managedFields?.map((f: k8s.V1ManagedFieldsEntry) => `${f.manager}/${f.operation}`)).toEqual(['alice/Apply']);
    expect(first.metadata?.managedFields?.[0]?.fieldsV1).toEqual({ 'f:data': { 'f:a': {}, 'f:b': {} } });
    const conflict = await fails(objs.patch({ ...cfg, data: { a: '2' } }, undefined, undefined, 'bob', false, k8s.PatchStrategy.ServerSideApply));
    expect(conflict).toMatchObject({ code: 409, reason: 'Conflict', message: 'Apply failed with 1 conflict: conflict with "alice" using v1: .data.a' });
    const forced = (await objs.patch({ ...cfg, data: { a: '2' } }, undefined, undefined, 'bob', true, k8s.PatchStrategy.ServerSideApply)) as k8s.V1ConfigMap;
    expect(forced.data).toEqual({ a: '2', b: '1' });
    // alice stops applying b: it goes, since nobody else owns it.
    const dropped = (await objs.patch({ ...cfg, data: {} }, undefined, undefined, 'alice', false, k8s.PatchStrategy.ServerSideApply)) as k8s.V1ConfigMap;
    expect(dropped.data).toEqual({ a: '2' });
    expect(dropped.metadata?.managedFields?.find((f) => f.manager === 'bob')?.fieldsV1).toEqual({ 'f:data': { 'f:a': {} } });
  });

  it('label and field selectors, deletecollection by label, dryRun=All changes nothing', async () => {
    for (const [n, l] of [['s1', { tier: 'a', env: 'prod' }], ['s2', { tier: 'b', env: 'dev' }], ['s3', { tier: 'c' }]] as const) {
      await core.createNamespacedConfigMap({ namespace: 't', body: { metadata: { name: n, labels: { sel: 'y', ...l } } } });
    }
    const names = async (labelSelector: string, fieldSelector?: string) =>
      (await core.listNamespacedConfigMap({ namespace: 't', labelSelector, ...(fieldSelector ? { fieldSelector } : {}) })).items.map((i) => i.metadata!.name);
    expect(await names('sel=y,tier in (a,b)')).toEqual(['s1', 's2']);
    expect(await names('sel=y,tier notin (a,b)')).toEqual(['s3']);
    expect(await names('sel=y,env')).toEqual(['s1', 's2']);
    expect(await names('sel=y,!env')).toEqual(['s3']);
    expect(await names('sel=y,env!=prod')).toEqual(['s2', 's3']);
    expect(await names('sel=y', 'metadata.name=s2')).toEqual(['s2']);
    expect(await names('sel=y', 'metadata.name!=s2,metadata.namespace=t')).toEqual(['s1', 's3']);
    await core.createNamespacedConfigMap({ namespace: 't', body: { metadata: { name: 'dry' } }, dryRun: 'All' });
    expect(await fails(core.readNamespacedConfigMap({ name: 'dry', namespace: 't' }))).toMatchObject({ code: 404 });
    await core.deleteCollectionNamespacedConfigMap({ namespace: 't', labelSelector: 'sel=y,env', dryRun: 'All' });
    expect(await names('sel=y')).toEqual(['s1', 's2', 's3']);
    await core.deleteCollectionNamespacedConfigMap({ namespace: 't', labelSelector: 'sel=y,env' });
    expect(await names('sel=y')).toEqual(['s3']);
  });

  it('watch streams ADDED/MODIFIED/DELETED from a resourceVersion, with bookmarks when asked', async () => {
    const rv = (await core.listNamespacedConfigMap({ namespace: 't' })).metadata!.resourceVersion!;
    const events: string[] = [];
    const w = new k8s.Watch(kc);
    const req = await w.watch('/api/v1/namespaces/t/configmaps', { resourceVersion: rv, labelSelector: 'w=1' }, (type, obj: k8s.V1ConfigMap) => events.push(`${type} ${obj.metadata?.name} ${obj.data?.['v'] ?? ''}`.trim()), () => undefined);
    await core.createNamespacedConfigMap({ namespace: 't', body: { metadata: { name: 'w', labels: { w: '1' } }, data: { v: '1' } } });
    await core.patchNamespacedConfigMap({ name: 'w', namespace: 't', body: { data: { v: '2' } } }, header(k8s.PatchStrategy.MergePatch));
    await core.createNamespacedConfigMap({ namespace: 't', body: { metadata: { name: 'other' } } });
    await core.deleteNamespacedConfigMap({ name: 'w', namespace: 't' });
    await waitFor('3 watch events', () => events.length >= 3);
    req.abort();
    expect(events).toEqual(['ADDED w 1', 'MODIFIED w 2', 'DELETED w 2']);
    // A real server sends bookmarks about once a minute; the simulator every 5 s, and at once
    // after the initial events when sendInitialEvents=true.
    const seen: string[] = [];
    const req2 = await w.watch('/api/v1/namespaces', { allowWatchBookmarks: true, sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' }, (type, obj: k8s.V1Namespace) => seen.push(`${type} ${obj.metadata?.name ?? ''}`), () => undefined);
    await waitFor('the initial-events-end bookmark', () => seen.some((s) => s.startsWith('BOOKMARK')));
    req2.abort();
    expect(seen).toContain('ADDED t');
  });

  it('finalizers hold a delete until removed; foreground and orphan propagation to owned objects', async () => {
    await core.createNamespacedConfigMap({ namespace: 't', body: { metadata: { name: 'f', finalizers: ['example.com/hold'] } } });
    await core.deleteNamespacedConfigMap({ name: 'f', namespace: 't' });
    const held = await core.readNamespacedConfigMap({ name: 'f', namespace: 't' });
    expect(held.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    await core.patchNamespacedConfigMap({ name: 'f', namespace: 't', body: { metadata: { finalizers: null } } }, header(k8s.PatchStrategy.MergePatch));
    expect(await fails(core.readNamespacedConfigMap({ name: 'f', namespace: 't' }))).toMatchObject({ code: 404 });

    const owner = await core.createNamespacedConfigMap({ namespace: 't', body: { metadata: { name: 'owner' } } });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid!, blockOwnerDeletion: true };
    await core.createNamespacedConfigMap({ namespace: 't', body: { metadata: { name: 'dep1', ownerReferences: [ref] } } });
    await core.deleteNamespacedConfigMap({ name: 'owner', namespace: 't', propagationPolicy: 'Orphan' });
    await waitFor('owner gone', async () => (await core.listNamespacedConfigMap({ namespace: 't', fieldSelector: 'metadata.name=owner' })).items.length === 0);
    expect((await core.readNamespacedConfigMap({ name: 'dep1', namespace: 't' })).metadata?.ownerReferences ?? []).toEqual([]);

    const owner2 = await core.createNamespacedConfigMap({ namespace: 't', body: { metadata: { name: 'owner2' } } });
    await core.createNamespacedConfigMap({ namespace: 't', body: { metadata: { name: 'dep2', ownerReferences: [{ ...ref, name: 'owner2', uid: owner2.metadata!.uid! }] } } });
    await core.deleteNamespacedConfigMap({ name: 'owner2', namespace: 't', propagationPolicy: 'Foreground' });
    expect((await core.readNamespacedConfigMap({ name: 'owner2', namespace: 't' })).metadata?.finalizers).toContain('foregroundDeletion');
    await waitFor('foreground deletion done', async () => (await core.listNamespacedConfigMap({ namespace: 't', labelSelector: '', fieldSelector: 'metadata.name=owner2' })).items.length === 0);
    expect(await fails(core.readNamespacedConfigMap({ name: 'dep2', namespace: 't' }))).toMatchObject({ code: 404 });
  });

  it('a Deployment gets ReplicaSet, pods Running with IPs, status for rollout; background delete removes them', async () => {
    const dep = { metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'w', image: 'nginx' }] } } } };
    await apps.createNamespacedDeployment({ namespace: 't', body: dep });
    const done = await waitFor('deployment available', async () => {
      const d = await apps.readNamespacedDeployment({ name: 'web', namespace: 't' });
      return d.status?.availableReplicas === 2 && d.status.observedGeneration === d.metadata?.generation ? d : undefined;
    });
    expect(done.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    const pods = (await core.listNamespacedPod({ namespace: 't', labelSelector: 'app=web' })).items;
    expect(pods.map((p) => p.status?.phase)).toEqual(['Running', 'Running']);
    expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(2); // siblings spread across nodes
    expect(pods.every((p) => /^10\.42\./.test(p.status?.podIP ?? ''))).toBe(true);
    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: 't' });
    expect(scale.spec?.replicas).toBe(2);
    await apps.deleteNamespacedDeployment({ name: 'web', namespace: 't' });
    await waitFor('pods garbage-collected', async () => (await core.listNamespacedPod({ namespace: 't', labelSelector: 'app=web' })).items.length === 0);
    expect((await apps.listNamespacedReplicaSet({ namespace: 't', labelSelector: 'app=web' })).items).toEqual([]);
  });

  it('a StatefulSet creates <name>-0..N-1 in order and rolls a template change from the highest ordinal', async () => {
    const sts = { metadata: { name: 'db' }, spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'postgres:16' }] } } } };
    await apps.createNamespacedStatefulSet({ namespace: 't', body: sts });
    const ready = () =>
      waitFor('statefulset ready and updated', async () => {
        const s = await apps.readNamespacedStatefulSet({ name: 'db', namespace: 't' });
        const st = s.status;
        return st?.readyReplicas === 3 && st.updatedReplicas === 3 && st.currentRevision === st.updateRevision && st.observedGeneration === s.metadata?.generation ? s : undefined;
      });
    await ready();
    const pods = (await core.listNamespacedPod({ namespace: 't', labelSelector: 'app=db' })).items;
    expect(pods.map((p) => p.metadata?.name).sort()).toEqual(['db-0', 'db-1', 'db-2']);
    const t0 = Object.fromEntries(pods.map((p) => [p.metadata!.name!, p.metadata!.creationTimestamp!.getTime()]));
    expect(t0['db-0']! <= t0['db-1']! && t0['db-1']! <= t0['db-2']!).toBe(true);
    await apps.patchNamespacedStatefulSet({ name: 'db', namespace: 't', body: { spec: { template: { spec: { containers: [{ name: 'db', image: 'postgres:17' }] } } } } }, header(k8s.PatchStrategy.StrategicMergePatch));
    await ready();
    const after = (await core.listNamespacedPod({ namespace: 't', labelSelector: 'app=db' })).items;
    expect(after.map((p) => p.spec!.containers[0]!.image)).toEqual(['postgres:17', 'postgres:17', 'postgres:17']);
  });

  it('discovery: aggregated discovery requests get the legacy documents (plain application/json), OpenAPI v2/v3, 405/415', async () => {
    const get = (path: string, accept = 'application/json') => fetch(`${sim.url}${path}`, { headers: { Accept: accept } });
    const agg = await get('/apis', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json');
    expect(agg.headers.get('content-type')).toBe('application/json');
    const groups = (await agg.json()) as { kind: string; groups: Array<{ name: string; preferredVersion: { version: string } }> };
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apps', 'policy', 'apiextensions.k8s.io']));
    const v1 = (await (await get('/api/v1')).json()) as { resources: Array<{ name: string; kind: string; namespaced: boolean; group?: string; version?: string }> };
    expect(v1.resources.find((r) => r.name === 'pods/eviction')).toMatchObject({ kind: 'Eviction', group: 'policy', version: 'v1' });
    expect(v1.resources.find((r) => r.name === 'nodes')).toMatchObject({ kind: 'Node', namespaced: false });
    expect(((await (await get('/version')).json()) as { gitVersion: string }).gitVersion).toBe('v1.32.4+k3s1');
    const v3 = (await (await get('/openapi/v3')).json()) as { paths: Record<string, { serverRelativeURL: string }> };
    const appsDoc = (await (await get(v3.paths['apis/apps/v1']!.serverRelativeURL)).json()) as { paths: Record<string, { patch?: { parameters: Array<{ name: string }> } }> };
    expect(appsDoc.paths['/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}']!.patch!.parameters.map((p) => p.name)).toContain('fieldValidation');
    expect((await get('/openapi/v2', 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf')).status).toBe(200);
    const put = await fetch(`${sim.url}/api/v1/namespaces/t/configmaps`, { method: 'PUT', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(put.status).toBe(405);
    expect(await put.json()).toMatchObject({ reason: 'MethodNotAllowed', code: 405 });
    const badPatch = await fetch(`${sim.url}/api/v1/namespaces/t/configmaps/c`, { method: 'PATCH', body: '{}', headers: { 'Content-Type': 'text/plain' } });
    expect(badPatch.status).toBe(415);
  });

  it('a wrong bearer token is 401 Unauthorized', async () => {
    const res = await fetch(`${sim.url}/api/v1/namespaces`, { headers: { Authorization: 'Bearer wrong' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    // A real K3s server also rejects token-less requests; the simulator admits them because
    // kubectl 1.32 sends no bearer token over plain http.
  });
});
