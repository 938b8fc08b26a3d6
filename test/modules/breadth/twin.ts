/**
 * Twin-node differential harness for the breadth modules: the same task list runs under
 * ansible-playbook 2.14 on lab node1 and under philote on lab node2 (SSH, become), and the tests
 * compare per-task ok/changed/skipped/failed, chosen values of the registered results and the
 * nodes' state. Lab names carry the test process id so parallel runs never share a lab.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, type Lab } from '../../../src/lab/index.js';
import { runCli } from '../../helpers/cli.js';

export interface Twin {
  lab: Lab;
  dir: string;
  /** Run `tasks` (YAML lines under `tasks:`) on both nodes; extra CLI flags (e.g. --check) apply to both. */
  both(tasks: string, flags?: string[]): Promise<{ ans: string; ours: string; ansCode: number; oursCode: number }>;
  /** A command's stdout on each node: [node1 (ansible), node2 (philote)]. */
  state(cmd: string): Promise<[string, string]>;
  down(): Promise<void>;
}

export async function startTwin(prefix: string): Promise<Twin> {
  const lab = await createLab({ name: `${prefix}${process.pid % 100000}`, nodes: 2 });
  const dir = mkdtempSync(join(tmpdir(), `phl-${prefix}-`));
  let n = 0;
  const playbook = (host: string, tasks: string): string => {
    const p = join(dir, `play${n}-${host}.yml`);
    writeFileSync(p, `- hosts: ${host}\n  gather_facts: false\n  become: true\n  tasks:\n${tasks}`);
    return p;
  };
  return {
    lab,
    dir,
    async both(tasks, flags = []) {
      n++;
      const ans = spawnSync('ansible-playbook', ['-i', lab.inventoryPath, ...flags, playbook('node1', tasks)], {
        encoding: 'utf8',
        cwd: dir,
        env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_DEPRECATION_WARNINGS: '0' },
      });
      const ours = await runCli(['playbook', '-i', lab.inventoryPath, ...flags, playbook('node2', tasks)], { cwd: dir });
      return { ans: ans.stdout + ans.stderr, ours: ours.out + ours.err, ansCode: ans.status ?? -1, oursCode: ours.code };
    },
    async state(cmd) {
      return [(await lab.exec('node1', cmd)).stdout, (await lab.exec('node2', cmd)).stdout];
    },
    async down() {
      await lab.down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Per task: ok, changed, skipping or failed, in order (both tools print these words). */
export function outcomes(out: string): string[] {
  return [...out.matchAll(/^(ok|changed|skipping|failed|fatal): \[node\d\]/gm)].map((m) => (m[1] === 'fatal' ? 'failed' : m[1]!));
}

/** The `msg` of every debug task, in order (the tests print what they compare with debug). */
export function debugMsgs(out: string): string[] {
  return [...out.matchAll(/^ok: \[node\d\] => \{\n\s+"msg": ([\s\S]*?)\n\}$/gm)].map((m) => m[1]!);
}
