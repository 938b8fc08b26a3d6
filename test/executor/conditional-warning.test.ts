/**
 * Against ansible-playbook 2.14: a `when:` written with {{ }} gets Ansible's warning, once per
 * task and host (it comes from a worker process, so two tasks with the same text warn twice),
 * and still works.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'phl-condwarn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'play.yml'),
  `- hosts: localhost
  gather_facts: false
  vars:
    x: true
  tasks:
    - debug: msg=one
      when: "{{ x }}"
    - debug: msg="{{ item }}"
      loop: [a, b]
      when: "{{ x }}"
    - debug: msg=plain
      when: x
`,
);

const warnings = (text: string) => text.replace(/\n(?!\[|\n|TASK|PLAY|ok:|skipping:|localhost)/g, ' ').split('\n').filter((l) => l.includes('conditional statements'));

describe('the warning for a conditional with {{ }}', () => {
  it('is printed as ansible-playbook prints it', async () => {
    const env = { ANSIBLE_NOCOLOR: '1', HOME: dir, ANSIBLE_LOCALHOST_WARNING: 'false', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false' };
    const ans = spawnSync('ansible-playbook', ['play.yml'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    const ours = await runCli(['playbook', 'play.yml'], { cwd: dir, env });
    expect(ours.code).toBe(ans.status);
    const want = warnings(ans.stdout + ans.stderr);
    expect(want).toHaveLength(2);
    expect(warnings(ours.out + ours.err)).toEqual(want);
  }, 60_000);
});
