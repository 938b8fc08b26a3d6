// Pure helpers of the k8s modules: definitions, selectors, diffs, wait predicates, drain filter, rollout rules, auth.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKubeConfig, resolveAuthSpec } from '../../../src/modules/k8s/client/auth.js';
import { buildDefinitions, fromDefinition } from '../../../src/modules/k8s/client/definitions.js';
import { diffObjects, recursiveDiff } from '../../../src/modules/k8s/client/diff.js';
import { definitionMatches, labelsMatch, parseRequirement } from '../../../src/modules/k8s/client/selectors.js';
import { conditionMet, daemonSetReady, deploymentReady, predicateFor } from '../../../src/modules/k8s/client/wait.js';
import { filterPods } from '../../../src/modules/k8s/k8s-drain.js';
import { rolloutPending } from '../../../src/modules/k8s/k8s-rollout.js';
import { hideFields } from '../../../src/modules/k8s/k8s-info.js';
import { tempDir } from '../../helpers/temp-dir.js';

describe('definitions', () => {
  it('reads a multi-document YAML string, skipping empty documents', () => {
    const docs = fromDefinition('---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\nkind: Secret\nmetadata: {name: b}\n');
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'Secret']);
  });
  it('accepts a list mixing dicts and YAML strings', () => {
    expect(fromDefinition([{ kind: 'A' }, 'kind: B\n---\nkind: C']).map((d) => d.kind)).toEqual(['A', 'B', 'C']);
  });
  it('fills kind/apiVersion/name/namespace from parameters without overriding the definition', () => {
    const [d] = buildDefinitions([{ metadata: { name: 'x' } }], { kind: 'ConfigMap', api_version: 'v1', name: 'y', namespace: 'ns' });
    expect(d).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'x', namespace: 'ns' } });
  });
  it('builds one definition from parameters alone and flattens *List kinds', () => {
    expect(buildDefinitions(undefined, { kind: 'Namespace', api_version: 'v1', name: 'n' })).toEqual([{ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'n' } }]);
    const items = buildDefinitions([{ apiVersion: 'v1', kind: 'ConfigMapList', items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }] }], { namespace: 'x' });
    expect(items.map((i) => [i.kind, i.apiVersion, i.metadata?.name, i.metadata?.namespace])).toEqual([
      ['ConfigMap', 'v1', 'a', 'x'],
      ['ConfigMap', 'v1', 'b', 'x'],
    ]);
  });
  it('an empty definition string gives no definitions', () => {
    expect(buildDefinitions(fromDefinition('---\n'), {})).toEqual([]);
  });
});

describe('selectors', () => {
  it('parses equality and set-based requirements', () => {
    expect(parseRequirement('app = web')).toEqual({ key: 'app', op: 'in', values: ['web'] });
    expect(parseRequirement('tier!=db')).toEqual({ key: 'tier', op: 'notin', values: ['db'] });
    expect(parseRequirement('env in (prod, staging)')).toEqual({ key: 'env', op: 'in', values: ['prod', 'staging'] });
    expect(parseRequirement('!gone')).toEqual({ key: 'gone', op: '!', values: [] });
  });
  it('matches labels like the API server', () => {
    expect(labelsMatch('app=web,env in (a,b),!x', { app: 'web', env: 'b' })).toBe(true);
    expect(labelsMatch('app=web,env notin (a,b)', { app: 'web', env: 'b' })).toBe(false);
    expect(labelsMatch('', {})).toBe(true);
  });
  it('a definition without labels never matches (kubernetes.core)', () => {
    expect(definitionMatches(['app=web'], { metadata: {} })).toBe(false);
    expect(definitionMatches(['app=web'], { metadata: { labels: { app: 'web' } } })).toBe(true);
  });
});

describe('diff', () => {
  it('keeps only what differs', () => {
    expect(recursiveDiff({ a: 1, b: { c: 2, d: 3 } }, { a: 1, b: { c: 2, d: 4 }, e: [1] })).toEqual([{ b: { d: 3 } }, { b: { d: 4 }, e: [1] }]);
    expect(recursiveDiff({ a: [1, 2] }, { a: [1, 2] })).toBeUndefined();
  });
  it('ignores generation/resourceVersion-only changes', () => {
    const [match] = diffObjects({ metadata: { name: 'a', resourceVersion: '1' } }, { metadata: { name: 'a', resourceVersion: '2' } });
    expect(match).toBe(true);
    expect(diffObjects({ data: { a: '1' } }, { data: { a: '2' } })[0]).toBe(false);
  });
});

