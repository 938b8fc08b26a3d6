/**
 * End to end: playbooks/backup.yml then playbooks/restore.yml, unchanged, by the philote CLI on a
 * lab of 2 nodes with Calico's node state and the Kubernetes API simulator running K3s with Calico.
 * The backup holds the cluster objects and each node's K3s and CNI files; objects deleted after it
 * (a Deployment, a Service, a ConfigMap, Calico's IPPool) come back as they were saved, the
 * others are left alone, and a second restore changes nothing.
 */
import { readFileSync, readdirSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/lab/index.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { writeMigrationInventory } from '../../scripts/migration-inventory.js';
import { runCli } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let lab: Lab;
let args: string[];
let backupRoot = '';

const kubectl = (...a: string[]): { status: number | null; stdout: string; stderr: string } => spawnSync('kubectl', ['--kubeconfig', lab.kubeconfigPath!, ...a], { encoding: 'utf8' });

/** What a restore must bring back: the object without what the cluster fills in. */
function saved(kind: string, ns: string | undefined, name: string): unknown {
  const r = kubectl('get', kind, name, ...(ns ? ['-n', ns] : []), '-o', 'json');
  expect(r.status, r.stderr).toBe(0);
  const o = JSON.parse(r.stdout) as { metadata: Record<string, unknown>; spec?: unknown; data?: unknown };
  return { labels: o.metadata['labels'], annotations: o.metadata['annotations'], spec: o.spec, data: o.data };
}

describe('backup.yml and restore.yml', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('e2ebk'), nodes: 2, calicoState: true, kube: true });
    const { inventoryDir, varsFile } = writeMigrationInventory(lab);
    backupRoot = mkdtempSync(join(tmpdir(), 'philote-backup-'));
    args = ['-i', inventoryDir, '-e', `@${varsFile}`, '-e', `backup_root=${backupRoot}`];
  }, 120_000);

  afterAll(async () => {
    await lab?.down();
    if (backupRoot) rmSync(backupRoot, { recursive: true, force: true });
  });

  it('backs up, and brings deleted objects back as they were saved', async () => {
    const objects: Array<[string, string | undefined, string]> = [
      ['deployment', 'apps', 'api'],
      ['service', 'kube-system', 'kube-dns'],
      ['configmap', 'kube-system', 'coredns'],
      ['ippools.crd.projectcalico.org', undefined, 'default-ipv4-ippool'],
    ];
    const before = objects.map(([k, ns, n]) => saved(k, ns, n));

    const b = await runCli(['playbook', ...args, 'playbooks/backup.yml'], { cwd: root });
    expect(b.code, b.out).toBe(0);
    const [folder] = readdirSync(backupRoot);
    const dir = join(backupRoot, folder!);
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['namespace-v1.yaml', 'deployment-apps_v1.yaml', 'ippool-crd.projectcalico.org_v1.yaml', 'installation-operator.tigera.io_v1.yaml', 'nodes']));
    // Node files: fetched as they are on the node.
    for (const n of lab.nodes) {
      for (const f of ['etc/cni/net.d/10-calico.conflist', 'var/lib/calico/mtu']) {
        expect(readFileSync(join(dir, 'nodes', n.name, f), 'utf8'), `${n.name} ${f}`).toBe((await lab.exec(n.name, `cat /${f}`)).stdout);
      }
    }

    for (const [k, ns, n] of objects) {
      const d = kubectl('delete', k, n, ...(ns ? ['-n', ns] : []));
      expect(d.status, d.stderr).toBe(0);
    }
    const webBefore = kubectl('get', 'deployment', 'web', '-n', 'apps', '-o', 'jsonpath={.metadata.resourceVersion}').stdout;

    const r = await runCli(['playbook', ...args, '-e', `backup_dir=${dir}`, 'playbooks/restore.yml'], { cwd: root });
    expect(r.code, r.out).toBe(0);
    for (const item of ['Deployment apps/api', 'Service kube-system/kube-dns', 'ConfigMap kube-system/coredns', 'IPPool default-ipv4-ippool']) {
      expect(r.out).toContain(`changed: [localhost] => (item=${item})`);
    }
    expect(r.out).toMatch(/"msg": "4 of \d+ objects created or set back to their saved state"/);
    expect(objects.map(([k, ns, n]) => saved(k, ns, n))).toEqual(before);
    // Untouched objects stay as they are.
    expect(kubectl('get', 'deployment', 'web', '-n', 'apps', '-o', 'jsonpath={.metadata.resourceVersion}').stdout).toBe(webBefore);

    const again = await runCli(['playbook', ...args, '-e', `backup_dir=${dir}`, 'playbooks/restore.yml'], { cwd: root });
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/"msg": "0 of \d+ objects created or set back to their saved state"/);
    expect(again.out).toMatch(/localhost\s+: ok=\d+\s+changed=0/);
  }, 180_000);

  it('refuses a folder that is not a backup', async () => {
    const r = await runCli(['playbook', ...args, '-e', `backup_dir=${backupRoot}`, 'playbooks/restore.yml'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.out).toContain('is not a folder written by backup.yml (no namespace-v1.yaml)');
  }, 60_000);
});
