/**
 * Against ansible-playbook 2.14: an undefined variable in a looped task's arguments fails the
 * whole task at that item ("fatal", no item line for it, earlier items shown); include vars are
 * templated where they are used, so a loop inside an included role that reuses `item` sees its
 * own item (and Ansible's "loop variable 'item' is already in use" warning is printed).
 * Compared: the status lines (up to "=>"), the warnings and the recap.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'phl-loop-err-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

mkdirSync(join(dir, 'roles', 'r', 'tasks'), { recursive: true });
writeFileSync(join(dir, 'roles', 'r', 'tasks', 'main.yml'), '- debug: msg="state={{ st }}"\n- debug: msg="{{ st }} {{ item }}"\n  loop: [x]\n  ignore_errors: true\n');
writeFileSync(join(dir, 't.yml'), '- debug: msg="v={{ v }}"\n');
writeFileSync(
  join(dir, 'play.yml'),
  `- hosts: localhost
  gather_facts: false
  vars:
    base: 5
  tasks:
    - debug: msg="{{ item }} {{ nope if item == 'y' else '' }}"
      loop: [x, y, z]
      ignore_errors: true
    - include_role: { name: r }
      vars:
        st: "{{ item.s }}-{{ base }}"
      loop:
        - { s: a }
    - include_tasks: t.yml
      vars:
        v: "{{ item }}"
      loop: [1, 2]
`,
);

/** Status lines cut at "=>", warnings whole (unwrapped), the recap. */
function shape(out: string): string[] {
  const lines = out.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    let l = lines[i]!;
    if (/inventory|implicit localhost|localhost does not match|provided hosts list is empty/.test(l)) continue;
    if (l.startsWith('[WARNING]:')) {
      while (i + 1 < lines.length && lines[i + 1] !== '' && !/^(\[|TASK|PLAY|ok:|fatal:|failed:|included:|skipping:)/.test(lines[i + 1]!)) l += ' ' + lines[++i]!.trim();
      kept.push(l);
    } else if (/^(ok|changed|failed|fatal|skipping|included): /.test(l)) kept.push(l.split(' => {')[0]!);
    else if (/^(TASK|PLAY|localhost\s+:)/.test(l)) kept.push(l);
  }
  return kept;
}

describe('loops and include vars as ansible-playbook runs them', () => {
  it('fail the task at an undefined item and template include vars where used', async () => {
    const env = { ANSIBLE_NOCOLOR: '1', HOME: dir, ANSIBLE_LOCALHOST_WARNING: 'false' };
    const ans = spawnSync('ansible-playbook', ['play.yml'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    const ours = await runCli(['playbook', 'play.yml'], { cwd: dir, env });
    expect(ours.code).toBe(ans.status);
    const want = shape(ans.stdout + ans.stderr);
    expect(shape(ours.out + ours.err).sort()).toEqual([...want].sort());
    expect(want).toContain('fatal: [localhost]: FAILED!');
    expect(want).toContain('ok: [localhost] => (item=x)');
    expect(want.some((l) => l.includes("The loop variable 'item' is already in use"))).toBe(true);
    expect(want).toContain('included: ' + join(dir, 't.yml') + ' for localhost => (item=1)');
  }, 60_000);
});
