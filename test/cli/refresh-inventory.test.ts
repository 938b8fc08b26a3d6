/**
 * meta: refresh_inventory reads the inventory sources again, against ansible-playbook 2.14 on
 * the same files (the shape of ansible-core's meta_tasks target): a play after the refresh sees
 * the new source's hosts, a host added by add_host is kept, and a group_by result is applied again
 * only to hosts the new source still has.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const hasAnsible = existsSync('/usr/bin/ansible-playbook');
const dirs: string[] = [];

const PLAYBOOK = `
- hosts: all
  gather_facts: false
  tasks:
    - add_host: { name: added, parity: none }
      run_once: true
    - group_by: { key: "{{ parity }}" }
    - name: swap the inventory source
      file: { src: ./new.yml, dest: "{{ playbook_dir }}/current.yml", state: link, force: true, follow: false }
      delegate_to: localhost
      run_once: true
    - meta: refresh_inventory
- hosts: all
  gather_facts: false
  tasks:
    - debug:
        msg: "{{ ansible_play_hosts | sort }} {{ groups['odd'] | default([]) | sort }} {{ groups['even'] | default([]) | sort }}"
      run_once: true
`;

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'philote-refresh-'));
  dirs.push(dir);
  const local = 'ansible_connection: local\n      ansible_python_interpreter: /usr/bin/python3';
  writeFileSync(join(dir, 'old.yml'), `all:\n  hosts:\n    one:\n      parity: odd\n      ${local}\n    two:\n      parity: even\n      ${local}\n`);
  writeFileSync(join(dir, 'new.yml'), `all:\n  hosts:\n    two:\n      parity: even\n      ${local}\n    four:\n      parity: even\n      ${local}\n`);
  symlinkSync('./old.yml', join(dir, 'current.yml'));
  writeFileSync(join(dir, 'play.yml'), PLAYBOOK);
  return dir;
}

function env(dir: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8', ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'), PHILOTE_RECORD: '0' };
}

const msgOf = (out: string) => /"msg": "(.*)"/.exec(out)?.[1];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!hasAnsible)('meta: refresh_inventory', () => {
  it('the next play sees the re-read source, with add_host kept and group_by applied again', async () => {
    const a = workdir();
    const ansible = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile('ansible-playbook', ['-i', 'current.yml', 'play.yml'], { cwd: a, env: env(a) }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: stdout + stderr }));
    });
    const p = workdir();
    const philote = await runCli(['playbook', '-i', 'current.yml', 'play.yml'], { cwd: p, env: env(p) });
    expect(ansible.code).toBe(0);
    expect(msgOf(ansible.out)).toBe("['added', 'four', 'two'] [] ['two']");
    expect(philote.code).toBe(0);
    expect(msgOf(philote.out)).toBe(msgOf(ansible.out));
  });
});
