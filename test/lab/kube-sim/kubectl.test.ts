// kubectl 1.32 (Debian's kubernetes-client) against the simulator seeded as a K3s cluster
// running Calico: the commands of the CNI migration runbooks (seeds 003/004), unmodified.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, startSim, waitFor } from './helpers.js';

type Sim = Awaited<ReturnType<typeof startSim>>;
let sim: Sim;
const k = (...args: string[]) => kubectl(sim, args);
const ok = async (...args: string[]): Promise<string> => {
  const r = await k(...args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
};
const json = async <T = any>(...args: string[]): Promise<T> => JSON.parse(await ok(...args, '-o', 'json')) as T; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  sim = await startSim({ seed: 'k3s-calico' });
});
afterAll(() => sim?.close());

describe('kubectl against the simulator', () => {
  it('get: nodes with roles and InternalIP, pods across namespaces, discovery, NotFound message', async () => {
    const nodes = await ok('get', 'nodes', '-o', 'wide');
    expect(nodes).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP/);
    expect(nodes).toMatch(/node1\s+Ready\s+control-plane,master\s+\S+\s+v1\.32\.4\+k3s1\s+10\.99\.0\.11/);
    await waitFor('seeded workloads running', async () => (await json('get', 'pods', '-A')).items.every((p: any) => p.status.phase === 'Running')); // eslint-disable-line @typescript-eslint/no-explicit-any
    const pods = await ok('get', 'pods', '-n', 'calico-system', '-l', 'k8s-app=calico-node', '-o', 'wide');
    expect(pods.trim().split('\n')).toHaveLength(4);
    expect(pods).toMatch(/calico-node-\w{5}\s+1\/1\s+Running/);
    const res = await ok('api-resources');
    expect(res).toMatch(/poddisruptionbudgets\s+pdb\s+policy\/v1\s+true\s+PodDisruptionBudget/);
    expect(res).toMatch(/ippools\s+crd\.projectcalico\.org\/v1\s+false\s+IPPool/);
    const nf = await k('get', 'pod', 'nope');
    expect(nf.code).toBe(1);
    expect(nf.stderr).toMatch(/Error from server \(NotFound\): pods "nope" not found/);
    const cidr = await ok('get', 'installations.operator.tigera.io', 'default', '-o', 'jsonpath={.spec.calicoNetwork.ipPools[*].cidr}');
    expect(cidr).toBe('10.42.0.0/16');
  });

  it('apply --server-side creates, is idempotent, reports conflicts, and --force-conflicts wins', async () => {
    const file = join(sim.dir, 'cm.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa, namespace: default}\ndata: {mode: calico}\n');
    expect(await ok('apply', '--server-side', '-f', file)).toBe('configmap/ssa serverside-applied\n');
    const rv1 = (await json('get', 'cm', 'ssa')).metadata.resourceVersion;
    // Across a second boundary: the managedFields timestamp alone must not make it a write.
    await new Promise((r) => setTimeout(r, 1100));
    await ok('apply', '--server-side', '-f', file);
    expect((await json('get', 'cm', 'ssa')).metadata.resourceVersion).toBe(rv1); // no-op apply: same resourceVersion
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa, namespace: default}\ndata: {mode: cilium}\n');
    const c = await k('apply', '--server-side', '--field-manager', 'other', '-f', file);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toMatch(/Apply failed with 1 conflict: conflict with "kubectl" using v1: \.data\.mode/);
    await ok('apply', '--server-side', '--field-manager', 'other', '--force-conflicts', '-f', file);
    expect((await json('get', 'cm', 'ssa')).data).toEqual({ mode: 'cilium' });
  });

  it('a no-op apply after another manager\'s update (rollout restart) changes nothing: managedFields keep their order', async () => {
    const file = join(sim.dir, 'ds.yaml');
    writeFileSync(file, 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: ssa-ds, namespace: default}\nspec:\n  selector: {matchLabels: {app: ssa-ds}}\n  template:\n    metadata: {labels: {app: ssa-ds}}\n    spec: {containers: [{name: c, image: pause}]}\n');
    await ok('apply', '--server-side', '-f', file);
    await ok('rollout', 'restart', 'ds/ssa-ds');
    // Let the controller finish the restart first: its status writes would move managedFields under load.
    await ok('rollout', 'status', 'ds/ssa-ds', '--timeout=60s');
    const withFields = async () => JSON.parse(await ok('get', 'ds', 'ssa-ds', '-o', 'json', '--show-managed-fields'));
    const before = await withFields();
    await ok('apply', '--server-side', '-f', file);
    const after = await withFields();
    expect(after.metadata.generation).toBe(before.metadata.generation); // (resourceVersion moves: the controller writes status)
    expect(after.metadata.managedFields.map((m: { manager: string }) => m.manager)).toEqual(before.metadata.managedFields.map((m: { manager: string }) => m.manager));
    expect(after.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    // A dry-run no-op apply answers the object as it is (kubernetes.core's check mode compares it).
    await new Promise((r) => setTimeout(r, 1100));
    const settled = await withFields();
    const dry = JSON.parse(await ok('apply', '--server-side', '--dry-run=server', '-o', 'json', '--show-managed-fields', '-f', file));
    expect(dry.metadata.managedFields).toEqual(settled.metadata.managedFields);
  });

  it('label and cordon: the label is set, a cordoned node gets no new pods, uncordon reverts', async () => {
    await ok('label', 'node', 'node3', '--overwrite', 'io.cilium.migration/cilium-default=true');
    expect((await json('get', 'node', 'node3')).metadata.labels['io.cilium.migration/cilium-default']).toBe('true');
    expect(await ok('get', 'nodes', '-l', 'io.cilium.migration/cilium-default=true', '-o', 'name')).toBe('node/node3\n');
    await ok('label', 'node', 'node3', 'io.cilium.migration/cilium-default-');
    expect(await ok('cordon', 'node3')).toBe('node/node3 cordoned\n');
    expect(await ok('get', 'node', 'node3')).toMatch(/Ready,SchedulingDisabled/);
    writeFileSync(join(sim.dir, 'spread.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: spread, namespace: default}\nspec:\n  replicas: 4\n  selector: {matchLabels: {app: spread}}\n  template:\n    metadata: {labels: {app: spread}}\n    spec: {containers: [{name: c, image: nginx}]}\n');
    await ok('create', '-f', join(sim.dir, 'spread.yaml'));
    await waitFor('4 spread pods running', async () => (await json('get', 'pods', '-l', 'app=spread')).items.filter((p: any) => p.status.phase === 'Running').length === 4); // eslint-disable-line @typescript-eslint/no-explicit-any
    const where = (await json('get', 'pods', '-l', 'app=spread')).items.map((p: any) => p.spec.nodeName); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(where).not.toContain('node3');
    expect(await ok('uncordon', 'node3')).toBe('node/node3 uncordoned\n');
    expect((await json('get', 'node', 'node3')).spec.unschedulable).toBeUndefined();
    await ok('delete', 'deployment', 'spread');
  });

  it('drain --ignore-daemonsets waits on a blocking PodDisruptionBudget (429) and finishes once it is relaxed', async () => {
    const node = 'node2';
    const drainOut = await k('drain', node, '--timeout=5s');
    expect(drainOut.code).not.toBe(0);
    expect(drainOut.stderr).toMatch(/cannot delete DaemonSet-managed Pods \(use --ignore-daemonsets to ignore\): calico-system\/calico-node-\w{5}/);
    await ok('uncordon', node);
    // Seeded apps/web has 3 replicas, one per node; tighten its PDB so no eviction is allowed.
    await ok('patch', 'pdb', 'web', '-n', 'apps', '--type=merge', '-p', '{"spec":{"minAvailable":3}}');
    await waitFor('pdb status', async () => (await json('get', 'pdb', 'web', '-n', 'apps')).status.disruptionsAllowed === 0);
    const child = spawn('kubectl', ['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s'], { env: { ...process.env, KUBECONFIG: sim.kubeconfigPath, HOME: sim.dir } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
    await waitFor('a refused eviction', () => out.includes("Cannot evict pod as it would violate the pod's disruption budget."), 20_000);
    expect(out).toMatch(/error when evicting pods\/"web-\w+-\w{5}" -n "apps" \(will retry after 5s\)/);
    expect((await json('get', 'pods', '-n', 'apps', '-l', 'app=web', '--field-selector', `spec.nodeName=${node}`)).items).toHaveLength(1);
    await ok('patch', 'pdb', 'web', '-n', 'apps', '--type=merge', '-p', '{"spec":{"minAvailable":2}}');
    expect(await exited).toBe(0);
    expect(out).toMatch(new RegExp(`node/${node} drained`));
    const left = (await json('get', 'pods', '-A', '--field-selector', `spec.nodeName=${node}`)).items;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(left.filter((p: any) => p.metadata.ownerReferences?.[0]?.kind !== 'DaemonSet').map((p: any) => p.metadata.name)).toEqual([]);
    await ok('uncordon', node);
  }, 60_000);

  it('rollout restart and rollout status for a DaemonSet and a Deployment', async () => {
    const before = (await json('get', 'pods', '-n', 'calico-system', '-l', 'k8s-app=calico-node')).items.map((p: any) => p.metadata.name).sort(); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(await ok('rollout', 'restart', '-n', 'calico-system', 'ds/calico-node')).toBe('daemonset.apps/calico-node restarted\n');
    const st = await ok('rollout', 'status', '-n', 'calico-system', 'ds/calico-node', '--timeout=30s');
    expect(st).toMatch(/daemon set "calico-node" successfully rolled out/);
    const after = (await json('get', 'pods', '-n', 'calico-system', '-l', 'k8s-app=calico-node')).items; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(after).toHaveLength(3);
    expect(after.map((p: any) => p.metadata.name).filter((n: string) => before.includes(n))).toEqual([]); // eslint-disable-line @typescript-eslint/no-explicit-any
    await ok('rollout', 'restart', '-n', 'kube-system', 'deployment/coredns');
    expect(await ok('rollout', 'status', '-n', 'kube-system', 'deployment/coredns', '--timeout=30s')).toMatch(/deployment "coredns" successfully rolled out/);
    const dep = await json('get', 'deploy', 'coredns', '-n', 'kube-system');
    expect(dep.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
    expect(dep.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
  }, 60_000);

  it('a CRD applied then its custom resources in the same run; deleting the CRD removes the kind', async () => {
    const crd = join(sim.dir, 'crd.yaml');
    writeFileSync(
      crd,
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ciliumnodeconfigs.cilium.io}
spec:
  group: cilium.io
  scope: Namespaced
  names: {kind: CiliumNodeConfig, plural: ciliumnodeconfigs, singular: ciliumnodeconfig, listKind: CiliumNodeConfigList}
  versions:
  - {name: v2, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
  - {name: v2alpha1, served: true, storage: false, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
`,
    );
    const cnc = join(sim.dir, 'cnc.yaml');
    writeFileSync(cnc, 'apiVersion: cilium.io/v2alpha1\nkind: CiliumNodeConfig\nmetadata: {namespace: kube-system, name: cilium-default}\nspec:\n  nodeSelector:\n    matchLabels: {io.cilium.migration/cilium-default: "true"}\n  defaults: {custom-cni-conf: "false"}\n');
    expect((await k('get', 'ciliumnodeconfigs', '-A')).stderr).toMatch(/the server doesn't have a resource type "ciliumnodeconfigs"/);
    await ok('apply', '--server-side', '-f', crd);
    await ok('wait', '--for=condition=Established', 'crd/ciliumnodeconfigs.cilium.io', '--timeout=10s');
    expect(await ok('apply', '--server-side', '-f', cnc)).toBe('ciliumnodeconfig.cilium.io/cilium-default serverside-applied\n');
    expect(await ok('get', 'ciliumnodeconfig', '-n', 'kube-system')).toMatch(/cilium-default/);
    // A real server converts between versions; the simulator serves the stored object as-is.
    expect((await json('get', 'ciliumnodeconfigs.v2.cilium.io', 'cilium-default', '-n', 'kube-system')).apiVersion).toBe('cilium.io/v2');
    await ok('delete', '-n', 'kube-system', 'ciliumnodeconfig', 'cilium-default');
    await ok('delete', 'crd', 'ciliumnodeconfigs.cilium.io');
    // kubectl's discovery cache still knows the kind (as with a real server), so ask afresh.
    expect(await ok('api-resources', '--api-group=cilium.io')).not.toMatch(/ciliumnodeconfigs/);
    expect((await k('get', '--raw', '/apis/cilium.io/v2')).stderr).toMatch(/NotFound/);
  });

  it('kubectl create generators (protobuf request bodies): namespace, deployment, configmap, secret, pdb', async () => {
    await ok('create', 'namespace', 'gen');
    await ok('create', 'deployment', 'gd', '-n', 'gen', '--image=nginx:1.27', '--replicas=2', '--port=80');
    await ok('create', 'configmap', 'gc', '-n', 'gen', '--from-literal=a=1');
    await ok('create', 'secret', 'generic', 'gs', '-n', 'gen', '--from-literal=p=x');
    await ok('create', 'pdb', 'gd', '-n', 'gen', '--selector=app=gd', '--max-unavailable=1');
    const d = await json('get', 'deploy', 'gd', '-n', 'gen');
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.strategy.type).toBe('RollingUpdate');
    expect(d.spec.template.spec.containers).toMatchObject([{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] }]);
    expect((await json('get', 'cm', 'gc', '-n', 'gen')).data).toEqual({ a: '1' });
    expect((await json('get', 'secret', 'gs', '-n', 'gen')).data).toEqual({ p: Buffer.from('x').toString('base64') });
    expect((await json('get', 'pdb', 'gd', '-n', 'gen')).spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { app: 'gd' } } });
    expect(await ok('rollout', 'status', '-n', 'gen', 'deploy/gd', '--timeout=20s')).toMatch(/successfully rolled out/);
  });

  it('delete pods by label and node (the migration step): the DaemonSet recreates them', async () => {
    const sel = ['-n', 'calico-system', '-l', 'k8s-app=calico-node', '--field-selector', 'spec.nodeName=node1'];
    const old = (await json('get', 'pods', ...sel)).items[0].metadata.name;
    expect(await ok('delete', 'pod', ...sel)).toBe(`pod "${old}" deleted\n`);
    await waitFor('a new calico-node on node1', async () => (await json('get', 'pods', ...sel)).items.some((p: any) => p.metadata.name !== old && p.status.phase === 'Running')); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(await ok('rollout', 'status', '-n', 'calico-system', 'ds/calico-node', '--timeout=20s')).toMatch(/successfully rolled out/);
  });
});