describe('wait predicates', () => {
  const dep = (status: Record<string, unknown>) => ({ kind: 'Deployment', metadata: { generation: 2 }, spec: { replicas: 2 }, status });
  it('deployment ready only when observed, available and complete', () => {
    expect(deploymentReady(dep({ observedGeneration: 2, replicas: 2, availableReplicas: 2, updatedReplicas: 2 }))).toBe(true);
    expect(deploymentReady(dep({ observedGeneration: 1, replicas: 2, availableReplicas: 2 }))).toBe(false);
    expect(deploymentReady(dep({ observedGeneration: 2, replicas: 2, availableReplicas: 1, unavailableReplicas: 1 }))).toBe(false);
  });
  it('daemonset ready', () => {
    const ds = { metadata: { generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberReady: 3 } };
    expect(daemonSetReady(ds)).toBe(true);
    expect(daemonSetReady({ ...ds, status: { ...ds.status, numberReady: 2 } })).toBe(false);
  });
  it('custom conditions with status and reason', () => {
    const o = { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Fine' }, { type: 'Odd', status: 'Unknown' }] } };
    expect(conditionMet({ type: 'Ready' }, o)).toBe(true);
    expect(conditionMet({ type: 'Ready', status: 'False' }, o)).toBe(false);
    expect(conditionMet({ type: 'Ready', status: true, reason: 'Other' }, o)).toBe(false);
    expect(conditionMet({ type: 'Odd', status: 'Unknown' }, o)).toBe(true);
    expect(conditionMet({ type: 'Missing' }, o)).toBe(false);
  });
  it('absent and existence predicates', () => {
    expect(predicateFor('ConfigMap', 'absent')(undefined)).toBe(true);
    expect(predicateFor('ConfigMap', 'present')({ kind: 'ConfigMapList', items: [] })).toBe(false);
  });
});

describe('drain pod filter', () => {
  const pod = (name: string, extra: Record<string, any> = {}) => ({
    metadata: { name, namespace: 'ns', ownerReferences: [{ kind: 'ReplicaSet' }], ...(extra['metadata'] ?? {}) },
    spec: extra['spec'] ?? {},
    status: extra['status'] ?? { phase: 'Running' },
  });
  it('skips mirror and DaemonSet pods, refuses unreplicated and emptyDir pods without the options', () => {
    const pods = [
      pod('rs'),
      pod('ds', { metadata: { ownerReferences: [{ kind: 'DaemonSet' }] } }),
      pod('mirror', { metadata: { annotations: { 'kubernetes.io/config.mirror': 'x' } } }),
      pod('bare', { metadata: { ownerReferences: [] } }),
      pod('scratch', { spec: { volumes: [{ name: 'tmp', emptyDir: {} }] } }),
      pod('done', { metadata: { ownerReferences: [] }, status: { phase: 'Succeeded' } }),
    ];
    const strict = filterPods(pods, {});
    expect(strict.errors).toHaveLength(3);
    expect(strict.errors.join(' ')).toContain('ns/bare');
    expect(strict.errors.join(' ')).toContain('local storage: ns/scratch');
    expect(strict.errors.join(' ')).toContain('DaemonSet-managed Pods (use option ignore_daemonset set to yes): ns/ds');
    const loose = filterPods(pods, { force: true, ignoreDaemonsets: true, deleteEmptydirData: true });
    expect(loose.errors).toEqual([]);
    expect(loose.toDelete.map((p) => p.name).sort()).toEqual(['bare', 'done', 'rs', 'scratch']);
    expect(loose.warnings.some((w) => w.includes('mirror Pods using API server: ns/mirror'))).toBe(true);
  });
});

describe('rollout status rules', () => {
  it('follows kubectl rollout status', () => {
    const d = (status: Record<string, number>) => ({ metadata: { name: 'd', generation: 3 }, spec: { replicas: 2 }, status });
    expect(rolloutPending('Deployment', d({ observedGeneration: 2 }))).toMatch(/spec update/);
    expect(rolloutPending('Deployment', d({ observedGeneration: 3, updatedReplicas: 1 }))).toBe('1 out of 2 new replicas have been updated');
    expect(rolloutPending('Deployment', d({ observedGeneration: 3, updatedReplicas: 2, replicas: 3 }))).toBe('1 old replicas are pending termination');
    expect(rolloutPending('Deployment', d({ observedGeneration: 3, updatedReplicas: 2, replicas: 2, availableReplicas: 2 }))).toBeUndefined();
    const ds = { metadata: { name: 'c', generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2 } };
    expect(rolloutPending('DaemonSet', ds)).toBe('2 of 3 updated pods are available');
  });
});

describe('hidden_fields', () => {
  it('removes dotted paths', () => {
    expect(hideFields({ metadata: { name: 'a', managedFields: [1] } }, ['metadata.managedFields'])).toEqual({ metadata: { name: 'a' } });
  });
});

describe('auth', () => {
  const dir = tempDir('philote-k8s-auth-');
  const kubeconfig = join(dir, 'config');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: lab, cluster: {server: "https://127.0.0.1:6443"}}, {name: other, cluster: {server: "https://127.0.0.2:6443"}}]',
      'users: [{name: u, user: {token: abc}}]',
      'contexts: [{name: lab, context: {cluster: lab, user: u}}, {name: other, context: {cluster: other, user: u}}]',
      'current-context: lab',
    ].join('\n'),
  );
  it('reads K8S_AUTH_* when arguments are absent, arguments first', () => {
    const spec = resolveAuthSpec({ context: 'other' }, { K8S_AUTH_KUBECONFIG: kubeconfig, K8S_AUTH_CONTEXT: 'lab', K8S_AUTH_VERIFY_SSL: 'no', HOME: dir });
    expect(spec.kubeconfig).toBe(kubeconfig);
    expect(spec.context).toBe('other');
    expect(spec.validate_certs).toBe(false);
    const kc = buildKubeConfig(spec);
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.2:6443');
    expect(kc.getCurrentCluster()?.skipTLSVerify).toBe(true);
  });
  it('uses KUBECONFIG, and host + api_key need no kubeconfig', () => {
    expect(buildKubeConfig(resolveAuthSpec({}, { KUBECONFIG: kubeconfig, HOME: dir })).getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    const kc = buildKubeConfig(resolveAuthSpec({ host: 'https://10.0.0.1:6443/', api_key: 't0k' }, { HOME: dir }));
    expect(kc.getCurrentCluster()?.server).toBe('https://10.0.0.1:6443');
    expect(kc.getCurrentUser()?.token).toBe('t0k');
  });
  it('explains a missing kubeconfig or context', () => {
    expect(() => buildKubeConfig(resolveAuthSpec({ kubeconfig: join(dir, 'nope') }, { HOME: dir }))).toThrow(/kubeconfig file '.*nope' does not exist/);
    expect(() => buildKubeConfig(resolveAuthSpec({}, { HOME: dir }))).toThrow(/no kubeconfig found/);
    expect(() => buildKubeConfig(resolveAuthSpec({ kubeconfig, context: 'zzz' }, { HOME: dir }))).toThrow(/context 'zzz' not found/);
  });
});

