// Differential test: the same task list is run by ansible-core with kubernetes.core 2.4
// (/usr/bin/ansible-playbook -c local, K8S_AUTH_KUBECONFIG pointing at a simulator) and by
// philote's modules (against a second simulator started with the same seed), and the outcomes
// are compared task by task: changed/failed and the key result fields (method, object names and
// data, resources found, api_found, drain messages). Skipped without the simulator or ansible.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ModuleResult } from '../../../src/modules/types.js';
import { call } from './ctx.js';
import { simAvailable, startSim } from './sim.js';
import { tempDir } from '../../helpers/temp-dir.js';

const ANSIBLE = '/usr/bin/ansible-playbook';
/**
 * ansible-playbook runs ~20 kubernetes.core tasks, each a Python start plus API calls: about 60 s
 * on an idle machine, up to 3-4 times that on a 2-core machine shared with other suites.
 */
const ANSIBLE_TIMEOUT_MS = 300_000;

const ROLLOUT_LIBRARY = fileURLToPath(new URL('../../../playbooks/library', import.meta.url));
const haveAnsible = existsSync(ANSIBLE) && existsSync('/usr/lib/python3/dist-packages/kubernetes');

interface Task {
  module: string;
  args: Record<string, unknown>;
  /** Run in check mode (ansible's check_mode task keyword). */
  check?: boolean;
  /** Outcome keys not compared for this task, with the reason in a comment where it is used. */
  ignore?: string[];
}

const cm = (name: string, data: Record<string, string>, labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'diff', ...(labels ? { labels } : {}) },
  data,
});

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

const cnc = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNodeConfig',
  metadata: { name: 'cilium-default', namespace: 'kube-system' },
  spec: { nodeSelector: { matchLabels: { 'io.cilium.migration/cilium-default': 'true' } }, defaults: { 'cni-chaining-mode': 'none' } },
};

