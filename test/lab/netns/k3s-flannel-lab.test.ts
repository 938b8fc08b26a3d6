/**
 * The Flannel lab (`lab up --flannel --kube`) on real parts: two lab nodes running the simulated
 * K3s (src/lab/netns/k3s-service.ts) behind a stand-in systemctl, the API simulator, kubectl.
 * The fault a migration can make here: the K3s server restarted with flannel-backend none but an
 * agent not restarted. That agent keeps running Flannel (it took the server's settings when it
 * started), so the Calico agent on it does not take the node over: no 10-calico.conflist there,
 * and its `calico-node -felix-ready` fails; once the agent restarts, it does, and BGP is
 * established between the nodes over real packets.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../../src/lab/index.js';
import { uniqueLabName } from '../../helpers/lab-name.js';

let lab: Lab;

function kubectl(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('kubectl', ['--kubeconfig', lab.kubeconfigPath!, ...args], { encoding: 'utf8', input });
}

const CALICO_NODE = `
apiVersion: v1
kind: Namespace
metadata: {name: calico-system}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: calico-system, labels: {k8s-app: calico-node}}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec:
      hostNetwork: true
      tolerations: [{operator: Exists}]
      containers: [{name: calico-node, image: "docker.io/calico/node:v3.28.2"}]
`;

async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `calico-node <flag>` in the calico-node pod on `node`, through pods/exec. */
function calicoCheck(node: string, flag: string): { status: number | null; stdout: string } {
  const pod = kubectl(['-n', 'calico-system', 'get', 'pods', '-l', 'k8s-app=calico-node', '--field-selector', `spec.nodeName=${node}`, '-o', 'jsonpath={.items[0].metadata.name}']).stdout;
  return kubectl(['-n', 'calico-system', 'exec', pod, '--', 'calico-node', flag]);
}

describe('Flannel lab: simulated K3s units and Calico takeover', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('k3sfl'), nodes: 2, flannel: true, kube: true });
  }, 120_000);

  afterAll(async () => {
    await lab?.down();
  });

  it('systemctl knows the K3s units (k3s on the server, k3s-agent on the agent) and only those', async () => {
    const s = await lab.exec('node1', 'systemctl show k3s --no-pager; systemctl is-active k3s-agent; systemctl restart nope; echo rc=$?');
    expect(s.stdout).toMatch(/^LoadState=loaded$/m);
    expect(s.stdout).toMatch(/^ActiveState=active$/m);
    expect(s.stdout).toMatch(/^inactive\nrc=5$/m);
    expect(s.stderr).toContain('Unit nope.service not found.');
    expect((await lab.exec('node2', 'systemctl is-active k3s-agent')).stdout.trim()).toBe('active');
  });

  it('an agent not restarted keeps Flannel and Calico cannot take it over; restarted, it can', async () => {
    const cfg = '/etc/rancher/k3s/config.yaml';
    const s = await lab.exec('node1', `printf 'flannel-backend: none\\n' >> ${cfg} && systemctl restart k3s`);
    expect(s.rc, s.stderr).toBe(0);
    const apply = kubectl(['apply', '-f', '-'], CALICO_NODE);
    expect(apply.status, apply.stderr).toBe(0);
    await until('Calico to take node1 over', async () => (await lab.exec('node1', 'ls /etc/cni/net.d')).stdout.includes('10-calico.conflist'));
    // node2's agent still runs Flannel: its calico-node runs, but writes nothing and has no data plane.
    await until('calico-node on node2', async () => kubectl(['-n', 'calico-system', 'get', 'pods', '--field-selector', 'spec.nodeName=node2,status.phase=Running', '-o', 'name']).stdout.trim() !== '');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await lab.exec('node2', 'ls /etc/cni/net.d')).stdout.trim()).toBe('10-flannel.conflist');
    const felix2 = calicoCheck('node2', '-felix-ready');
    expect(felix2.status).not.toBe(0);
    expect(felix2.stdout).toContain('calico/node is not ready: felix is not ready');

    const r = await lab.exec('node2', 'systemctl restart k3s-agent');
    expect(r.rc, r.stderr).toBe(0);
    await until('Calico to take node2 over', async () => (await lab.exec('node2', 'ls /etc/cni/net.d')).stdout.includes('10-calico.conflist'));
    // BGP between the two nodes: real TCP 179 and UDP 4789 packets between their namespaces.
    await until('BGP established on both nodes', async () => calicoCheck('node1', '-bird-ready').status === 0 && calicoCheck('node2', '-bird-ready').status === 0);
    // K3s without Flannel removes nothing: Flannel's leftovers stay until someone deletes them.
    expect((await lab.exec('node2', 'ip -o link show flannel.1 >/dev/null && ls /etc/cni/net.d')).stdout.split('\n')).toEqual(expect.arrayContaining(['10-calico.conflist', '10-flannel.conflist']));
  }, 90_000);
});
