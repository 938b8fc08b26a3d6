/**
 * apt/package and modprobe.
 * - apt: differential against ansible-core's apt in CHECK MODE only (local connection): a real
 *   install would change this machine's /usr, which the lab nodes share, so packages are never
 *   installed or removed by tests. The changed flags must agree and nothing may be installed.
 * - modprobe: this sandbox has no modprobe and no /proc/modules; "loaded" is read from
 *   /sys/module for real, and the load itself goes to a STAND-IN `modprobe` first in PATH that
 *   records its arguments (loading a kernel module here would change the machine's kernel).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'phl-apt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const hasApt = spawnSync('apt-get', ['--version']).status === 0;
const msg = (out: string) => /"msg": "(.*)"\n/.exec(out)?.[1];

describe.skipIf(!hasApt)('apt and package (check mode, differential against ansible-core)', () => {
  it('reports the same changes for installed, missing, absent and latest packages and installs nothing', async () => {
    const p = join(root, 'apt.yml');
    writeFileSync(
      p,
      `- hosts: localhost
  gather_facts: false
  tasks:
    - apt: {name: [openssh-server, iproute2], state: present}
      register: a1
    - apt: {name: hello, state: present}
      register: a2
    - apt: {name: hello, state: absent}
      register: a3
    - package: {name: openssh-server, state: latest}
      register: a4
    - apt: {name: [iproute2, hello]}
      register: a5
    - debug: msg="{{ [a1, a2, a3, a4, a5] | map(attribute='changed') | list | join(',') }}"
`,
    );
    const ans = execFileSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', '--check', p], { encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: '0' } });
    const ours = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', '--check', p]);
    expect(ours.code, ours.out).toBe(0);
    expect(msg(ours.out)).toBe(msg(ans));
    expect(msg(ours.out)).toMatch(/^False,True,False,\w+,True$/);
    expect(spawnSync('dpkg-query', ['-W', 'hello']).status).not.toBe(0);
  });

  it('refuses a name that is not a package name before running anything', async () => {
    const p = join(root, 'bad.yml');
    writeFileSync(p, '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - apt: {name: "curl; rm -rf /"}\n');
    const r = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', p]);
    expect(r.code).not.toBe(0);
    expect(r.out + r.err).toContain("is not a Debian package name");
  });
});

describe('modprobe (loaded state from /sys/module, loading through a stand-in modprobe)', () => {
  it('leaves loaded modules alone, loads missing ones with params, changes nothing in check mode', async () => {
    const bin = join(root, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    const log = join(root, 'modprobe.log');
    writeFileSync(join(bin, 'modprobe'), `#!/bin/sh\necho "$*" >> ${log}\n`);
    chmodSync(join(bin, 'modprobe'), 0o755);
    const loaded = readdirSync('/sys/module').find((m) => /^[a-z_]+$/.test(m))!;
    const p = join(root, 'mod.yml');
    writeFileSync(
      p,
      `- hosts: localhost
  gather_facts: false
  environment: {PATH: "${bin}:${process.env.PATH}"}
  tasks:
    - community.general.modprobe: {name: ${loaded}, state: present}
    - community.general.modprobe: {name: phl_not_a_module, state: present, params: "numdummies=2 x=1"}
    - community.general.modprobe: {name: phl_not_a_module, state: absent}
`,
    );
    const check = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', '--check', p]);
    expect(check.code, check.out).toBe(0);
    expect(existsSync(log)).toBe(false);
    const r = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', p]);
    expect(r.code, r.out).toBe(0);
    expect([...r.out.matchAll(/^(ok|changed): \[localhost\]/gm)].map((m) => m[1])).toEqual(['ok', 'changed', 'ok']);
    expect(readFileSync(log, 'utf8')).toBe('phl_not_a_module numdummies=2 x=1\n');
  });
});