describe('node inventory', async () => {
  const { nodesToInventory } = await import('../../../src/modules/k8s/inventory.js');
  it('groups control plane and workers, roles and labels; ansible_host from InternalIP', () => {
    const node = (name: string, ip: string, labels: Record<string, string>) => ({
      metadata: { name, labels },
      status: { addresses: [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: 'True' }] },
      spec: { podCIDR: '10.42.0.0/24' },
    });
    const inv = nodesToInventory([
      node('node2', '10.0.0.12', { 'kubernetes.io/os': 'linux' }),
      node('node1', '10.0.0.11', { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true', 'kubernetes.io/os': 'linux' }),
    ]);
    expect(inv.hosts.map((h) => [h.name, h.vars['ansible_host'], h.vars['k8s_ready']])).toEqual([
      ['node1', '10.0.0.11', true],
      ['node2', '10.0.0.12', true],
    ]);
    expect(inv.groups['control_plane']).toEqual(['node1']);
    expect(inv.groups['workers']).toEqual(['node2']);
    expect(inv.groups['role_master']).toEqual(['node1']);
    expect(inv.groups['label_kubernetes_io_os_linux']).toEqual(['node1', 'node2']);
  });
});

describe('client cache', async () => {
  const { getClient } = await import('../../../src/modules/k8s/client/client.js');
  it('one client per kubeconfig and context for the run', () => {
    const dir = tempDir('philote-k8s-cache-');
    const kubeconfig = join(dir, 'kc');
    writeFileSync(kubeconfig, 'clusters: [{name: a, cluster: {server: "http://127.0.0.1:1"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: a, context: {cluster: a, user: u}}, {name: b, context: {cluster: a, user: u}}]\ncurrent-context: a\n');
    const one = getClient({ kubeconfig }, { HOME: dir });
    expect(getClient({ kubeconfig }, { HOME: dir })).toBe(one);
    expect(getClient({}, { HOME: dir, K8S_AUTH_KUBECONFIG: kubeconfig })).toBe(one);
    expect(getClient({ kubeconfig, context: 'b' }, { HOME: dir })).not.toBe(one);
  });
});
