/**
 * Every kind of file Ansible reads goes through the one loader: the same YAML values (off, on,
 * 0755, 0x1F, 1:30, 1.5, y, ~, a duplicate key) in vars_files, include_vars, group_vars and
 * host_vars beside the playbook, a role's defaults and vars, a YAML inventory, -e @file and
 * from_yaml, printed with to_json (so false differs from "off" and 493 from 755) by
 * ansible-playbook 2.14 and by philote; the printed values and the warnings must be equal.
 * Local connection only: no lab needed.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

const KEYS = ['flag', 'on', 'mode', 'hex', 'sexa', 'float', 'y', 'nul', 'dup'];

function values(prefix: string, indent = ''): string {
  return [
    `${prefix}flag: off`,
    `${prefix}on: On`,
    `${prefix}mode: 0755`,
    `${prefix}hex: 0x1F`,
    `${prefix}sexa: 1:30`,
    `${prefix}float: 1.5`,
    `${prefix}y: y`,
    `${prefix}nul: ~`,
    `${prefix}dup: first`,
    `${prefix}dup: last`,
  ]
    .map((l) => indent + l)
    .join('\n') + '\n';
}

function show(prefix: string): string {
  return `    - debug: { msg: "${prefix} {{ [${KEYS.map((k) => `${prefix}${k}`).join(', ')}] | to_json }}" }\n`;
}

function project(): string {
  const dir = tempDir('philote-values-files-');
  const w = (rel: string, text: string) => {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  w('hosts.yml', `all:\n  hosts:\n    localhost:\n      ansible_connection: local\n      ansible_python_interpreter: /usr/bin/python3\n${values('inv_', '      ')}`);
  w('vf.yml', values('vf_'));
  w('iv.yml', values('iv_'));
  w('group_vars/all.yml', values('gv_'));
  w('host_vars/localhost.yml', values('hv_'));
  w('roles/r/defaults/main.yml', values('rd_'));
  w('roles/r/vars/main.yml', values('rv_'));
  w('roles/r/tasks/main.yml', show('rd_').replace(/^ {4}/, '') + show('rv_').replace(/^ {4}/, ''));
  w('extra.yml', values('ex_'));
  w('fy.yml', values('fy_'));
  w(
    'site.yml',
    '- hosts: localhost\n  gather_facts: false\n  vars_files: [vf.yml]\n  roles: [r]\n  tasks:\n    - include_vars: iv.yml\n' +
      ['vf_', 'iv_', 'gv_', 'hv_', 'inv_', 'ex_'].map(show).join('') +
      `    - debug: { msg: "fy {{ lookup('file', 'fy.yml') | from_yaml | to_json }}" }\n`,
  );
  return dir;
}

/** The debug messages of a run, and its duplicate-key warnings with blanks removed (both wrap them). */
function digest(text: string): { msgs: string[]; warnings: string[] } {
  const msgs = text.split('\n').filter((l) => l.includes('"msg": ')).map((l) => l.trim());
  const warnings = text.replace(/\s+/g, '').match(/\[WARNING\]:Whileconstructingamapping.*?Usinglastdefinedvalueonly\./g) ?? [];
  return { msgs, warnings: warnings.sort() };
}

describe('every file Ansible reads agrees with ansible-playbook 2.14', () => {
  it('vars_files, include_vars, group_vars, host_vars, role defaults/vars, YAML inventory, -e @file, from_yaml', async () => {
    const dir = project();
    const args = ['-i', 'hosts.yml', '-e', '@extra.yml', 'site.yml'];
    const env = { ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0', ANSIBLE_RETRY_FILES_ENABLED: '0', ANSIBLE_LOCALHOST_WARNING: '0', COLUMNS: '200' };
    const a = spawnSync('/usr/bin/ansible-playbook', args, { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(a.status, a.stdout + a.stderr).toBe(0);
    const p = await runCli(['playbook', ...args], { cwd: dir, env: { ...env, PHILOTE_PROGRESS: '0' } });
    expect(p.code, p.out + p.err).toBe(0);
    const want = digest(a.stdout + '\n' + a.stderr);
    // Nine sources printed (from_yaml included); a duplicate-key warning for each file but fy.yml
    // (from_yaml is PyYAML's SafeLoader, which does not warn).
    expect(want.msgs).toHaveLength(9);
    expect(want.msgs.filter((l) => l.includes('[false, true, 493, 31, 90, 1.5, \\"y\\", null, \\"last\\"]'))).toHaveLength(8);
    expect(want.warnings).toHaveLength(8);
    const got = digest(p.out + '\n' + p.err);
    expect(got.msgs).toEqual(want.msgs);
    expect(got.warnings).toEqual(want.warnings);
  });
});
