/**
 * Differential end to end: the shipped playbooks/k3s-flannel-to-calico.yml run by ansible-playbook
 * 2.14 (with kubernetes.core, ansible.utils, community.general and the philote-only modules' twins
 * in playbooks/library) on one Flannel lab, and by philote on a twin lab (2 nodes each: K3s server
 * and agent, Flannel's node state, default-deny ufw, the simulated cluster). Compared: the whole
 * output (each task's lines as a multiset: hosts run in parallel; pod-name suffixes masked), the
 * warnings on stderr, every node's state afterwards (links, routes, CNI files, K3s config and the
 * saved original values, parsed: k3s_config keeps the file's comments, its Python twin does not;
 * firewall) and every pod's node and address pool. About 80 s, most of it Ansible's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, destroyLab, type Lab } from '../../src/lab/index.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { writeMigrationInventory } from '../../scripts/migration-inventory.js';
import { differences, sortedByTask } from '../../scripts/twin-compare.js';
import { runCli } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const isRoot = process.getuid?.() === 0;
const hasAnsible = spawnSync('ansible-playbook', ['--version']).status === 0 && spawnSync('/usr/bin/python3', ['-c', 'import kubernetes']).status === 0;
const LABS = [uniqueLabName('e2efda'), uniqueLabName('e2efdb')] as const;
const PLAYBOOK = 'playbooks/k3s-flannel-to-calico.yml';

let labs: Lab[] = [];

function args(lab: Lab): string[] {
  const { inventoryDir, varsFile } = writeMigrationInventory(lab);
  return ['-i', inventoryDir, '-e', `@${varsFile}`, PLAYBOOK];
}

function ansible(lab: Lab): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('ansible-playbook', args(lab), {
      cwd: root,
      // Pipelining: fewer SSH round trips per task (the output is the same).
      env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_FORCE_COLOR: '0', ANSIBLE_PIPELINING: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/** The lab's paths and the pods' random name suffixes masked, each task's lines sorted. */
const normalise = (text: string, lab: Lab): string[] => sortedByTask(text.split(lab.dir).join('<lab>').replace(/\b([a-z]+(?:-[a-z]+)*)-[a-z0-9]{5}\b(?=[ ,)"'\]]|$)/gm, '$1-XXXXX'));

async function nodeState(lab: Lab): Promise<Record<string, string>> {
  const state: Record<string, string> = {};
  for (const n of lab.nodes) {
    const r = await lab.exec(
      n.name,
      [
        "ip -o link show | awk -F': ' '{print $2}' | sort",
        'ip route show | sort',
        'ls /etc/cni/net.d /etc/rancher/k3s',
        // Parsed: k3s_config keeps comments and quoting, its Python twin rewrites the file with PyYAML.
        `for f in /etc/rancher/k3s/*.yaml; do /usr/bin/python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' "$f"; done`,
        'ls /run/flannel 2>&1',
        'ufw status',
      ].join('; echo @@; '),
    );
    state[n.name] = r.stdout.replace(/@if\d+/g, '');
  }
  return state;
}

async function pods(lab: Lab): Promise<string[]> {
  const { KubeConfig, CoreV1Api } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(lab.kubeconfigPath!);
  const core = kc.makeApiClient(CoreV1Api);
  return (await core.listPodForAllNamespaces()).items
    .filter((p) => !p.metadata?.deletionTimestamp)
    // Name suffixes are random, and a restarted Deployment's ReplicaSet hash holds its restart time.
    .map((p) => `${p.metadata?.namespace}/${(p.metadata?.ownerReferences?.[0]?.name ?? p.metadata?.name ?? '').replace(/-[a-z0-9]{8,10}$/, '')} on ${p.spec?.nodeName} ${(p.status?.podIP ?? '-').split('.').slice(0, 2).join('.')}`)
    .sort();
}

describe.skipIf(!isRoot || !hasAnsible)('k3s-flannel-to-calico.yml: philote and ansible-playbook on twin Flannel labs', () => {
  beforeAll(async () => {
    labs = await Promise.all(LABS.map((name) => createLab({ name, nodes: 2, flannel: true, kube: true, firewall: true })));
  }, 120_000);
  afterAll(async () => {
    for (const name of LABS) await destroyLab(name).catch(() => undefined);
  }, 120_000);

  it('print the same run and leave the same nodes and cluster', async () => {
    const [a, b] = labs as [Lab, Lab];
    const theirs = await ansible(a);
    const ours = await runCli(['playbook', ...args(b)], { cwd: root, env: { ANSIBLE_NOCOLOR: '1' } });
    expect(theirs.code, theirs.out + theirs.err).toBe(0);
    expect(ours.code, ours.out).toBe(0);
    expect(differences(normalise(theirs.out, a), normalise(ours.out, b))).toEqual([]);
    expect(differences(theirs.err.split('\n'), ours.err.split('\n'))).toEqual([]);
    expect(theirs.out).toMatch(/"node2 +10-calico\.conflist +10\.244\.0\.0\/16 +done"/);

    const [sa, sb] = [await nodeState(a), await nodeState(b)];
    expect(sb).toEqual(sa);
    expect(sa['node2']).toContain('10-calico.conflist');
    expect(sa['node2']).not.toContain('flannel.1');
    const pa = await pods(a);
    expect(await pods(b)).toEqual(pa);
    expect(pa.filter((p) => / 10\.244$/.test(p)).length).toBeGreaterThan(3);
  }, 400_000);
});
