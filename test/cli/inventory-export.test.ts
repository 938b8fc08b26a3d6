/**
 * `philote inventory` with --yaml, --vars and --export against Debian's ansible-inventory 2.14 on
 * the same INI inventory with a children group, [g:vars] and group_vars/: identical output, except
 * that PyYAML writes one list shared by two hosts as an anchor and an alias (&id001/*id001) where
 * philote repeats it; that case is compared as parsed YAML.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir = '';
const INI = `[control_plane]
cp1 ansible_host=10.0.0.1 k3s_role=server

[workers]
w1 ansible_host=10.0.0.2
w2 ansible_host=10.0.0.3 extra=yes

[k3s:children]
control_plane
workers

[k3s:vars]
k3s_version=v1.29.4+k3s1
port=6443

[other]
lonely
`;

const env = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ANSIBLE_CONFIG: '', ANSIBLE_HOME: join(dir, 'ansible-home'), ANSIBLE_LOCAL_TEMP: join(dir, 'tmp') });

function ansibleInventory(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ansible-inventory', ['-i', 'hosts.ini', ...args], { cwd: dir, env: env() }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'philote-inv-export-'));
  writeFileSync(join(dir, 'hosts.ini'), INI);
  mkdirSync(join(dir, 'group_vars'));
  writeFileSync(join(dir, 'group_vars', 'workers.yml'), 'ansible_user: root\nlist: [1, 2]\nnested: {a: {b: [x]}}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('philote inventory --yaml / --vars / --export', () => {
  const cases = [['--list', '--export'], ['--list', '--yaml', '--export'], ['--graph', '--vars'], ['--graph', 'k3s', '--vars', '--export'], ['--host', 'w2', '--yaml'], ['--host', 'w2', '--export'], ['--list', '--vars']];
  it.each(cases)('%s %s %s %s prints what ansible-inventory prints', async (...args) => {
    const [a, p] = await Promise.all([ansibleInventory(args), runCli(['inventory', '-i', 'hosts.ini', ...args], { cwd: dir, env: env() })]);
    expect(p.code).toBe(0);
    expect(p.out).toBe(a);
  });

  it('--list --yaml: the same inventory (PyYAML anchors the shared list)', async () => {
    const [a, p] = await Promise.all([ansibleInventory(['--list', '--yaml']), runCli(['inventory', '-i', 'hosts.ini', '--list', '--yaml'], { cwd: dir, env: env() })]);
    expect(a).toContain('&id001');
    expect(parse(p.out)).toEqual(parse(a));
    expect(p.out).toContain('    other:\n      hosts:\n        lonely: {}\n    ungrouped: {}\n');
  });
});
