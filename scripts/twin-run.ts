/**
 * Runs one playbook under ansible-playbook and under philote, each on its own lab (twin labs: the
 * same nodes, Calico state and simulated K3s cluster), and prints where the two outputs differ
 * (each task's lines compared as a set: hosts run in parallel). Root only (the lab).
 *
 *   npx tsx scripts/twin-run.ts playbooks/calico-node-cleanup.yml --check --diff
 *   npx tsx scripts/twin-run.ts --keep playbooks/calico-to-cilium.yml    (labs left up)
 *   npx tsx scripts/twin-run.ts --flannel playbooks/k3s-flannel-to-calico.yml   (K3s+Flannel labs)
 *
 * Used to compare every shipped playbook by hand; test/e2e/ansible-differential.test.ts does the
 * same for calico-to-cilium-live.yml in CI. Exit code 0 when the outputs agree. Pods get random
 * name suffixes in each lab, so playbooks that loop over pods differ in those item labels only.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLab, destroyLab, type Lab } from '../src/lab/index.js';
import { writeMigrationInventory } from './migration-inventory.js';
import { differences, sortedByTask } from './twin-compare.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const keep = argv.includes('--keep');
const flannel = argv.includes('--flannel');
const args = argv.filter((a) => a !== '--keep' && a !== '--flannel');
if (!args.length) {
  console.error('usage: npx tsx scripts/twin-run.ts [--keep] [--flannel] PLAYBOOK [ansible-playbook options]');
  process.exit(5);
}

function run(cmd: string, lab: Lab): { code: number; out: string; err: string } {
  const { inventoryDir, varsFile } = writeMigrationInventory(lab);
  const full = [...(cmd === 'philote' ? [process.execPath, `${root}/bin/philote.js`, 'playbook'] : ['ansible-playbook']), '-i', inventoryDir, '-e', `@${varsFile}`, ...args];
  const r = spawnSync(full[0]!, full.slice(1), {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_RETRY_FILES_ENABLED: '0' },
  });
  const mask = (s: string) => s.split(lab.dir).join('<lab>');
  return { code: r.status ?? -1, out: mask(r.stdout), err: mask(r.stderr) };
}

// Names unique to this run: other labs (and other twin runs) may be up on the machine.
const names = ['twina', 'twinb'].map((n) => `${n}-${process.pid.toString(36)}`);
const [a, b] = await Promise.all(names.map((name) => createLab({ name, nodes: 3, kube: true, ...(flannel ? { flannel: true, firewall: true } : { calicoState: true }) })));
try {
  const theirs = run('ansible-playbook', a!);
  const ours = run('philote', b!);
  console.log(`ansible-playbook exit ${theirs.code}, philote exit ${ours.code}`);
  const diffs = [...differences(sortedByTask(theirs.out), sortedByTask(ours.out)), ...differences(theirs.err.split('\n'), ours.err.split('\n')).map((d) => `stderr ${d}`)];
  console.log(diffs.length ? diffs.slice(0, 60).join('\n') : 'the outputs agree (each task\'s lines compared as a set)');
  process.exitCode = diffs.length || theirs.code !== ours.code ? 1 : 0;
} finally {
  if (keep) console.log(`labs kept: ${names.join(', ')} (npx philote lab --name NAME down)`);
  else for (const name of names) await destroyLab(name);
}
