/**
 * Differential end to end: the shipped playbooks/calico-to-cilium-live.yml run by ansible-playbook
 * 2.14 (with kubernetes.core and the philote-only modules' twins in playbooks/library) on one lab,
 * and by philote on a twin lab (same nodes, same Calico state, same simulated cluster). Compared:
 *   - the whole default output, after normalising what differs by nature: the labs' paths, the
 *     random suffixes of pod names (and the line breaks they move in wrapped warnings), and the
 *     order of host lines within a task (hosts run in parallel);
 *   - every node's state afterwards: iptables chains, routes, links, CNI files, /var/lib/calico,
 *     the K3s config; and the cluster's: node labels and cordons, each pod's node and IP pool.
 * About 2.5 minutes, most of it Ansible's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, destroyLab, type Lab } from '../../src/lab/index.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { writeMigrationInventory } from '../../scripts/migration-inventory.js';
import { runCli } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const isRoot = process.getuid?.() === 0;
const hasAnsible = spawnSync('ansible-playbook', ['--version']).status === 0 && spawnSync('/usr/bin/python3', ['-c', 'import kubernetes']).status === 0;
const LABS = [uniqueLabName('e2edifa'), uniqueLabName('e2edifb')] as const;
const PLAYBOOK = 'playbooks/calico-to-cilium-live.yml';

let labs: Lab[] = [];

function args(lab: Lab): string[] {
  const { inventoryDir, varsFile } = writeMigrationInventory(lab);
  return ['-i', inventoryDir, '-e', `@${varsFile}`, PLAYBOOK];
}

function ansible(lab: Lab): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn('ansible-playbook', args(lab), {
      cwd: root,
      env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_FORCE_COLOR: '0' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/**
 * Paths and pod-name suffixes masked; each warning unwrapped and stripped of spaces (its breaks
 * move with the names); the host entries of each task sorted.
 */
function normalise(text: string, lab: Lab): string {
  const lines = text.split(lab.dir).join('<lab>').split('\n');
  const out: string[] = [];
  let entries: string[][] = [];
  const flush = () => {
    out.push(...entries.sort((a, b) => a.join('\n').localeCompare(b.join('\n'))).flat());
    entries = [];
  };
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    if (line.startsWith('[WARNING]:') || line.startsWith('[DEPRECATION WARNING]:')) {
      while (i + 1 < lines.length && lines[i + 1] !== '' && !/^(\[|TASK|PLAY|ok:|changed:|skipping:|fatal:|included:)/.test(lines[i + 1]!)) line += lines[++i];
      out.push(line.replace(/\s+/g, '').replace(/-[a-z0-9]{5}(?=[,.]|$)/g, '-XXXXX'));
      continue;
    }
    line = line.replace(/\((item=[a-z-]+)-[a-z0-9]{5}\)/g, '($1-XXXXX)');
    if (/^(ok|changed|skipping|fatal|failed|included|FAILED - RETRYING): \[/.test(line)) entries.push([line]);
    else if (line === '' || /^(TASK|PLAY|RUNNING HANDLER)/.test(line) || /^\S+\s+: ok=/.test(line)) {
      flush();
      out.push(line);
    } else if (entries.length) entries[entries.length - 1]!.push(line);
    else out.push(line);
  }
  flush();
  return out.join('\n');
}

async function nodeState(lab: Lab): Promise<Record<string, string>> {
  const state: Record<string, string> = {};
  for (const n of lab.nodes) {
    const r = await lab.exec(
      n.name,
      [
        "(iptables-save; ip6tables-save) 2>/dev/null | grep '^:' | cut -d' ' -f1 | sort",
        'ip route show | sort',
        "ip -o link show | awk -F': ' '{print $2}' | sort",
        'ls /etc/cni/net.d 2>/dev/null',
        'test -e /var/lib/calico && echo calico-dir || echo no-calico-dir',
        'cat /etc/rancher/k3s/config.yaml 2>/dev/null',
      ].join('; echo @@; '),
    );
    state[n.name] = r.stdout;
  }
  return state;
}

async function clusterState(lab: Lab): Promise<unknown> {
  const { KubeConfig, CoreV1Api } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(lab.kubeconfigPath!);
  const core = kc.makeApiClient(CoreV1Api);
  const nodes = (await core.listNode()).items.map((n) => ({
    name: n.metadata?.name,
    labels: Object.fromEntries(Object.entries(n.metadata?.labels ?? {}).filter(([k]) => !/hostname|boot/.test(k)).sort()),
    unschedulable: Boolean(n.spec?.unschedulable),
    taints: (n.spec?.taints ?? []).map((t) => t.key).sort(),
  }));
  const pods = (await core.listPodForAllNamespaces()).items
    .map((p) => `${p.metadata?.namespace}/${(p.metadata?.name ?? '').replace(/-[a-z0-9]{5}$/, '')} on ${p.spec?.nodeName} ${(p.status?.podIP ?? '-').split('.').slice(0, 2).join('.')}`)
    .sort();
  return { nodes, pods };
}

describe.skipIf(!isRoot || !hasAnsible)('calico-to-cilium-live.yml: philote and ansible-playbook on twin labs', () => {
  beforeAll(async () => {
    labs = await Promise.all(LABS.map((name) => createLab({ name, nodes: 4, calicoState: true, kube: true })));
  }, 120_000);
  afterAll(async () => {
    for (const name of LABS) await destroyLab(name).catch(() => undefined);
  }, 120_000);

  it('print the same run and leave the same nodes and cluster', async () => {
    const [a, b] = labs as [Lab, Lab];
    const theirs = await ansible(a);
    const ours = await runCli(['playbook', ...args(b)], { cwd: root, env: { ANSIBLE_NOCOLOR: '1' } });
    expect(theirs.code).toBe(0);
    expect(ours.code).toBe(0);
    // stdout (the callback) and stderr (Display's warnings) each as ansible-playbook prints them.
    expect(normalise(ours.out, b).split('\n')).toEqual(normalise(theirs.out, a).split('\n'));
    expect(normalise(ours.err, b).split('\n')).toEqual(normalise(theirs.err, a).split('\n'));
    const na = normalise(theirs.out, a);
    expect(na).toMatch(/^node4\s+: ok=36\s+changed=15\s+unreachable=0\s+failed=0\s+skipped=5/m);
    // The per-node table (cni-report.yml), as both engines print it.
    expect(na).toMatch(/"node2 +05-cilium\.conflist +10\.245\.0\.0\/16 +done"/);

    const [sa, sb] = [await nodeState(a), await nodeState(b)];
    const mask = (s: Record<string, string>, lab: Lab) => JSON.parse(JSON.stringify(s).split(lab.dir).join('<lab>')) as Record<string, string>;
    expect(mask(sb, b)).toEqual(mask(sa, a));
    expect(sa['node2']).toContain('05-cilium.conflist');
    expect(sa['node2']).not.toMatch(/:cali-/);
    expect(await clusterState(b)).toEqual(await clusterState(a));
  }, 600_000);
});
