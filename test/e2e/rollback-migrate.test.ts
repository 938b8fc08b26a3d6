/**
 * End to end: a partial live migration, rolled back with playbooks/rollback-to-calico.yml, then
 * migrated again with playbooks/calico-to-cilium-live.yml, both unchanged, by the philote CLI on a
 * lab of 3 nodes (Calico's host state, default-deny ufw, the Kubernetes API simulator with K3s and
 * Calico; the simulated Cilium agents write the conflist and exchange tunnel traffic themselves).
 *
 * The fault this used to hit: the rollback left the migration label and the migrated annotation,
 * so the next live run skipped the nodes it had migrated before, deleted Calico under pods still
 * on Calico addresses, left nodes without a CNI config, and exited 0.
 */
import { KubeConfig, CoreV1Api } from '@kubernetes/client-node';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/lab/index.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { writeMigrationInventory } from '../../scripts/migration-inventory.js';
import { runCli, type CliRun } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MARKS = ['philote.dev/cni-migrated', 'philote.dev/cni-migration-cordoned'];
const LABEL = 'io.cilium.migration/cilium-default';

let lab: Lab;
let core: CoreV1Api;
let args: string[];

const play = (file: string, signal?: AbortSignal): Promise<CliRun> => runCli(['playbook', ...args, `playbooks/${file}`], { cwd: root, ...(signal ? { signal } : {}) });
const podIps = async () => (await core.listPodForAllNamespaces()).items.filter((p) => !p.spec?.hostNetwork && p.status?.podIP && p.status.phase === 'Running').map((p) => `${p.metadata?.name} ${p.status!.podIP}`);

describe('rollback-to-calico.yml after a partial migration, then a new live migration', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('e2erb'), nodes: 3, calicoState: true, kube: true, firewall: true });
    const { inventoryDir, varsFile } = writeMigrationInventory(lab);
    args = ['-i', inventoryDir, '-e', `@${varsFile}`, '-e', 'cilium_health_retries=4'];
    const kc = new KubeConfig();
    kc.loadFromFile(lab.kubeconfigPath!);
    core = kc.makeApiClient(CoreV1Api);
  }, 120_000);

  afterAll(async () => {
    await lab?.down();
  });

  it('a partial migration rolls back clean and migrates again, every node and pod on Cilium', async () => {
    // 1. Interrupted once the first worker is migrated.
    const abort = new AbortController();
    const poller = setInterval(() => {
      void core.listNode().then((r) => {
        if (r.items.some((n) => n.metadata?.annotations?.[MARKS[0]!] === 'cilium')) abort.abort();
      });
    }, 100);
    const first = await play('calico-to-cilium-live.yml', abort.signal);
    clearInterval(poller);
    expect(abort.signal.aborted, first.out).toBe(true);
    expect((await lab.exec('node2', 'ls /etc/cni/net.d')).stdout).toContain('05-cilium.conflist');
    expect((await podIps()).some((p) => / 10\.245\./.test(p))).toBe(true);

    // 2. Rollback: no label, annotation, cordon or probe pod left; Calico's config back; pods on Calico.
    const rb = await play('rollback-to-calico.yml');
    expect(rb.code, rb.out).toBe(0);
    for (const n of (await core.listNode()).items) {
      expect(n.metadata?.labels?.[LABEL], n.metadata?.name).toBeUndefined();
      for (const m of MARKS) expect(n.metadata?.annotations?.[m], `${n.metadata?.name} ${m}`).toBeUndefined();
      expect(n.spec?.unschedulable ?? false, n.metadata?.name).toBe(false);
    }
    expect((await core.listPodForAllNamespaces()).items.filter((p) => p.metadata?.name?.startsWith('cilium-probe'))).toEqual([]);
    for (const n of lab.nodes) {
      const conf = (await lab.exec(n.name, 'ls /etc/cni/net.d; ufw status')).stdout;
      expect(conf, n.name).toContain('10-calico.conflist');
      expect(conf, n.name).not.toMatch(/cilium/);
      expect(conf, n.name).toMatch(/^4789\/udp +ALLOW/m);
      expect(conf, n.name).not.toMatch(/^(8473\/udp|4240\/tcp) /m);
    }
    const afterRollback = await podIps();
    expect(afterRollback.length).toBeGreaterThan(0);
    for (const p of afterRollback) expect(p).toMatch(/ 10\.42\./);

    // 3. A new live migration migrates every node again (node2 is not skipped as done).
    const again = await play('calico-to-cilium-live.yml');
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/TASK \[Cordon the node\][^\n]*\nchanged: \[node2/);
    for (const n of lab.nodes) {
      expect((await lab.exec(n.name, 'ls /etc/cni/net.d')).stdout, n.name).toMatch(/^05-cilium\.conflist$/m);
    }
    const final = await podIps();
    expect(final.length).toBeGreaterThan(0);
    for (const p of final) expect(p).toMatch(/ 10\.245\./);
  }, 420_000);
});
