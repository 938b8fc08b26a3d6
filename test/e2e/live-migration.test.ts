/**
 * End to end: the shipped playbooks/calico-to-cilium-live.yml, unchanged, run by the philote CLI
 * against a lab of 4 nodes (real sshd, iptables, routes and links in network namespaces, with
 * Calico's host state) and the Kubernetes API simulator running K3s with Calico.
 *
 * One lab, four runs, watched throughout (nodes polled every 100 ms):
 *   A. --check: nothing changes on the nodes or in the cluster.
 *   B. a verification fails on the first worker (no Cilium CNI config): the rollout stops there,
 *      that node stays cordoned, the reason is in the output, no other node is touched.
 *   C. a normal run, interrupted (Ctrl-C) once two workers are migrated.
 *   D. the same command again: finishes, without touching the first two workers again.
 * Then the checks of issue 7 on every node and in the simulator.
 */
import { KubeConfig, CoreV1Api, type V1Node } from '@kubernetes/client-node';
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

let lab: Lab;
let core: CoreV1Api;
let args: string[];

/** What the watcher saw: per poll, the cordoned nodes; the first cordon time of each node per run. */
interface Watch {
  maxCordoned: number;
  cordonOrder: string[];
  stop: () => Promise<void>;
}

function watchNodes(): Watch {
  const w: Watch = { maxCordoned: 0, cordonOrder: [], stop: async () => undefined };
  let running = true;
  const loop = (async () => {
    while (running) {
      const nodes = (await core.listNode()).items;
      const cordoned = nodes.filter((n) => n.spec?.unschedulable).map((n) => n.metadata!.name!);
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
  return (await lab.exec(node, '(iptables-save; ip6tables-save) | grep -v "^#" | sed "s/\\[[0-9:]*\\]//"; ip route; ip -o link | cut -d: -f2; ls /etc/cni/net.d /var/lib/calico 2>&1')).stdout;
}

async function live(extra: string[] = [], signal?: AbortSignal): Promise<CliRun> {
  return runCli(['playbook', ...args, ...extra, 'playbooks/calico-to-cilium-live.yml'], { cwd: root, ...(signal ? { signal } : {}) });
}

const inCilium = (ip: string | undefined) => !!ip && /^10\.245\./.test(ip);

describe('calico-to-cilium-live.yml end to end in the lab', () => {
  beforeAll(async () => {
    await destroyLab(LAB);
    lab = await createLab({ name: LAB, nodes: 4, calicoState: true, kube: true });
    const { inventoryDir, varsFile } = writeMigrationInventory(lab);
    args = ['-i', inventoryDir, '-e', `@${varsFile}`];
    const kc = new KubeConfig();
    kc.loadFromFile(lab.kubeconfigPath!);
    core = kc.makeApiClient(CoreV1Api);
  }, 120_000);

  afterAll(async () => {
    await lab?.down();
  });

  it('A: check mode changes nothing on the nodes or in the cluster', async () => {
    const before = await Promise.all(lab.nodes.map((n) => hostState(n.name)));
    const boots = await bootIds();
    const nodesBefore = JSON.stringify((await nodes()).map((n) => [n.metadata?.labels, n.metadata?.annotations, n.spec?.unschedulable]));
    const r = await live(['--check']);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(/node2\s+: ok=\d+\s+changed=[1-9]/);
    expect(await Promise.all(lab.nodes.map((n) => hostState(n.name)))).toEqual(before);
    expect(await bootIds()).toEqual(boots);
    expect(JSON.stringify((await nodes()).map((n) => [n.metadata?.labels, n.metadata?.annotations, n.spec?.unschedulable]))).toBe(nodesBefore);
    expect((await core.listPodForAllNamespaces()).items.some((p) => p.metadata?.name?.startsWith('cilium-probe'))).toBe(false);
  }, 120_000);

  it('B: a failed verification stops the rollout on that node, leaves it cordoned and says why', async () => {
    const watch = watchNodes();
    const r = await live(['-e', 'cilium_write_cni_conf=false']);
    await watch.stop();
    expect(r.code).toBe(2);
    expect(r.out).toContain('05-cilium.conflist is missing on node2: Cilium did not take over CNI; the node stays cordoned');
    expect(r.out).toMatch(/node2\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=1/);
    expect(watch.cordonOrder).toEqual(['node2']);
    const n2 = (await nodes()).find((n) => n.metadata?.name === 'node2')!;
    expect(n2.spec?.unschedulable).toBe(true);
    expect(n2.metadata?.annotations?.[MIGRATED]).toBeUndefined();
  }, 180_000);

  it('C+D: interrupted after two workers, started again, it finishes without touching them again', async () => {
    const watchC = watchNodes();
    const abort = new AbortController();
    const poller = setInterval(() => {
      void nodes().then((ns) => {
        if (ns.filter((n) => n.metadata?.annotations?.[MIGRATED] === 'cilium').length >= 2) abort.abort();
      });
    }, 100);
    const c = await live([], abort.signal);
    clearInterval(poller);
    await watchC.stop();
    expect(abort.signal.aborted).toBe(true);
    expect(c.code).toBe(99);
    expect(c.out).toContain('PLAY RECAP');
    const migratedAfterC = (await nodes()).filter((n) => n.metadata?.annotations?.[MIGRATED] === 'cilium').map((n) => n.metadata!.name!);
    expect(migratedAfterC.sort()).toEqual(['node2', 'node3']);
    expect(watchC.maxCordoned).toBe(1);

    const bootsBeforeD = await bootIds();
    const watchD = watchNodes();
    const d = await live();
    await watchD.stop();
    expect(d.code, d.out + d.err).toBe(0);
    // The first two workers were skipped: never cordoned, not rebooted again.
    expect(watchD.cordonOrder).toEqual(['node4', 'node1']);
    expect(watchD.maxCordoned).toBe(1);
    const bootsAfterD = await bootIds();
    expect(bootsAfterD['node2']).toBe(bootsBeforeD['node2']);
    expect(bootsAfterD['node3']).toBe(bootsBeforeD['node3']);
    expect(bootsAfterD['node4']).not.toBe(bootsBeforeD['node4']);
    expect(bootsAfterD['node1']).not.toBe(bootsBeforeD['node1']);
    // Control plane last, across both runs.
    expect([...watchC.cordonOrder, ...watchD.cordonOrder].at(-1)).toBe('node1');
    expect(d.out).toMatch(/TASK \[Cordon the node\][^\n]*\n(skipping|changed|ok): \[node4/);
  }, 300_000);

  it('leaves no Calico on any node and every node and pod on Cilium', async () => {
    for (const n of lab.nodes) {
      const r = await lab.exec(n.name, 'iptables-save; ip6tables-save');
      expect(r.stdout, n.name).not.toMatch(/cali-/);
      expect((await lab.exec(n.name, 'ip route show proto bird; ip -6 route show proto bird')).stdout.trim(), n.name).toBe('');
      expect((await lab.exec(n.name, 'ip -o link show')).stdout, n.name).not.toMatch(/: (cali[^:]*|tunl0|vxlan\.calico)[:@]/);
      const cni = (await lab.exec(n.name, 'ls /etc/cni/net.d; ls -d /var/lib/calico 2>/dev/null || true')).stdout;
      expect(cni, n.name).not.toMatch(/calico/);
      expect(cni, n.name).toContain('05-cilium.conflist');
    }
    for (const n of await nodes()) {
      expect(n.metadata?.labels?.[LABEL], n.metadata?.name).toBe('true');
      expect(n.spec?.unschedulable ?? false, n.metadata?.name).toBe(false);
    }
    const pods = (await core.listPodForAllNamespaces()).items.filter((p) => !p.spec?.hostNetwork && p.status?.podIP);
    expect(pods.length).toBeGreaterThan(0);
    for (const p of pods) expect(inCilium(p.status?.podIP), `${p.metadata?.namespace}/${p.metadata?.name} ${p.status?.podIP}`).toBe(true);
  }, 60_000);
});

