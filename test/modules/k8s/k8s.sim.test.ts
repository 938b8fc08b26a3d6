// The k8s modules against the lab's Kubernetes API simulator (src/lab/kube-sim), started
// in-process on 127.0.0.1 with its kubeconfig in a temp dir. No mocks: every call goes through
// HTTP to the simulator. Where a real API server would answer differently, the test says so.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeNodesInventory } from '../../../src/modules/k8s/inventory.js';
import type { ModuleResult } from '../../../src/modules/types.js';
import { call, type CallOptions } from './ctx.js';
import { simAvailable, startSim, type Sim } from './sim.js';
import { tempDir } from '../../helpers/temp-dir.js';

let sim: Sim;
let kubeconfig: string;
let nodes: string[] = [];

const k = (name: string, args: Record<string, unknown>, o: CallOptions = {}): Promise<ModuleResult> => call(name, { kubeconfig, ...args }, o);
const res = (r: ModuleResult) => r['result'] as Record<string, any>;
const resources = (r: ModuleResult) => r['resources'] as Array<Record<string, any>>;

describe.skipIf(!simAvailable)('k8s modules against the simulator', () => {
  beforeAll(async () => {
    sim = await startSim();
    kubeconfig = sim.kubeconfigPath;
    nodes = resources(await k('k8s_info', { kind: 'Node' })).map((n) => n['metadata'].name).sort();
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
  });

  describe('k8s', () => {
    it('creates, finds nothing to change, then updates (method and changed as kubernetes.core)', async () => {
      const ns = await k('k8s', { kind: 'Namespace', name: 'demo' });
      expect(ns).toMatchObject({ changed: true, method: 'create' });
      expect(await k('k8s', { kind: 'Namespace', name: 'demo' })).toMatchObject({ changed: false, method: 'update' });
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'demo', labels: { app: 'x' } }, data: { a: '1' } };
      const created = await k('kubernetes.core.k8s', { definition: cm });
      expect(created).toMatchObject({ changed: true, method: 'create' });
      expect(res(created)['metadata'].uid).toBeTruthy();
      expect(await k('k8s', { definition: cm })).toMatchObject({ changed: false, method: 'update' });
      const upd = await k('k8s', { definition: { ...cm, data: { a: '2' } } }, { diff: true });
      expect(upd).toMatchObject({ changed: true, method: 'update' });
      expect(res(upd)['data']).toEqual({ a: '2' });
      const diff = upd.diff as { before: string; after: string };
      expect(JSON.parse(diff.before).data).toEqual({ a: '1' });
      expect(JSON.parse(diff.after).data).toEqual({ a: '2' });
    });

    it('check mode goes through server dry-run and leaves the state unchanged (read back)', async () => {
      const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry', namespace: 'demo' }, data: { a: '1' } };
      expect(await k('k8s', { definition: cm }, { check: true })).toMatchObject({ changed: true, method: 'create' });
      expect(resources(await k('k8s_info', { kind: 'ConfigMap', namespace: 'demo', name: 'dry' }))).toEqual([]);
      await k('k8s', { definition: cm });
      expect(await k('k8s', { definition: { ...cm, data: { a: 'changed' } } }, { check: true })).toMatchObject({ changed: true, method: 'update' });
      expect(await k('k8s', { definition: cm, state: 'absent' }, { check: true })).toMatchObject({ changed: true, method: 'delete' });
      const back = resources(await k('k8s_info', { kind: 'ConfigMap', namespace: 'demo', name: 'dry' }));
      expect(back.map((c) => c['data'])).toEqual([{ a: '1' }]);
    });

    it('multi-document YAML, src and template give result.results; patched never creates', async () => {
      const dir = tempDir('philote-k8s-files-');
      mkdirSync(join(dir, 'files'));
      mkdirSync(join(dir, 'templates'));
      writeFileSync(join(dir, 'files', 'two.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s1, namespace: demo}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: s2, namespace: demo}\n');
      writeFileSync(join(dir, 'templates', 'cm.yaml.j2'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "{{ cm_name }}"\n  namespace: demo\ndata:\n  node: "{{ node }}"\n');
      const multi = await k('k8s', { src: 'two.yaml' }, { dir });
      expect(multi.changed).toBe(true);
      expect((res(multi)['results'] as ModuleResult[]).map((r) => r['method'])).toEqual(['create', 'create']);
      const t = await k('k8s', { template: 'cm.yaml.j2' }, { dir, vars: { cm_name: 'tpl', node: 'node1' } });
      expect(t).toMatchObject({ changed: true, method: 'create' });
      expect(res(t)['data']).toEqual({ node: 'node1' });
      const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p1, namespace: demo}\ndata: {x: "1"}\n';
      const patched = await k('k8s', { definition: yaml, state: 'patched' });
      expect(patched.changed).toBe(false);
      expect(String((patched['warnings'] as string[])[0])).toMatch(/was not found but will not be created/);
    });

    it('a CRD created in the run serves its custom resources to the next task (discovery refresh)', async () => {
      const before = await k('k8s_info', { api_version: 'cilium.io/v2', kind: 'CiliumNodeConfig', namespace: 'kube-system' });
      expect(before).toMatchObject({ api_found: false, resources: [] });
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'ciliumnodeconfigs.cilium.io' },
        spec: {
          group: 'cilium.io',
          scope: 'Namespaced',
          names: { kind: 'CiliumNodeConfig', plural: 'ciliumnodeconfigs', singular: 'ciliumnodeconfig', listKind: 'CiliumNodeConfigList' },
          versions: [{ name: 'v2', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
        },
      };
      expect(await k('k8s', { definition: crd, wait: true, wait_condition: { type: 'Established', status: true }, wait_timeout: 30, wait_sleep: 1 })).toMatchObject({ changed: true });
      const cr = {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNodeConfig',
        metadata: { name: 'cilium-default', namespace: 'kube-system' },
        spec: { nodeSelector: { matchLabels: { 'io.cilium.migration/cilium-default': 'true' } }, defaults: { 'write-cni-conf-when-ready': '/host/etc/cni/net.d/05-cilium.conflist' } },
      };
      expect(await k('k8s', { definition: cr })).toMatchObject({ changed: true, method: 'create' });
      expect(await k('k8s', { definition: cr })).toMatchObject({ changed: false });
      const found = await k('k8s_info', { api_version: 'cilium.io/v2', kind: 'CiliumNodeConfig', namespace: 'kube-system' });
      expect(found.api_found).toBe(true);
      expect(resources(found).map((r) => r['metadata'].name)).toEqual(['cilium-default']);
    });

    it('server-side apply with a field manager is idempotent', async () => {
      const def = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', namespace: 'demo' }, data: { k: 'v' } };
      const first = await k('k8s', { definition: def, apply: true, server_side_apply: { field_manager: 'ansible', force_conflicts: true } });
      expect(first).toMatchObject({ changed: true, method: 'apply' });
      // A real API server does not write on a no-op apply. The simulator does (new resourceVersion
      // and managedFields time, to the second), so a repeat that crosses a second boundary shows
      // changed; then only that metadata may differ.
      const again = await k('k8s', { definition: def, apply: true, server_side_apply: { field_manager: 'ansible' } }, { diff: true });
      expect(again.method).toBe('apply');
      if (again.changed) expect(Object.keys(JSON.parse((again.diff as { after: string }).after).metadata).sort()).toEqual(['managedFields', 'resourceVersion']);
      const second = await k('k8s', { definition: { ...def, data: { k: 'w' } }, apply: true });
      expect(second).toMatchObject({ changed: true });
      expect(res(second)['data']).toEqual({ k: 'w' });
    });

    it('state absent with label_selectors deletes every match; delete_options are passed', async () => {
      for (const n of ['l1', 'l2']) await k('k8s', { definition: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, namespace: 'demo', labels: { tier: 'tmp' } } } });
      const del = await k('k8s', { kind: 'ConfigMap', namespace: 'demo', label_selectors: ['tier=tmp'], state: 'absent', delete_options: { propagationPolicy: 'Background' }, wait: true, wait_sleep: 1, wait_timeout: 20 });
      expect(del).toMatchObject({ changed: true, method: 'delete' });
      expect(resources(await k('k8s_info', { kind: 'ConfigMap', namespace: 'demo', label_selectors: ['tier=tmp'] }))).toEqual([]);
      expect(await k('k8s', { kind: 'ConfigMap', namespace: 'demo', name: 'l1', state: 'absent' })).toMatchObject({ changed: false, method: 'delete' });
    });

    it('waits for a Deployment to be ready; continue_on_error records the failing item', async () => {
      const dep = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'demo' },
        spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
      };
      const r = await k('k8s', { definition: dep, wait: true, wait_timeout: 60, wait_sleep: 1 });
      expect(r).toMatchObject({ changed: true, method: 'create' });
      expect(res(r)['status'].availableReplicas).toBe(2);
      expect(typeof r['duration']).toBe('number');
      const mixed = await k('k8s', {
        definition: [
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok1', namespace: 'demo' } },
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name!', namespace: 'demo' } },
        ],
        continue_on_error: true,
      });
      const items = res(mixed)['results'] as ModuleResult[];
      expect(items[0]).toMatchObject({ changed: true, method: 'create' });
      expect(String((items[1]!['error'] as { msg: string }).msg)).toMatch(/Failed to create object/);
      expect(mixed.failed).toBeFalsy();
    });

    it('401/403 name the verb and resource', async () => {
      const bad = join(tempDir('philote-k8s-kc-'), 'kubeconfig');
      writeFileSync(bad, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${sim.url}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: wrong-token}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
      const err = await call('k8s_info', { kind: 'Pod', kubeconfig: bad }).catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err.kind).toBe('kube');
      expect(err.message).toBe('Unauthorized (401): the API server rejected the credentials while trying to discover v1; check the token or client certificate in the kubeconfig');
    });
  });

  describe('k8s_info', () => {
    it('field selectors (spec.nodeName) and label selectors', async () => {
      const pods = resources(await k('k8s_info', { kind: 'Pod', field_selectors: [`spec.nodeName=${nodes[0]}`] }));
      expect(pods.every((p) => p['spec'].nodeName === nodes[0])).toBe(true);
      expect(pods.every((p) => p['kind'] === 'Pod' && p['apiVersion'] === 'v1')).toBe(true);
      const web = resources(await k('k8s_info', { kind: 'Pod', namespace: 'demo', label_selectors: ['app=web'] }));
      expect(web.length).toBe(2);
    });
    it('waits for a condition (Node Ready) and reports api_found false for unknown kinds', async () => {
      const r = await k('k8s_info', { kind: 'Node', name: nodes[0], wait: true, wait_condition: { type: 'Ready', status: 'True' }, wait_timeout: 10, wait_sleep: 1 });
      expect(resources(r).length).toBe(1);
      expect(await k('k8s_info', { kind: 'Nope', api_version: 'example.com/v1' })).toMatchObject({ api_found: false, resources: [] });
    });
  });

  describe('k8s_drain', () => {
    it('cordon and uncordon are idempotent', async () => {
      const n = nodes[nodes.length - 1]!;
      expect(await k('k8s_drain', { name: n, state: 'cordon' })).toMatchObject({ changed: true, result: `node ${n} marked unschedulable.` });
      expect(await k('k8s_drain', { name: n, state: 'cordon' })).toMatchObject({ changed: false, result: `node ${n} already marked unschedulable.` });
      expect(await k('k8s_drain', { name: n, state: 'uncordon' })).toMatchObject({ changed: true, result: `node ${n} marked schedulable.` });
      expect(await k('k8s_drain', { name: n, state: 'uncordon' })).toMatchObject({ changed: false });
    });

    it('drain retries evictions a PodDisruptionBudget refuses (429) until it is relaxed', async () => {
      await k('k8s', {
        definition: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'guarded', namespace: 'demo' },
          spec: { replicas: 2, selector: { matchLabels: { app: 'guarded' } }, template: { metadata: { labels: { app: 'guarded' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
        },
        wait: true,
        wait_timeout: 60,
        wait_sleep: 1,
      });
      await k('k8s', { definition: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guarded', namespace: 'demo' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'guarded' } } } } });
      const pods = resources(await k('k8s_info', { kind: 'Pod', namespace: 'demo', label_selectors: ['app=guarded'] }));
      const node = pods[0]!['spec'].nodeName as string;
      const onNode = pods.filter((p) => p['spec'].nodeName === node).map((p) => `demo/${p['metadata'].name}`);
      // relax the budget after a few refusals
      let relaxedAt = 0;
      const relax = new Promise<void>((resolve) =>
        setTimeout(async () => {
          await k('k8s', { kind: 'PodDisruptionBudget', api_version: 'policy/v1', namespace: 'demo', name: 'guarded', definition: { spec: { minAvailable: 0 } } });
          relaxedAt = Date.now();
          resolve();
        }, 2500),
      );
      const warnings: string[] = [];
      const drain = await k('kubernetes.core.k8s_drain', { name: node, delete_options: { ignore_daemonsets: true, delete_emptydir_data: true, force: true, wait_timeout: 60, wait_sleep: 1 } }, { warnings });
      await relax;
      expect(drain.failed).toBeFalsy();
      expect(drain.changed).toBe(true);
      expect(drain['result']).toMatch(new RegExp(`^node ${node} marked unschedulable\\. \\d+ Pod\\(s\\) deleted from node\\.$`));
      expect(drain['pods']).toEqual(expect.arrayContaining(onNode));
      expect(Date.now()).toBeGreaterThanOrEqual(relaxedAt);
      const left = resources(await k('k8s_info', { kind: 'Pod', field_selectors: [`spec.nodeName=${node}`] }));
      expect(left.filter((p) => !(p['metadata'].ownerReferences ?? []).some((o: { kind: string }) => o.kind === 'DaemonSet'))).toEqual([]);
      await k('k8s_drain', { name: node, state: 'uncordon' });
    }, 90_000);

    it('pod_selectors limit the drain to matching pods', async () => {
      const api = resources(await k('k8s_info', { kind: 'Pod', namespace: 'apps', label_selectors: ['app=api'] }));
      const node = api[0]!['spec'].nodeName as string;
      const others = resources(await k('k8s_info', { kind: 'Pod', field_selectors: [`spec.nodeName=${node}`] })).filter((p) => p['metadata'].labels?.app !== 'api');
      const r = await k('k8s_drain', { name: node, pod_selectors: ['app=api'], delete_options: { wait_timeout: 30, wait_sleep: 1 } });
      expect(r.failed).toBeFalsy();
      expect((r['pods'] as string[]).every((p) => p.startsWith('apps/api-'))).toBe(true);
      const still = resources(await k('k8s_info', { kind: 'Pod', field_selectors: [`spec.nodeName=${node}`] })).map((p) => p['metadata'].name);
      for (const o of others) expect(still).toContain(o['metadata'].name);
      await k('k8s_drain', { name: node, state: 'uncordon' });
    });

    it('drain fails with the blocking pods when DaemonSet pods are not ignored, and uncordons again', async () => {
      const ds = resources(await k('k8s_info', { kind: 'Pod' })).find((p) => (p['metadata'].ownerReferences ?? []).some((o: { kind: string }) => o.kind === 'DaemonSet'));
      expect(ds).toBeDefined(); // the k3s-calico seed runs calico-node on every node
      const node = ds!['spec'].nodeName as string;
      const r = await k('k8s_drain', { name: node });
      expect(r.failed).toBe(true);
      expect(r.msg).toMatch(/cannot delete DaemonSet-managed Pods/);
      const back = resources(await k('k8s_info', { kind: 'Node', name: node }))[0]!;
      expect(Boolean(back['spec'].unschedulable)).toBe(false);
    });
  });

  describe('k8s_rollout, k8s_scale, k8s_json_patch, k8s_log, k8s_cluster_info', () => {
    it('restart sets the kubectl annotation and status waits for the rollout', async () => {
      const r = await k('k8s_rollout', { action: 'restart', kind: 'Deployment', name: 'web', namespace: 'demo' });
      expect(r).toMatchObject({ changed: true, resources: ['web'] });
      const dep = resources(await k('k8s_info', { kind: 'Deployment', api_version: 'apps/v1', namespace: 'demo', name: 'web' }))[0]!;
      expect(dep['spec'].template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(await k('k8s_rollout', { action: 'status', kind: 'Deployment', namespace: 'demo', timeout: 60 })).toMatchObject({ changed: false });
    }, 90_000);

    it('status times out naming what is still rolling out', async () => {
      await k('k8s', {
        definition: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'stuck', namespace: 'demo' },
          spec: { replicas: 1, selector: { matchLabels: { app: 'stuck' } }, template: { metadata: { labels: { app: 'stuck' } }, spec: { nodeSelector: { nowhere: 'true' }, containers: [{ name: 'c', image: 'busybox' }] } } },
        },
      });
      const err = await k('k8s_rollout', { action: 'status', kind: 'Deployment', name: 'stuck', namespace: 'demo', timeout: 1 }).catch((e) => e);
      expect(err.kind).toBe('kube');
      expect(err.message).toMatch(/^timed out waiting for Deployment stuck to roll out \(stuck: (0 out of 1 new replicas have been updated|0 of 1 updated replicas are available|waiting for .*)\)$/);
      await k('k8s', { kind: 'Deployment', api_version: 'apps/v1', namespace: 'demo', name: 'stuck', state: 'absent' });
    });

    it('scale changes replicas and waits', async () => {
      const r = await k('k8s_scale', { kind: 'Deployment', api_version: 'apps/v1', name: 'web', namespace: 'demo', replicas: 3, wait_timeout: 60, wait_sleep: 1 });
      expect(r.changed).toBe(true);
      expect(res(r)['spec'].replicas).toBe(3);
      expect((await k('k8s_scale', { kind: 'Deployment', api_version: 'apps/v1', name: 'web', namespace: 'demo', replicas: 3 })).changed).toBe(false);
    }, 90_000);

    it('json patch', async () => {
      const r = await k('k8s_json_patch', { kind: 'ConfigMap', namespace: 'demo', name: 'cfg', patch: [{ op: 'add', path: '/data/b', value: 'x' }] });
      expect(r.changed).toBe(true);
      expect(res(r)['data']).toMatchObject({ b: 'x' });
    });

    it('cluster info lists the APIs and the server version', async () => {
      const r = await k('k8s_cluster_info', {});
      expect((r['apis'] as Record<string, Record<string, unknown>>)['apps/v1']).toHaveProperty('Deployment');
      expect((r['version'] as { server: { kubernetes: { gitVersion?: string } } }).server.kubernetes.gitVersion).toBeTruthy();
    });

    it('the node inventory lists every node', async () => {
      const inv = await kubeNodesInventory({ kubeconfig });
      expect(inv.hosts.map((h) => h.name).sort()).toEqual(nodes);
      expect([...(inv.groups['control_plane'] ?? []), ...(inv.groups['workers'] ?? [])].sort()).toEqual(nodes);
      expect(inv.hosts.every((h) => typeof h.vars['ansible_host'] === 'string')).toBe(true);
    });
  });
});