/** The scenario: namespace, configmaps (create, no-op, update, absent), CRD then CR, info, drain steps. */
function scenario(node: string): Task[] {
  return [
    { module: 'kubernetes.core.k8s', args: { kind: 'Namespace', name: 'diff' } },
    { module: 'kubernetes.core.k8s', args: { kind: 'Namespace', name: 'diff' } },
    { module: 'kubernetes.core.k8s', args: { definition: cm('one', { a: '1' }, { app: 'x' }) } },
    { module: 'kubernetes.core.k8s', args: { definition: cm('one', { a: '1' }, { app: 'x' }) } },
    { module: 'kubernetes.core.k8s', args: { definition: cm('one', { a: '2' }, { app: 'x' }) } },
    { module: 'kubernetes.core.k8s', args: { definition: [cm('two', { b: '1' }, { app: 'x' }), cm('three', {}, { app: 'y' })] } },
    { module: 'kubernetes.core.k8s', args: { definition: cm('patched-only', { a: '1' }), state: 'patched' } },
    { module: 'kubernetes.core.k8s_info', args: { kind: 'ConfigMap', namespace: 'diff', label_selectors: ['app=x'] } },
    { module: 'kubernetes.core.k8s', args: { definition: cm('dry', { a: '1' }) }, check: true },
    { module: 'kubernetes.core.k8s_info', args: { kind: 'ConfigMap', namespace: 'diff', name: 'dry' } },
    { module: 'kubernetes.core.k8s', args: { definition: cm('one', { a: '3' }, { app: 'x' }) }, check: true },
    { module: 'kubernetes.core.k8s_info', args: { kind: 'ConfigMap', namespace: 'diff', name: 'one' } },
    { module: 'kubernetes.core.k8s', args: { definition: cm('ssa', { s: '1' }), apply: true, server_side_apply: { field_manager: 'ansible', force_conflicts: true } } },
    // The simulator rewrites an object on a no-op server-side apply (new resourceVersion and
    // managedFields time, to the second), which a real API server does not: the repeated apply's
    // `changed` then depends on whether a second boundary passed between the two tasks.
    { module: 'kubernetes.core.k8s', args: { definition: cm('ssa', { s: '1' }), apply: true, server_side_apply: { field_manager: 'ansible', force_conflicts: true } }, ignore: ['changed'] },
    { module: 'kubernetes.core.k8s', args: { definition: cm('ssa', { s: '2' }), apply: true, server_side_apply: { field_manager: 'ansible', force_conflicts: true } } },
    { module: 'kubernetes.core.k8s_info', args: { kind: 'IPPool', api_version: 'crd.projectcalico.org/v1' } },
    { module: 'kubernetes.core.k8s_info', args: { kind: 'CiliumNodeConfig', api_version: 'cilium.io/v2', namespace: 'kube-system' } },
    { module: 'kubernetes.core.k8s', args: { definition: crd, wait: true, wait_condition: { type: 'Established' }, wait_timeout: 30, wait_sleep: 1 } },
    { module: 'kubernetes.core.k8s', args: { definition: cnc } },
    { module: 'kubernetes.core.k8s', args: { definition: cnc } },
    { module: 'kubernetes.core.k8s_info', args: { kind: 'CiliumNodeConfig', api_version: 'cilium.io/v2', namespace: 'kube-system' } },
    { module: 'kubernetes.core.k8s', args: { definition: cnc, state: 'absent', wait: true, wait_timeout: 20, wait_sleep: 1 } },
    { module: 'kubernetes.core.k8s', args: { kind: 'Node', name: node, definition: { metadata: { labels: { 'io.cilium.migration/cilium-default': 'true' } } } } },
    { module: 'kubernetes.core.k8s', args: { kind: 'Node', name: node, definition: { metadata: { labels: { 'io.cilium.migration/cilium-default': 'true' } } } } },
    { module: 'kubernetes.core.k8s_info', args: { kind: 'Pod', namespace: 'kube-system', label_selectors: ['k8s-app in (kube-dns, metrics-server)'] } },
    { module: 'kubernetes.core.k8s', args: { kind: 'ConfigMap', namespace: 'diff', label_selectors: ['app=x'], state: 'absent' } },
    { module: 'kubernetes.core.k8s', args: { kind: 'ConfigMap', namespace: 'diff', name: 'one', state: 'absent' } },
    // workloads: scale, json patch, logs, rollout (philote's k8s_rollout vs its Ansible twin in playbooks/library), waits
    { module: 'kubernetes.core.k8s_scale', args: { kind: 'Deployment', api_version: 'apps/v1', namespace: 'apps', name: 'api', replicas: 3, wait_timeout: 30, wait_sleep: 1 } },
    { module: 'kubernetes.core.k8s_scale', args: { kind: 'Deployment', api_version: 'apps/v1', namespace: 'apps', name: 'api', replicas: 3, wait_timeout: 30, wait_sleep: 1 } },
    { module: 'kubernetes.core.k8s_scale', args: { kind: 'Deployment', api_version: 'apps/v1', namespace: 'apps', name: 'api', replicas: 2, current_replicas: 5 } },
    { module: 'kubernetes.core.k8s_json_patch', args: { kind: 'ConfigMap', namespace: 'kube-system', name: 'coredns', patch: [{ op: 'add', path: '/data/extra', value: 'x' }] } },
    { module: 'kubernetes.core.k8s_json_patch', args: { kind: 'ConfigMap', namespace: 'kube-system', name: 'coredns', patch: [{ op: 'replace', path: '/data/extra', value: 'x' }] } },
    { module: 'kubernetes.core.k8s_log', args: { kind: 'Deployment', api_version: 'apps/v1', namespace: 'apps', name: 'web' } },
    { module: 'kubernetes.core.k8s_log', args: { namespace: 'apps', label_selectors: ['app=api'], container: 'api' } },
    { module: 'k8s_rollout', args: { action: 'restart', kind: 'DaemonSet', namespace: 'calico-system', name: 'calico-node' } },
    { module: 'k8s_rollout', args: { action: 'status', kind: 'DaemonSet', namespace: 'calico-system', timeout: 60 } },
    { module: 'k8s_rollout', args: { action: 'restart', kind: 'Deployment', namespace: 'apps' } },
    { module: 'k8s_rollout', args: { action: 'status', kind: 'Deployment', namespace: 'apps', timeout: 60 } },
    { module: 'kubernetes.core.k8s_info', args: { kind: 'Deployment', api_version: 'apps/v1', namespace: 'apps', name: 'web', wait: true, wait_timeout: 30, wait_sleep: 1 } },
    { module: 'kubernetes.core.k8s', args: { kind: 'Deployment', api_version: 'apps/v1', namespace: 'apps', name: 'web', state: 'patched', wait: true, wait_condition: { type: 'Available', status: 'True' }, wait_timeout: 30, wait_sleep: 1 } },
    { module: 'kubernetes.core.k8s', args: { definition: cm('csa', { c: '1' }), apply: true } },
    { module: 'kubernetes.core.k8s', args: { definition: cm('csa', { c: '1' }), apply: true } },
    { module: 'kubernetes.core.k8s', args: { definition: cm('csa', { c: '2' }), apply: true } },
    { module: 'kubernetes.core.k8s', args: { definition: cm('filtered', {}, { app: 'y' }), label_selectors: ['app=x'] } },
    { module: 'kubernetes.core.k8s', args: { definition: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'stuck', namespace: 'diff' }, spec: { replicas: 1, selector: { matchLabels: { app: 'stuck' } }, template: { metadata: { labels: { app: 'stuck' } }, spec: { nodeSelector: { nowhere: 'true' }, containers: [{ name: 'c', image: 'busybox' }] } } } }, wait: true, wait_timeout: 2, wait_sleep: 1 } },
    { module: 'kubernetes.core.k8s_info', args: { kind: 'Node', name: node } },
    { module: 'kubernetes.core.k8s_info', args: { kind: 'Pod', field_selectors: [`spec.nodeName=${node}`] } },
    { module: 'kubernetes.core.k8s_drain', args: { name: node, state: 'cordon' } },
    { module: 'kubernetes.core.k8s_drain', args: { name: node, state: 'cordon' } },
    { module: 'kubernetes.core.k8s_drain', args: { name: node, delete_options: { ignore_daemonsets: true, delete_emptydir_data: true, force: true, wait_timeout: 30, wait_sleep: 1 } } },
    { module: 'kubernetes.core.k8s_drain', args: { name: node, state: 'uncordon' } },
    { module: 'kubernetes.core.k8s_drain', args: { name: node, state: 'uncordon' } },
  ];
}

