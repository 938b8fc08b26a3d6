/**
 * End to end: the shipped playbooks/calico-to-cilium-live.yml, unchanged, run by the philote CLI
 * against a lab of 4 nodes (real sshd, iptables, routes and links in network namespaces, with
 * Calico's host state and a default-deny ufw firewall that opens only SSH and Calico's ports) and
 * the Kubernetes API simulator running K3s with Calico. The simulated Cilium agents (not the
 * playbook) write a node's 05-cilium.conflist when the CiliumNodeConfig makes them take over, and
 * exchange real UDP (tunnel port) and TCP (health port) packets between the node namespaces, so
 * `cilium-dbg status` in an agent pod reports the cluster health the firewall allows.
 *
 * One lab, runs in order, each showing a promise with the fault that used to break it:
 *   A. --check reads as a plan and changes nothing on the nodes or in the cluster.
 *   B. the firewall step skipped (--skip-tags firewall): the connectivity check catches it on the
 *      first worker before uncordon; that node stays cordoned, its probe pod is removed, no other
 *      node is touched.
 *   P. a node cordoned by the operator: the pre-flight gate stops the run before any change.
 *   C. with the opt-in that keeps it cordoned, a normal run, interrupted (Ctrl-C) once two workers
 *      are migrated.
 *   D. the same command again: finishes, without touching the first two workers again; the
 *      operator's node is migrated and stays cordoned.
 *   E. started again after success: rc 0 and changed=0, also in --check.
 * Then the checks of issue 7 on every node and in the simulator, and Calico's ports closed.
 */
import { KubeConfig, CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, destroyLab, type Lab } from '../../src/lab/index.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { writeMigrationInventory } from '../../scripts/migration-inventory.js';
import { runCli, type CliRun } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const LAB = uniqueLabName('e2elive');
const MIGRATED = 'philote.dev/cni-migrated';
const LABEL = 'io.cilium.migration/cilium-default';
const KEEP = ['-e', 'migration_keep_cordoned_nodes=true'];

let lab: Lab;
let core: CoreV1Api;
let args: string[];

/** What the watcher saw: per poll, the cordoned nodes; the first cordon time of each node per run. */
interface Watch {
  maxCordoned: number;
  cordonOrder: string[];
  stop: () => Promise<void>;
}

