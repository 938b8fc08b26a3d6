/**
 * The README's quick tour, run as written and in order (root: the lab creates network namespaces).
 * The commands are read from the README itself, so the test follows the text. Differences from a
 * newcomer's shell, all of them about not touching the machine: `npm ci && npm link` is replaced by
 * a `philote` symlink on PATH in a temp folder (what npm link makes, without writing the global
 * prefix); the lab gets a name unique to this run (PHILOTE_LAB_NAME) and run records a temp folder
 * (PHILOTE_RUNS_DIR). Also here: `npm run bench` from the repository's own workload (bench/).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueLabName } from '../helpers/lab-name.js';

const ROOT = join(import.meta.dirname, '..', '..');
const LAB = uniqueLabName('tour');
const BENCH_LAB = uniqueLabName('tourbench');
let dir = '';

function tourCommands(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const tour = readme.slice(readme.indexOf('## Quick tour'));
  const block = tour.slice(tour.indexOf('```sh\n') + 6, tour.indexOf('\n```', tour.indexOf('```sh\n')));
  return block.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

function bash(command: string, extra: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const env = {
    PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
    HOME: dir,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    ANSIBLE_CONFIG: '',
    PHILOTE_LAB_NAME: LAB,
    PHILOTE_RUNS_DIR: join(dir, 'runs'),
    PHILOTE_RECORD: '1',
    ...extra,
  };
  return new Promise((resolve) => {
    execFile('/bin/bash', ['-c', command], { cwd: ROOT, env, maxBuffer: 32 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout, err: stderr }),
    );
  });
}

/** What each command of the tour must show, besides exiting 0. */
const EXPECT: Array<[RegExp, (out: string) => void]> = [
  [/lab up --nodes 4/, (o) => expect(o.trim()).toMatch(new RegExp(`/${LAB}/inventory\\.ini$`))],
  [/inventory .* --graph/, (o) => expect(o).toContain('  |--@k3s_cluster:\n  |  |--@k3s_control_plane:\n  |  |  |--node1\n  |  |--@k3s_workers:\n  |  |  |--node2')],
  [/calico-node-cleanup\.yml --check --diff/, (o) => {
    expect(o).toMatch(/^node4 +: ok=\d+ +changed=[1-9]/m);
    expect(o).toContain('+    "state": "absent"');
  }],
  [/k3s-firewall\.yml -e cni=cilium -l node2 -v/, (o) => {
    expect(o).toMatch(/^node2 +: ok=\d+ +changed=[1-9]\d* +unreachable=0 +failed=0/m);
    expect(o).not.toMatch(/^node1 +:/m);
  }],
  [/backup\.yml --list-tasks/, (o) => expect(o).toContain('playbook: playbooks/backup.yml')],
  [/node2 .* -m iptables_chains/, (o) => expect(o).toMatch(/^node2 \| CHANGED => /m)],
  [/--host node2 --yaml/, (o) => {
    expect(o).toContain('reboot_command: /var/lib/lab/reboot');
    expect(o).toContain('cilium_pod_cidr: 10.245.0.0/16');
  }],
  [/^philote runs$/, (o) => {
    expect(o).toMatch(/ 0 +1 +0 +1 +k3s-firewall\.yml$/m);
    expect(o).toMatch(/ 0 +4 +0 +4 +calico-node-cleanup\.yml$/m);
  }],
  [/^philote report$/, (o) => {
    const file = o.trim();
    expect(file).toMatch(/report\.html$/);
    expect(readFileSync(file, 'utf8')).toContain('<title>k3s-firewall.yml');
  }],
  [/--version/, (o) => expect(o).toMatch(/^philote \d+\.\d+\.\d+ /)],
  [/--sim-only/, (o) => expect(existsSync(o.trim())).toBe(true)],
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'philote-tour-'));
  mkdirSync(join(dir, 'bin'));
  symlinkSync(join(ROOT, 'bin', 'philote.js'), join(dir, 'bin', 'philote'));
});
afterAll(async () => {
  await bash('philote lab down');
  await bash(`philote lab --name ${BENCH_LAB} down`);
  rmSync(dir, { recursive: true, force: true });
});

describe('the README quick tour on a fresh machine', () => {
  it('runs every command, in order, and each does what the README says', async () => {
    const commands = tourCommands();
    expect(commands[0]).toBe('npm ci && npm link');
    expect(commands.length).toBeGreaterThan(10);
    const checked = new Set<RegExp>();
    for (const command of commands.slice(1)) {
      const r = await bash(command === 'source <(philote completion bash)' ? `${command} && complete -p philote` : command);
      expect(r.code, `${command}\n${r.out}\n${r.err}`).toBe(0);
      for (const [re, check] of EXPECT) {
        if (!re.test(command)) continue;
        checked.add(re);
        check(r.out);
      }
    }
    // Every expectation met a command: the README still shows all of them.
    expect([...checked].length).toBe(EXPECT.length);
  }, 300_000);

  it('npm run bench runs from a clone with the repository\'s workload', async () => {
    const r = await bash(`npm run bench -- --sizes 2 --reps 1 --no-ansible --bench-dir bench --lab ${BENCH_LAB}`);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain(join(ROOT, 'bench', 'node-prep.yml'));
    expect(r.out).toMatch(/philote: cold [\d.]+ s, idempotent [\d.]+ s/);
    expect(r.out).not.toMatch(/not runnable|reported changed=[1-9]/);
  }, 300_000);
});