/** Generated pod names (rs hash, random suffix) differ between two simulators: compare their stem. */
function podName(x: Record<string, any>): string {
  const n = String(x['metadata']?.name);
  return x['kind'] === 'Pod' && (x['metadata']?.generateName || x['metadata']?.ownerReferences?.length) ? n.replace(/(-[a-z0-9]{6,10})?-[a-z0-9]{5}$/, '-*') : n;
}

/** What must agree between ansible-core and philote for one task. */
function outcome(r: ModuleResult): Record<string, unknown> {
  const o: Record<string, unknown> = { changed: Boolean(r.changed), failed: Boolean(r.failed) };
  if (r.failed) return { ...o, ...(/Timed out waiting on resource/.test(String(r.msg)) ? { msg: r.msg } : {}) };
  if ('method' in r) o['method'] = r['method'];
  const result = r['result'];
  if (typeof result === 'string') o['result'] = result;
  else if (result && typeof result === 'object') {
    const obj = result as Record<string, any>;
    if (Array.isArray(obj['results'])) o['results'] = obj['results'].map((x: ModuleResult) => ({ changed: x.changed, method: x['method'], name: (x['result'] as any)?.metadata?.name }));
    else if (obj['metadata']) {
      o['name'] = obj['metadata'].name;
      if (obj['data']) o['data'] = obj['data'];
    }
  }
  if ('api_found' in r) o['api_found'] = r['api_found'];
  if ('warning' in r) o['warning'] = r['warning'];
  if (typeof r.msg === 'string') o['msg'] = r.msg;
  if (Array.isArray(r['log_lines'])) o['log_first_line'] = (r['log_lines'] as string[])[0];
  if (Array.isArray(r['resources']) && typeof r['resources'][0] === 'string') o['resources'] = r['resources'];
  else if (Array.isArray(r['resources'])) o['resources'] = (r['resources'] as Array<Record<string, any>>).map((x) => `${x['kind']}/${x['metadata']?.namespace ?? ''}/${podName(x)}`).sort();
  return o;
}

function runAnsible(tasks: Task[], kubeconfig: string): Promise<ModuleResult[]> {
  const dir = tempDir('philote-k8s-ansible-');
  const out = join(dir, 'out.json');
  const play = [
    {
      hosts: 'localhost',
      gather_facts: false,
      tasks: [
        ...tasks.map((t, i) => ({ name: `t${i}`, [t.module]: t.args, register: `r${i}`, ignore_errors: true, ...(t.check ? { check_mode: true } : {}) })),
        { name: 'dump', 'ansible.builtin.copy': { content: `{{ [${tasks.map((_, i) => `r${i}`).join(', ')}] | to_json }}`, dest: out } },
      ],
    },
  ];
  writeFileSync(join(dir, 'play.yml'), stringify(play));
  const env: Record<string, string> = {
    PATH: '/usr/bin:/bin',
    HOME: dir,
    K8S_AUTH_KUBECONFIG: kubeconfig,
    KUBECONFIG: kubeconfig, // for the k8s_rollout twin, which loads the default kubeconfig
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_LOCALHOST_WARNING: 'false',
    ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false',
    ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
    ANSIBLE_REMOTE_TEMP: join(dir, 'tmp'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_DEPRECATION_WARNINGS: 'false',
    // philote's k8s_rollout has an Ansible twin there
    ANSIBLE_LIBRARY: ROLLOUT_LIBRARY,
  };
  return new Promise((resolve, reject) => {
    execFile(ANSIBLE, ['-i', 'localhost,', '-c', 'local', join(dir, 'play.yml')], { env, cwd: dir, timeout: ANSIBLE_TIMEOUT_MS, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!existsSync(out)) return reject(new Error(`ansible-playbook produced no results (${err?.message})\n${stdout}\n${stderr}`));
      resolve(JSON.parse(readFileSync(out, 'utf8')) as ModuleResult[]);
    });
  });
}

