/**
 * End to end: the shipped playbooks/k3s-flannel-to-calico.yml, unchanged, run by the philote CLI on
 * a Flannel lab of 3 nodes (`lab up --flannel --kube --firewall`: real sshd, ip links, routes and
 * ufw in network namespaces; the simulated K3s, whose server and agents start Flannel or not from
 * their config when the playbook restarts their units; the Kubernetes API simulator with K3s and
 * Flannel). The simulated Calico agents, not the playbook, write 10-calico.conflist once a node's
 * K3s no longer runs Flannel, and exchange real UDP (4789) and TCP (179) packets between the node
 * namespaces, which `calico-node -bird-ready` in their pods reports.
 *
 * One lab, runs in order, each showing a promise with the fault that used to break it:
 *   P. a service CIDR change is asked for onto Calico's pool: the pre-flight stops, nothing changed.
 *   A. --check reads as a plan and changes nothing on the nodes or in the cluster.
 *   B. the firewall step skipped: the BGP check fails, naming the unreachable nodes.
 *   C. the full run: K3s server and agents restarted, Flannel's leftovers gone, every pod in
 *      Calico's pool, Calico's ports open and Flannel's closed, the service CIDR left alone.
 *   D. the same command again: rc 0, changed=0.
 *   E. rollback: the original cluster-cidr/service-cidr back (config.yaml as it was), Flannel back
 *      on every node, every pod in Flannel's network again.
 */
import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/lab/index.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { writeMigrationInventory } from '../../scripts/migration-inventory.js';
import { runCli, type CliRun } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = '/etc/rancher/k3s/config.yaml';

let lab: Lab;
let core: CoreV1Api;
let args: string[];
let originalConfig = '';
/** The K3s units' start times before any migration run (run B already restarts them, then fails). */
let startsBefore: string[] = [];

const play = (extra: string[] = []): Promise<CliRun> => runCli(['playbook', ...args, ...extra, 'playbooks/k3s-flannel-to-calico.yml'], { cwd: root });

async function podIps(): Promise<string[]> {
  const pods = (await core.listPodForAllNamespaces()).items;
  return pods.filter((p) => !p.spec?.hostNetwork && !p.metadata?.deletionTimestamp && p.status?.phase === 'Running').map((p) => `${p.spec?.nodeName} ${p.metadata?.name} ${p.status?.podIP ?? 'none'}`);
}

async function nodeState(node: string): Promise<string> {
  return (await lab.exec(node, `ip -o link | cut -d: -f2; ip route; ls /etc/cni/net.d /etc/rancher/k3s; cat ${CONFIG} /run/flannel/subnet.env 2>&1; ufw status`)).stdout;
}

/** When each node's K3s unit last started (the simulated K3s writes it at every start). */
async function unitStarts(): Promise<string[]> {
  return Promise.all(lab.nodes.map(async (n) => (await lab.exec(n.name, 'cat /run/lab/units/k3s.since /run/lab/units/k3s-agent.since 2>/dev/null')).stdout.trim()));
}

