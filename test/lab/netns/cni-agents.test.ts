/**
 * The lab's simulated CNI agents and firewall (src/lab/netns/cni-agents.ts, firewall.ts) on real
 * parts: two lab nodes with a default-deny ufw, the API simulator, kubectl. A Cilium DaemonSet
 * applied with kubectl gets, on every node, a data plane that exchanges real UDP (tunnel port) and
 * TCP (health port) packets between the node namespaces; `cilium-dbg status` in an agent pod
 * (pods/exec) reports what the firewall lets through. The agent, not anyone else, writes the
 * node's CNI config when a CiliumNodeConfig makes it take over, setting the others aside.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../../src/lab/index.js';
import { uniqueLabName } from '../../helpers/lab-name.js';

let lab: Lab;

function kubectl(args: string[], input?: string): string {
  const r = spawnSync('kubectl', ['--kubeconfig', lab.kubeconfigPath!, ...args], { encoding: 'utf8', input });
  expect(r.status, `kubectl ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

const CILIUM = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ciliumnodeconfigs.cilium.io}
spec:
  group: cilium.io
  scope: Namespaced
  names: {kind: CiliumNodeConfig, listKind: CiliumNodeConfigList, plural: ciliumnodeconfigs, singular: ciliumnodeconfig}
  versions: [{name: v2, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {tunnel-port: "8473", custom-cni-conf: "true", cluster-pool-ipv4-cidr: 10.245.0.0/16}
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
      tolerations: [{operator: Exists}]
      containers: [{name: cilium-agent, image: "quay.io/cilium/cilium:v1.16.5"}]
`;

const agent = (node: string): string => kubectl(['-n', 'kube-system', 'get', 'pod', '-l', 'k8s-app=cilium', '--field-selector', `spec.nodeName=${node}`, '-o', 'jsonpath={.items[0].metadata.name}']);
const health = (node: string): string => kubectl(['-n', 'kube-system', 'exec', agent(node), '--', 'cilium-dbg', 'status']);

/** Polls `cilium-dbg status` on `node` until its cluster health line matches (the data plane beats every 0.5 s). */
async function waitHealth(node: string, want: RegExp): Promise<string> {
  let last = '';
  for (let i = 0; i < 40; i++) {
    try {
      last = health(node);
      if (want.test(last)) return last;
    } catch {
      /* agent pod not running yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

describe('simulated CNI agents and the default-deny lab firewall', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('cniagents'), nodes: 2, kube: true, firewall: true });
  }, 120_000);
  afterAll(async () => {
    await lab?.down();
  });

  it('tunnel and health traffic flows only where the firewall lets it; takeover writes the conflist', async () => {
    expect((await lab.exec('node1', 'ufw status')).stdout).toMatch(/Status: active/);
    await lab.exec('node2', 'mkdir -p /etc/cni/net.d && echo {} > /etc/cni/net.d/10-calico.conflist');
    kubectl(['apply', '-f', '-'], CILIUM);

    // Default deny: Cilium's ports are closed on both nodes, each agent sees only itself.
    expect(await waitHealth('node1', /Cluster health: +1\/2 reachable/)).toMatch(/Unreachable nodes: +node2 \(10\.213\.0\.11\)/);
    await new Promise((r) => setTimeout(r, 3000));
    expect(health('node2')).toMatch(/Cluster health: +1\/2 reachable/);

    // Ports open on both: every agent reaches every other.
    for (const n of ['node1', 'node2']) await lab.exec(n, 'ufw allow 8473/udp && ufw allow 4240/tcp');
    expect(await waitHealth('node1', /Cluster health: +2\/2 reachable/)).toMatch(/2\/2 reachable/);
    expect(await waitHealth('node2', /Cluster health: +2\/2 reachable/)).toMatch(/2\/2 reachable/);

    // Only the health port closed again on node2: both sides see it.
    await lab.exec('node2', 'ufw delete allow 4240/tcp');
    expect(await waitHealth('node1', /Cluster health: +1\/2 reachable/)).toMatch(/1\/2 reachable/);
    expect(await waitHealth('node2', /Cluster health: +1\/2 reachable/)).toMatch(/1\/2 reachable/);

    // custom-cni-conf "true": no agent wrote a CNI config.
    expect((await lab.exec('node2', 'ls /etc/cni/net.d')).stdout.trim()).toBe('10-calico.conflist');
    // A CiliumNodeConfig for labelled nodes, node2 labelled, its agent restarted: it takes over.
    kubectl(['apply', '-f', '-'], 'apiVersion: cilium.io/v2\nkind: CiliumNodeConfig\nmetadata: {name: cilium-default, namespace: kube-system}\nspec:\n  nodeSelector: {matchLabels: {io.cilium.migration/cilium-default: "true"}}\n  defaults: {write-cni-conf-when-ready: /host/etc/cni/net.d/05-cilium.conflist, custom-cni-conf: "false", cni-exclusive: "true"}\n');
    kubectl(['label', 'node', 'node2', 'io.cilium.migration/cilium-default=true']);
    kubectl(['-n', 'kube-system', 'delete', 'pod', agent('node2'), '--wait=true']);
    let files = '';
    for (let i = 0; i < 40 && !files.includes('05-cilium'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      files = (await lab.exec('node2', 'ls /etc/cni/net.d')).stdout;
    }
    expect(files.trim().split('\n')).toEqual(['05-cilium.conflist', '10-calico.conflist.cilium_bak']);
    expect(JSON.parse((await lab.exec('node2', 'cat /etc/cni/net.d/05-cilium.conflist')).stdout).plugins[0].type).toBe('cilium-cni');
    expect((await lab.exec('node1', 'ls /etc/cni/net.d 2>/dev/null')).stdout).not.toContain('cilium');
  }, 120_000);
});
