/**
 * The official K3s playbook (github.com/k3s-io/k3s-ansible) under ansible-playbook and philote,
 * each on its own lab of three nodes (twin labs), compared task by task (each task's lines as a
 * set, hosts run in parallel). Root only (the lab). Nothing of k3s-ansible is in this repository:
 * point the script at a checkout.
 *
 *   sudo npx tsx scripts/k3s-twin.ts --k3s-ansible DIR [--keep]
 *
 * Jobs, in order, on the same twin labs:
 *   1. playbooks/site.yml --check        (every role in check mode: nothing downloaded or changed)
 *   2. the prereq role for real           (sysctl inside the node's namespace, node-private /etc)
 *   3. playbooks/reset.yml for real       (removes what is there; nothing is installed in the lab)
 * The commit of k3s-ansible that still supports ansible-core 2.14 (Debian's) is e11ff62; later
 * ones assert 2.15 in their first task, under both tools alike.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLab, destroyLab, type Lab } from '../src/lab/index.js';
import { differences, sortedByTask } from './twin-compare.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const keep = argv.includes('--keep');
const at = argv.indexOf('--k3s-ansible');
if (at < 0 || !argv[at + 1]) {
  console.error('usage: sudo npx tsx scripts/k3s-twin.ts --k3s-ansible DIR [--keep]');
  process.exit(5);
}
const k3s = resolve(argv[at + 1]!);

/** The lab's hosts as the K3s playbook's inventory: first node the server, the others agents. */
function writeInventory(lab: Lab): string {
  const dir = join(lab.dir, 'k3s-inventory');
  mkdirSync(dir, { recursive: true });
  const [server, ...agents] = lab.nodes.map((n) => n.name);
  const hosts = lab.inventoryPath;
  writeFileSync(join(dir, 'groups'), ['[server]', server, '', '[agent]', ...agents, '', '[k3s_cluster:children]', 'server', 'agent', ''].join('\n'));
  writeFileSync(
    join(dir, 'vars.yml'),
    [
      'k3s_version: v1.28.15+k3s1',
      'token: "lab-token-not-a-secret"',
      `api_endpoint: "{{ hostvars[groups['server'][0]]['ansible_host'] | default(groups['server'][0]) }}"`,
      '',
    ].join('\n'),
  );
  return hosts;
}

function run(tool: 'ansible-playbook' | 'philote', lab: Lab, args: string[]): { code: number; out: string; err: string } {
  const hosts = writeInventory(lab);
  const inv = join(lab.dir, 'k3s-inventory');
  const full = [...(tool === 'philote' ? [process.execPath, `${root}/bin/philote.js`, 'playbook'] : ['ansible-playbook']), '-i', hosts, '-i', join(inv, 'groups'), '-e', `@${join(inv, 'vars.yml')}`, ...args];
  const r = spawnSync(full[0]!, full.slice(1), {
    cwd: k3s,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, PHILOTE_FROM_SOURCE: '1', PHILOTE_RECORD: '0', ANSIBLE_NOCOLOR: '1', ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_ROLES_PATH: join(k3s, 'roles') },
  });
  // k3s-ansible's ansible.cfg enables profile_tasks: its timestamps and durations differ by nature.
  const timing = /^(\w+day \d\d \w+ \d{4} .*\*+ ?$|.* -+ \d+\.\d\ds$|=+ ?$)/;
  const mask = (s: string) => s.split(lab.dir).join('<lab>').split('\n').filter((l) => !timing.test(l)).join('\n');
  return { code: r.status ?? -1, out: mask(r.stdout), err: mask(r.stderr) };
}

const names = [`k3sa${process.pid % 1000}`, `k3sb${process.pid % 1000}`];
const [a, b] = await Promise.all(names.map((name) => createLab({ name, nodes: 3 })));
const prereq = join(a!.dir, '..', `k3s-prereq-${process.pid}.yml`);
writeFileSync(prereq, '- hosts: k3s_cluster\n  gather_facts: true\n  become: true\n  roles:\n    - role: prereq\n');
const jobs: Array<[string, string[]]> = [
  ['site.yml --check', ['playbooks/site.yml', '--check']],
  ['prereq role', [prereq]],
  ['reset.yml', ['playbooks/reset.yml']],
];
let failed = 0;
try {
  for (const [label, args] of jobs) {
    const theirs = run('ansible-playbook', a!, args);
    const ours = run('philote', b!, args);
    const tasks = sortedByTask(theirs.out).filter((l) => l.startsWith('TASK')).length;
    const diffs = differences(sortedByTask(theirs.out), sortedByTask(ours.out));
    console.log(`== ${label}: ${tasks} tasks; ansible-playbook exit ${theirs.code}, philote exit ${ours.code}; ${diffs.length ? `${diffs.length} differing lines` : 'same output per task per host'}`);
    if (diffs.length) console.log(diffs.slice(0, 40).join('\n'));
    if (ours.code !== theirs.code) console.log(`philote's stderr:\n${ours.err.split('\n').slice(-15).join('\n')}\nphilote's stdout tail:\n${ours.out.split('\n').slice(-15).join('\n')}`);
    if (diffs.length || theirs.code !== ours.code) failed++;
  }
  process.exitCode = failed ? 1 : 0;
} finally {
  if (keep) console.log(`labs kept: ${names.join(', ')}`);
  else {
    for (const name of names) await destroyLab(name);
    rmSync(prereq, { force: true });
  }
}
