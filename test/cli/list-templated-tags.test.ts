/**
 * Against ansible-playbook 2.14: --list-tasks and --list-tags show (and select by) a templated
 * tag's value, rendered with the play's variables and -e; the task name stays as written.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'phl-listtags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'play.yml'),
  `- hosts: localhost
  gather_facts: false
  vars:
    t: web
  tasks:
    - name: "task for {{ t }}"
      debug: msg=x
      tags: ["{{ t }}", base]
    - name: other
      debug: msg=y
      tags: ["{{ other_tag | default('db') }}"]
`,
);

describe('listing templated tags', () => {
  it.each([
    { args: ['--list-tasks'] },
    { args: ['--list-tags'] },
    { args: ['--list-tasks', '--tags', 'web'] },
    { args: ['--list-tasks', '-e', 'other_tag=cache', '--skip-tags', 'base'] },
  ])('$args as ansible-playbook', async ({ args }) => {
    const env = { ANSIBLE_NOCOLOR: '1', HOME: dir, ANSIBLE_LOCALHOST_WARNING: 'false', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false' };
    const ans = spawnSync('ansible-playbook', ['play.yml', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    const ours = await runCli(['playbook', 'play.yml', ...args], { cwd: dir, env });
    expect(ours.code).toBe(ans.status);
    expect(ours.out).toBe(ans.stdout);
  }, 60_000);
});

describe('listing and --syntax-check evaluate each play host pattern', () => {
  it.each([['--syntax-check'], ['--list-tasks'], ['--list-hosts']])('%s warns about a pattern that matches nothing, once, as ansible-playbook', async (flag) => {
    writeFileSync(join(dir, 'inv'), '[web]\nw1 ansible_connection=local\n');
    writeFileSync(join(dir, 'nomatch.yml'), '- hosts: web\n  gather_facts: false\n  tasks: [{debug: msg=x}]\n- hosts: proxmox\n  gather_facts: false\n  tasks: []\n- hosts: proxmox\n  tasks: []\n');
    const env = { ANSIBLE_NOCOLOR: '1', HOME: dir };
    const ans = spawnSync('ansible-playbook', ['-i', 'inv', 'nomatch.yml', flag], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    const ours = await runCli(['playbook', '-i', 'inv', 'nomatch.yml', flag], { cwd: dir, env });
    const warnings = (s: string) => s.split('\n').filter((l) => l.startsWith('[WARNING]'));
    expect(warnings(ans.stderr)).toEqual(['[WARNING]: Could not match supplied host pattern, ignoring: proxmox']);
    expect(warnings(ours.err + ours.out)).toEqual(warnings(ans.stderr));
    expect(ours.code).toBe(ans.status);
  }, 60_000);
});