describe('k3s-flannel-to-calico.yml end to end on a Flannel lab, and back', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('e2efl'), nodes: 3, flannel: true, kube: true, firewall: true });
    const { inventoryDir, varsFile } = writeMigrationInventory(lab);
    args = ['-i', inventoryDir, '-e', `@${varsFile}`];
    const kc = new KubeConfig();
    kc.loadFromFile(lab.kubeconfigPath!);
    core = kc.makeApiClient(CoreV1Api);
    originalConfig = (await lab.exec('node1', `cat ${CONFIG}`)).stdout;
  }, 120_000);

  afterAll(async () => {
    await lab?.down();
  });

  it('starts as K3s with Flannel: flannel.1, cni0, 10-flannel.conflist, 8472/udp open, pods in 10.42.0.0/16', async () => {
    for (const n of lab.nodes) {
      const s = await nodeState(n.name);
      expect(s, n.name).toMatch(/^ flannel\.1$/m);
      expect(s, n.name).toMatch(/^ cni0$/m);
      expect(s, n.name).toMatch(/^10-flannel\.conflist$/m);
      expect(s, n.name).toMatch(/^8472\/udp +ALLOW/m);
    }
    const node2 = (await core.readNode({ name: 'node2' })).metadata?.annotations ?? {};
    expect(node2['flannel.alpha.coreos.com/backend-type']).toBe('vxlan');
    expect(node2['flannel.alpha.coreos.com/public-ip']).toBe('10.213.0.11');
    for (const p of await podIps()) expect(p).toMatch(/ 10\.42\.\d+\.\d+$/);
  });

  it('P: the service CIDR changes only when asked, and never onto Calico\'s pool: the pre-flight stops before any change', async () => {
    const before = await Promise.all(lab.nodes.map((n) => nodeState(n.name)));
    const r = await play(['-e', 'k3s_change_service_cidr=true', '-e', 'k3s_service_cidr=10.244.128.0/17']);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain('service CIDR changed to 10.244.128.0/17');
    expect(r.out).toContain("the new service CIDR 10.244.128.0/17 overlaps Calico's pool 10.244.0.0/16; nothing was changed");
    expect(r.out).not.toContain('PLAY [Open the ports');
    expect(await Promise.all(lab.nodes.map((n) => nodeState(n.name)))).toEqual(before);
  }, 60_000);

  it('A: --check reads as a plan and changes nothing', async () => {
    const before = await Promise.all(lab.nodes.map((n) => nodeState(n.name)));
    const pods = await podIps();
    const starts = await unitStarts();
    startsBefore = starts;
    const r = await play(['--check']);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain('"msg": "Flannel to Calico (10.244.0.0/16): node1, node2, node3; service CIDR left as it is"');
    expect(r.out).toMatch(/TASK \[Restart k3s-agent\][^\n]*\nchanged: \[node[23]\]\nchanged: \[node[23]\]/);
    expect(r.out).toContain('would install the Tigera operator and Calico');
    expect(await Promise.all(lab.nodes.map((n) => nodeState(n.name)))).toEqual(before);
    expect(await podIps()).toEqual(pods);
    expect(await unitStarts()).toEqual(starts);
    expect((await core.listNamespace()).items.map((n) => n.metadata?.name)).not.toContain('calico-system');
  }, 120_000);

  it('B: a missing firewall step is caught by the cross-node check over real packets', async () => {
    const r = await play(['--skip-tags', 'firewall', '-e', 'calico_ready_retries=1']);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toMatch(/node2: calico\/node is not ready: BIRD is not ready: BGP not established with 10\.213\.0\.10,10\.213\.0\.12;/);
    expect(r.out).toContain("are Calico's ports 179, 4789, 5473 open on every node?");
  }, 180_000);

  it('C: the migration: K3s server and agents restarted, Flannel gone, every pod on Calico, service CIDR untouched', async () => {
    const r = await play();
    expect(r.code, r.out).toBe(0);
    const after = await unitStarts();
    for (let i = 0; i < lab.nodes.length; i++) expect(after[i], lab.nodes[i]!.name).not.toBe(startsBefore[i]);
    for (const n of lab.nodes) {
      const s = await nodeState(n.name);
      expect(s, n.name).not.toMatch(/flannel\.1|cni0|10-flannel|FLANNEL_/);
      expect(s, n.name).toMatch(/^10-calico\.conflist$/m);
      expect(s, n.name).toMatch(/^4789\/udp +ALLOW/m);
      expect(s, n.name).not.toMatch(/^8472\/udp /m);
    }
    const config = (await lab.exec('node1', `cat ${CONFIG}`)).stdout;
    expect(config).toMatch(/^flannel-backend: none$/m);
    expect(config).toMatch(/^cluster-cidr: 10\.244\.0\.0\/16$/m);
    expect(config).toMatch(/^service-cidr: 10\.43\.0\.0\/16$/m);
    const pods = await podIps();
    expect(pods.length).toBeGreaterThan(4);
    for (const p of pods) expect(p).toMatch(/ 10\.244\.\d+\.\d+$/);
    expect(new Set(pods.map((p) => p.split(' ')[0])).size).toBe(3);
    expect(r.out).toMatch(/"node3 +10-calico\.conflist +10\.244\.0\.0\/16 +done"/);
  }, 180_000);

  it('D: started again after success it changes nothing', async () => {
    const r = await play();
    expect(r.code, r.out).toBe(0);
    for (const h of ['localhost', 'node1', 'node2', 'node3']) expect(r.out).toMatch(new RegExp(`${h}\\s+: ok=\\d+\\s+changed=0\\s+unreachable=0\\s+failed=0`));
  }, 120_000);

  it('E: rollback puts the original K3s values and Flannel back, pods return to Flannel', async () => {
    const r = await play(['-e', 'rollback=true']);
    expect(r.code, r.out).toBe(0);
    expect((await lab.exec('node1', `cat ${CONFIG}`)).stdout).toBe(originalConfig);
    for (const n of lab.nodes) {
      const s = await nodeState(n.name);
      expect(s, n.name).toMatch(/^ flannel\.1$/m);
      expect(s, n.name).toMatch(/^10-flannel\.conflist$/m);
      expect(s, n.name).not.toMatch(/calico|philote-flannel-original/);
      expect(s, n.name).toMatch(/^8472\/udp +ALLOW/m);
      expect(s, n.name).not.toMatch(/^4789\/udp /m);
    }
    const pods = await podIps();
    expect(pods.length).toBeGreaterThan(4);
    for (const p of pods) expect(p).toMatch(/ 10\.42\.\d+\.\d+$/);
    expect((await core.listNamespace()).items.map((n) => n.metadata?.name)).not.toContain('calico-system');
  }, 180_000);
});