describe.skipIf(!simAvailable || !haveAnsible)('differential: kubernetes.core (ansible-core) vs philote on the simulator', () => {
  it('gives the same outcomes task by task', async () => {
    const simA = await startSim({ seed: 7 });
    const simB = await startSim({ seed: 7 });
    try {
      const nodes = ((await call('k8s_info', { kind: 'Node', kubeconfig: simB.kubeconfigPath }))['resources'] as Array<Record<string, any>>).map((n) => n['metadata'].name).sort();
      const tasks = scenario(nodes[nodes.length - 1]!);
      const theirs = await runAnsible(tasks, simA.kubeconfigPath);
      const ours: ModuleResult[] = [];
      for (const t of tasks) {
        try {
          ours.push(await call(t.module, t.args, { check: t.check ?? false, environment: { K8S_AUTH_KUBECONFIG: simB.kubeconfigPath } }));
        } catch (e) {
          ours.push({ failed: true, msg: (e as Error).message });
        }
      }
      const strip = (o: Record<string, unknown>, keys: string[] = []) => Object.fromEntries(Object.entries(o).filter(([k2]) => !keys.includes(k2)));
      const rows = tasks.map((t, i) => ({ task: i, module: t.module, ansible: strip(outcome(theirs[i]!), t.ignore), philote: strip(outcome(ours[i]!), t.ignore) }));
      if (process.env["PHILOTE_DIFF_DUMP"]) console.log(JSON.stringify(rows, null, 1));
      for (const row of rows) expect({ task: row.task, module: row.module, outcome: row.philote }).toEqual({ task: row.task, module: row.module, outcome: row.ansible });
    } finally {
      await simA.close();
      await simB.close();
    }
  }, ANSIBLE_TIMEOUT_MS + 120_000);
});

describe.skipIf(!simAvailable || !haveAnsible)('differential: a PodDisruptionBudget that refuses evictions', () => {
  // A deliberate difference: kubernetes.core 2.4's k8s_drain fails on the first 429 from the
  // eviction API; philote retries (as kubectl drain does) until delete_options.wait_timeout.
  it('kubernetes.core fails at once with Too Many Requests; philote retries, then fails naming the pod', async () => {
    const simA = await startSim({ seed: 7 });
    const simB = await startSim({ seed: 7 });
    try {
      const strict = { kind: 'PodDisruptionBudget', api_version: 'policy/v1', namespace: 'apps', name: 'web', definition: { spec: { minAvailable: 3 } } };
      await call('k8s', strict, { environment: { K8S_AUTH_KUBECONFIG: simB.kubeconfigPath } });
      const web = (await call('k8s_info', { kind: 'Pod', namespace: 'apps', label_selectors: ['app=web'], kubeconfig: simB.kubeconfigPath }))['resources'] as Array<Record<string, any>>;
      const node = web[0]!['spec'].nodeName as string;
      const drain = { module: 'kubernetes.core.k8s_drain', args: { name: node, delete_options: { ignore_daemonsets: true, delete_emptydir_data: true, force: true, wait_timeout: 3, wait_sleep: 1 } } };
      const [, theirs] = await runAnsible([{ module: 'kubernetes.core.k8s', args: strict }, drain], simA.kubeconfigPath);
      expect(theirs).toMatchObject({ failed: true });
      expect(String(theirs!.msg)).toMatch(/^Failed to delete pod apps\/web-\S+ due to: Too Many Requests$/);
      const started = Date.now();
      const ours = await call(drain.module, drain.args, { environment: { K8S_AUTH_KUBECONFIG: simB.kubeconfigPath } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
      expect(ours).toMatchObject({ failed: true });
      expect(String(ours.msg)).toMatch(/^Failed to delete pod apps\/web-\S+ due to: Too Many Requests: Cannot evict pod as it would violate the pod's disruption budget/);
    } finally {
      await simA.close();
      await simB.close();
    }
  }, ANSIBLE_TIMEOUT_MS + 60_000);
});
