// The CNI IP rule (src/lab/kube-sim/cni.ts), driven by the node-by-node Calico→Cilium steps of
// seeds 003/004 with kubectl: a labeled node keeps handing out Calico IPs until its Cilium agent
// pod is recreated; after that new pods there get Cilium's pool; other nodes stay on Calico.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, startSim, waitFor } from './helpers.js';

type Sim = Awaited<ReturnType<typeof startSim>>;
let sim: Sim;
const ok = async (...args: string[]): Promise<string> => {
  const r = await kubectl(sim, args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

const CILIUM = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ciliumnodeconfigs.cilium.io}
spec:
  group: cilium.io
  scope: Namespaced
  names: {kind: CiliumNodeConfig, plural: ciliumnodeconfigs, singular: ciliumnodeconfig, listKind: CiliumNodeConfigList}
  versions:
  - {name: v2, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
  - {name: v2alpha1, served: true, storage: false, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ciliumnodes.cilium.io}
spec:
  group: cilium.io
  scope: Cluster
  names: {kind: CiliumNode, plural: ciliumnodes, singular: ciliumnode, listKind: CiliumNodeList, shortNames: [cn]}
  versions:
  - {name: v2, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {ipam: cluster-pool, cluster-pool-ipv4-cidr: 10.245.0.0/16, cluster-pool-ipv4-mask-size: "24", custom-cni-conf: "true"}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system, labels: {k8s-app: cilium}}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec:
      hostNetwork: true
      containers: [{name: cilium-agent, image: quay.io/cilium/cilium:v1.16.5}]
`;
const CNC = `apiVersion: cilium.io/v2alpha1
kind: CiliumNodeConfig
metadata: {namespace: kube-system, name: cilium-default}
spec:
  nodeSelector:
    matchLabels: {io.cilium.migration/cilium-default: "true"}
  defaults:
    write-cni-conf-when-ready: /host/etc/cni/net.d/05-cilium.conflist
    custom-cni-conf: "false"
    cni-chaining-mode: "none"
    cni-exclusive: "true"
`;

async function podIP(name: string, node: string, hostNetwork = false): Promise<string> {
  writeFileSync(join(sim.dir, `${name}.yaml`), `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: default}\nspec:\n  nodeName: ${node}\n  hostNetwork: ${hostNetwork}\n  containers: [{name: c, image: nicolaka/netshoot}]\n`);
  await ok('apply', '-f', join(sim.dir, `${name}.yaml`));
  return waitFor(`${name} IP`, async () => (await ok('get', 'pod', name, '-o', 'jsonpath={.status.podIP}')) || undefined);
}

beforeAll(async () => {
  sim = await startSim({ seed: 'k3s-calico' });
  writeFileSync(join(sim.dir, 'cilium.yaml'), CILIUM);
  writeFileSync(join(sim.dir, 'cnc.yaml'), CNC);
  await ok('apply', '--server-side', '-f', join(sim.dir, 'cilium.yaml'));
  await ok('apply', '--server-side', '-f', join(sim.dir, 'cnc.yaml'));
  await ok('-n', 'kube-system', 'rollout', 'status', 'ds/cilium', '--timeout=20s');
});
afterAll(() => sim?.close());

describe('CNI IP rule', () => {
  it('Calico IPs (per-node /26 blocks of the IPPool) while Cilium runs without taking over', async () => {
    const blocks = await ok('get', 'ipamblocks.crd.projectcalico.org', '-o', "jsonpath={range .items[*]}{.spec.cidr} {.spec.affinity}{'\\n'}{end}");
    expect(blocks).toMatch(/^10\.42\.0\.64\/26 host:node2$/m);
    expect(await podIP('before', 'node2')).toMatch(/^10\.42\.0\.(6[5-9]|[7-9]\d|1[01]\d|12[0-7])$/);
    expect(await podIP('host', 'node2', true)).toBe('10.99.0.12'); // hostNetwork: the node's InternalIP
  });

  it('a labeled node keeps Calico until its Cilium agent is recreated, then hands out Cilium IPs', async () => {
    await ok('label', 'node', 'node2', '--overwrite', 'io.cilium.migration/cilium-default=true');
    expect(await podIP('labeled', 'node2')).toMatch(/^10\.42\./);
    const old = await ok('-n', 'kube-system', 'get', 'pod', '-l', 'k8s-app=cilium', '--field-selector', 'spec.nodeName=node2', '-o', 'name');
    await ok('-n', 'kube-system', 'delete', 'pod', '-l', 'k8s-app=cilium', '--field-selector', 'spec.nodeName=node2');
    await ok('-n', 'kube-system', 'rollout', 'status', 'ds/cilium', '--timeout=20s');
    expect(await ok('-n', 'kube-system', 'get', 'pod', '-l', 'k8s-app=cilium', '--field-selector', 'spec.nodeName=node2', '-o', 'name')).not.toBe(old);
    expect(await podIP('after', 'node2')).toMatch(/^10\.245\.1\.\d+$/);
    expect(await ok('get', 'ciliumnode', 'node2', '-o', 'jsonpath={.spec.ipam.podCIDRs[0]}')).toBe('10.245.1.0/24');
    // Existing pods keep their address until they are recreated; other nodes stay on Calico.
    expect(await ok('get', 'pod', 'labeled', '-o', 'jsonpath={.status.podIP}')).toMatch(/^10\.42\./);
    expect(await podIP('other', 'node3')).toMatch(/^10\.42\./);
  });

  it('Flannel to Calico (seed 002): node podCIDR first, the Installation pool once calico-node runs there', async () => {
    const fl = await startSim({ cni: 'flannel' });
    const run = (...args: string[]) => kubectl(fl, args);
    try {
      expect((await run('get', 'ns', 'calico-system')).code).toBe(1); // the k3s-flannel seed has no Calico
      const pod = (name: string, node: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: default}\nspec: {nodeName: ${node}, containers: [{name: c, image: busybox}]}\n`;
      const ipOf = (name: string) => waitFor(`${name} IP`, async () => (await run('get', 'pod', name, '-o', 'jsonpath={.status.podIP}')).stdout || undefined);
      writeFileSync(join(fl.dir, 'p1.yaml'), pod('p1', 'node2'));
      await run('apply', '-f', join(fl.dir, 'p1.yaml'));
      expect(await ipOf('p1')).toMatch(/^10\.42\.1\.\d+$/); // node2's spec.podCIDR 10.42.1.0/24
      writeFileSync(
        join(fl.dir, 'calico.yaml'),
        `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: installations.operator.tigera.io}
spec:
  group: operator.tigera.io
  scope: Cluster
  names: {kind: Installation, plural: installations, singular: installation, listKind: InstallationList}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]
---
apiVersion: v1
kind: Namespace
metadata: {name: calico-system}
`,
      );
      writeFileSync(
        join(fl.dir, 'calico2.yaml'),
        `apiVersion: operator.tigera.io/v1
kind: Installation
metadata: {name: default}
spec: {calicoNetwork: {ipPools: [{cidr: 10.244.0.0/16, blockSize: 26, encapsulation: VXLAN}]}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: calico-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec: {hostNetwork: true, containers: [{name: calico-node, image: calico/node:v3.29.1}]}
`,
      );
      expect((await run('apply', '--server-side', '-f', join(fl.dir, 'calico.yaml'))).code).toBe(0);
      expect((await run('apply', '--server-side', '-f', join(fl.dir, 'calico2.yaml'))).code).toBe(0);
      expect((await run('-n', 'calico-system', 'rollout', 'status', 'ds/calico-node', '--timeout=20s')).code).toBe(0);
      expect((await run('get', 'pod', 'p1', '-o', 'jsonpath={.status.podIP}')).stdout).toMatch(/^10\.42\.1\./); // unchanged until recreated
      writeFileSync(join(fl.dir, 'p2.yaml'), pod('p2', 'node2'));
      await run('apply', '-f', join(fl.dir, 'p2.yaml'));
      expect(await ipOf('p2')).toMatch(/^10\.244\.0\.(6[5-9]|[7-9]\d|1[01]\d|12[0-7])$/); // node2's /26 block
    } finally {
      await fl.close();
    }
  });

  it('a recreated agent on an unlabeled node does not take over', async () => {
    await ok('-n', 'kube-system', 'delete', 'pod', '-l', 'k8s-app=cilium', '--field-selector', 'spec.nodeName=node3');
    await ok('-n', 'kube-system', 'rollout', 'status', 'ds/cilium', '--timeout=20s');
    expect(await podIP('still-calico', 'node3')).toMatch(/^10\.42\./);
  });

  it('a reboot (NotReady, then Ready) of a labeled node restarts its agent and pods: they come back with Cilium IPs', async () => {
    await ok('label', 'node', 'node3', '--overwrite', 'io.cilium.migration/cilium-default=true');
    expect(await ok('get', 'pod', 'still-calico', '-o', 'jsonpath={.status.podIP}')).toMatch(/^10\.42\./);
    sim.setReachable('node3', false);
    await waitFor('node3 NotReady', async () => (await ok('get', 'node', 'node3')).includes('NotReady'));
    sim.setReachable('node3', true);
    await waitFor('node3 Ready', async () => / Ready /.test(await ok('get', 'node', 'node3')));
    const ip = await waitFor('a Cilium IP after the reboot', async () => {
      const v = await ok('get', 'pod', 'still-calico', '-o', 'jsonpath={.status.podIP}');
      return v.startsWith('10.245.') ? v : undefined;
    });
    expect(ip).toMatch(/^10\.245\.2\.\d+$/);
    expect(await ok('get', 'pod', 'still-calico', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}')).toBe('1');
    expect(await ok('get', 'pod', 'before', '-o', 'jsonpath={.status.podIP}')).toMatch(/^10\.42\./); // node2 was not rebooted
  });
});