/** Watches cordons; nodes in `ignore` (cordoned before the run) are not counted. */
function watchNodes(ignore: string[] = []): Watch {
  const w: Watch = { maxCordoned: 0, cordonOrder: [], stop: async () => undefined };
  let running = true;
  const loop = (async () => {
    while (running) {
      const nodes = (await core.listNode()).items;
      const cordoned = nodes.filter((n) => n.spec?.unschedulable).map((n) => n.metadata!.name!).filter((n) => !ignore.includes(n));
      w.maxCordoned = Math.max(w.maxCordoned, cordoned.length);
      for (const n of cordoned) if (!w.cordonOrder.includes(n)) w.cordonOrder.push(n);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  w.stop = async () => {
    running = false;
    await loop;
  };
  return w;
}

async function nodes(): Promise<V1Node[]> {
  return (await core.listNode()).items;
}

async function bootIds(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of lab.nodes) out[n.name] = (await lab.exec(n.name, 'cat /var/lib/lab/boot_id')).stdout.trim();
  return out;
}

async function hostState(node: string): Promise<string> {
  return (await lab.exec(node, '(iptables-save; ip6tables-save) | grep -v "^#" | sed "s/\\[[0-9:]*\\]//"; ip route; ip -o link | cut -d: -f2; ls /etc/cni/net.d /var/lib/calico 2>&1; ufw status')).stdout;
}

async function probePods(): Promise<string[]> {
  return (await core.listPodForAllNamespaces()).items.filter((p) => p.metadata?.name?.startsWith('cilium-probe')).map((p) => p.metadata!.name!);
}

async function live(extra: string[] = [], signal?: AbortSignal): Promise<CliRun> {
  return runCli(['playbook', ...args, ...extra, 'playbooks/calico-to-cilium-live.yml'], { cwd: root, ...(signal ? { signal } : {}) });
}

const inCilium = (ip: string | undefined) => !!ip && /^10\.245\./.test(ip);

describe('calico-to-cilium-live.yml end to end in the lab', () => {
  beforeAll(async () => {
    await destroyLab(LAB);
    lab = await createLab({ name: LAB, nodes: 4, calicoState: true, kube: true, firewall: true });
    const { inventoryDir, varsFile } = writeMigrationInventory(lab);
    // Few health retries: the fault in B must fail fast; a healthy node answers in about a second.
    args = ['-i', inventoryDir, '-e', `@${varsFile}`, '-e', 'cilium_health_retries=4'];
    const kc = new KubeConfig();
    kc.loadFromFile(lab.kubeconfigPath!);
    core = kc.makeApiClient(CoreV1Api);
  }, 120_000);

  afterAll(async () => {
    await lab?.down();
  });

  it('A: check mode reads as a plan and changes nothing on the nodes or in the cluster', async () => {
    const before = await Promise.all(lab.nodes.map((n) => hostState(n.name)));
    const boots = await bootIds();
    const nodesBefore = JSON.stringify((await nodes()).map((n) => [n.metadata?.labels, n.metadata?.annotations, n.spec?.unschedulable]));
    const r = await live(['--check']);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/node2\s+: ok=\d+\s+changed=[1-9]/);
    for (const n of ['node2', 'node3', 'node4', 'node1']) {
      expect(r.out).toContain(`"msg": "${n}: would cordon, drain, label for Cilium, restart its Cilium agent, reboot, verify (probe pod, cluster health), uncordon"`);
    }
    expect(r.out).toMatch(/"node2 +10-calico\.conflist +10\.42\.0\.0\/16 +not migrated"/);
    expect(await Promise.all(lab.nodes.map((n) => hostState(n.name)))).toEqual(before);
    expect(await bootIds()).toEqual(boots);
    expect(JSON.stringify((await nodes()).map((n) => [n.metadata?.labels, n.metadata?.annotations, n.spec?.unschedulable]))).toBe(nodesBefore);
    expect(await probePods()).toEqual([]);
  }, 120_000);

  it('B: a missing firewall step is caught before uncordon: the node stays cordoned, its probe pod is removed', async () => {
    const watch = watchNodes();
    const r = await live(['--skip-tags', 'firewall']);
    await watch.stop();
    expect(r.code, r.out).toBe(2);
    expect(r.out).toMatch(/Verification failed on node2: its Cilium agent does not reach every node \(Cluster health: +1\/4 reachable/);
    expect(r.out).toContain('the node stays cordoned, its probe pod was removed');
    expect(r.out).toMatch(/node2\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=1\s+skipped=\d+\s+rescued=1/);
    expect(watch.cordonOrder).toEqual(['node2']);
    const n2 = (await nodes()).find((n) => n.metadata?.name === 'node2')!;
    expect(n2.spec?.unschedulable).toBe(true);
    expect(n2.metadata?.annotations?.[MIGRATED]).toBeUndefined();
    expect(await probePods()).toEqual([]);
    // The simulated agent, not the playbook, wrote the conflist (Calico's is set aside, as Cilium's cni-exclusive does).
    expect((await lab.exec('node2', 'ls /etc/cni/net.d')).stdout.split('\n')).toEqual(expect.arrayContaining(['05-cilium.conflist', '10-calico.conflist.cilium_bak']));
    expect((await lab.exec('node3', 'ls /etc/cni/net.d')).stdout).not.toContain('cilium');
  }, 180_000);

  it('P: a node cordoned by the operator stops the pre-flight gate before any change', async () => {
    const k = spawnSync('kubectl', ['--kubeconfig', lab.kubeconfigPath!, 'cordon', 'node4'], { encoding: 'utf8' });
    expect(k.status, k.stderr).toBe(0);
    const before = JSON.stringify((await nodes()).map((n) => [n.metadata?.name, n.metadata?.labels, n.metadata?.annotations, n.spec?.unschedulable]));
    const r = await live();
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain('nodes already cordoned: node4 (uncordon them, or set migration_keep_cordoned_nodes=true');
    expect(r.out).not.toMatch(/already cordoned: [^(]*node2/); // node2 is this migration's own cordon
    expect(JSON.stringify((await nodes()).map((n) => [n.metadata?.name, n.metadata?.labels, n.metadata?.annotations, n.spec?.unschedulable]))).toBe(before);
  }, 120_000);

  it('C+D: interrupted after two workers, started again, it finishes without touching them again and keeps the operator\'s cordon', async () => {
    const watchC = watchNodes(['node4']);
    const abort = new AbortController();
    const poller = setInterval(() => {
      void nodes().then((ns) => {
        // Migrated and uncordoned are one write (see the playbook), so two migrated nodes are finished.
        if (ns.filter((n) => n.metadata?.annotations?.[MIGRATED] === 'cilium').length >= 2) abort.abort();
      });
    }, 100);
    const c = await live(KEEP, abort.signal);
    clearInterval(poller);
    await watchC.stop();
    expect(abort.signal.aborted, c.out).toBe(true);
    expect(c.code).toBe(99);
    expect(c.out).toContain('PLAY RECAP');
    const migratedAfterC = (await nodes()).filter((n) => n.metadata?.annotations?.[MIGRATED] === 'cilium').map((n) => n.metadata!.name!);
    expect(migratedAfterC.sort()).toEqual(['node2', 'node3']);
    expect(watchC.maxCordoned).toBe(1);

    const bootsBeforeD = await bootIds();
    const watchD = watchNodes(['node4']);
    const d = await live(KEEP);
    await watchD.stop();
    expect(d.code, d.out + d.err).toBe(0);
    // The first two workers were skipped: not cordoned, not rebooted again.
    expect(watchD.cordonOrder).toEqual(['node1']);
    expect(watchD.maxCordoned).toBe(1);
    const bootsAfterD = await bootIds();
    expect(bootsAfterD['node2']).toBe(bootsBeforeD['node2']);
    expect(bootsAfterD['node3']).toBe(bootsBeforeD['node3']);
    expect(bootsAfterD['node4']).not.toBe(bootsBeforeD['node4']);
    expect(bootsAfterD['node1']).not.toBe(bootsBeforeD['node1']);
    expect(d.out).toMatch(/TASK \[Cordon the node\][^\n]*\n(skipping|changed|ok): \[node4/);
    // The operator's node is migrated and left as the operator left it: cordoned.
    const n4 = (await nodes()).find((n) => n.metadata?.name === 'node4')!;
    expect(n4.spec?.unschedulable).toBe(true);
    expect(n4.metadata?.annotations?.[MIGRATED]).toBe('cilium');
    expect(d.out).toMatch(/"node4 +05-cilium\.conflist +\S+ +done, kept cordoned"/);
    expect(d.out).toMatch(/"node2 +05-cilium\.conflist +10\.245\.0\.0\/16 +done"/);
  }, 300_000);

  it('E: started again after success it changes nothing (rc 0, changed=0), also in check mode', async () => {
    // As a user starts it again: a new philote process (bin/philote.js, from the sources).
    for (const extra of [[], ['--check']]) {
      const r = spawnSync(process.execPath, ['bin/philote.js', 'playbook', ...args, ...KEEP, ...extra, 'playbooks/calico-to-cilium-live.yml'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, PHILOTE_FROM_SOURCE: '1', NO_COLOR: '1' },
      });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const recap = r.stdout.slice(r.stdout.indexOf('PLAY RECAP'));
      expect(recap.match(/changed=\d+/g), r.stdout).toEqual(Array(5).fill('changed=0'));
    }
  }, 120_000);

  it('leaves no Calico on any node, Calico\'s ports closed, Cilium\'s open, every node and pod on Cilium', async () => {
    for (const n of lab.nodes) {
      const r = await lab.exec(n.name, 'iptables-save; ip6tables-save');
      expect(r.stdout, n.name).not.toMatch(/cali-/);
      expect((await lab.exec(n.name, 'ip route show proto bird; ip -6 route show proto bird')).stdout.trim(), n.name).toBe('');
      expect((await lab.exec(n.name, 'ip -o link show')).stdout, n.name).not.toMatch(/: (cali[^:]*|tunl0|vxlan\.calico)[:@]/);
      const cni = (await lab.exec(n.name, 'ls /etc/cni/net.d; ls -d /var/lib/calico 2>/dev/null || true')).stdout;
      expect(cni, n.name).not.toMatch(/calico/);
      expect(cni, n.name).toContain('05-cilium.conflist');
      const fw = (await lab.exec(n.name, 'ufw status')).stdout;
      expect(fw, n.name).toMatch(/^8473\/udp +ALLOW/m);
      expect(fw, n.name).toMatch(/^4240\/tcp +ALLOW/m);
      expect(fw, n.name).not.toMatch(/^(179\/tcp|4789\/udp|5473\/tcp) /m);
      expect((await lab.exec(n.name, 'cat /run/lab/cni/cilium-status')).stdout, n.name).toMatch(/Cluster health: +4\/4 reachable/);
    }
    for (const n of await nodes()) {
      expect(n.metadata?.labels?.[LABEL], n.metadata?.name).toBe('true');
      expect(n.spec?.unschedulable ?? false, n.metadata?.name).toBe(n.metadata?.name === 'node4');
    }
    const pods = (await core.listPodForAllNamespaces()).items.filter((p) => !p.spec?.hostNetwork && p.status?.podIP);
    expect(pods.length).toBeGreaterThan(0);
    for (const p of pods) expect(inCilium(p.status?.podIP), `${p.metadata?.namespace}/${p.metadata?.name} ${p.status?.podIP}`).toBe(true);
  }, 60_000);
});
