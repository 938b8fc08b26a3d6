/**
 * slurp, fetch and tempfile against ansible-core's own modules on the same files (local
 * connection): same content, same dest layout, same changed flags; check mode writes nothing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'phl-fetch-'));
const src = join(root, 'k3s.yaml');
writeFileSync(src, Buffer.from([0, 1, 2, 255, 10, 65, 66]));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function playbook(name: string, dest: string): string {
  const p = join(root, `${name}.yml`);
  writeFileSync(
    p,
    `- hosts: localhost
  gather_facts: false
  tasks:
    - slurp: {src: ${src}}
      register: s
    - fetch: {src: ${src}, dest: ${dest}/tree}
      register: f1
    - fetch: {src: ${src}, dest: ${dest}/flat/, flat: true}
      register: f2
    - fetch: {src: ${root}/missing, dest: ${dest}/tree, fail_on_missing: false}
      register: f3
    - tempfile: {state: directory, path: ${dest}, prefix: phl., suffix: .d}
      register: t
    - debug:
        msg: "{{ s.content }} {{ s.encoding }} {{ f1.changed }} {{ f1.dest | replace('${dest}', 'D') }} {{ f2.dest | replace('${dest}', 'D') }} {{ f1.checksum }} {{ f3.failed | default(false) }} {{ t.path is match('${dest}/phl\\\\..*\\\\.d$') }} {{ t.changed }}"
`,
  );
  return p;
}

const msg = (out: string) => /"msg": "(.*)"\n/.exec(out)?.[1];

describe('slurp, fetch, tempfile (differential against ansible-core)', () => {
  it('read, copy and create as Ansible does, and change nothing in check mode', async () => {
    const a = join(root, 'ans');
    const b = join(root, 'ours');
    mkdirSync(a);
    mkdirSync(b);
    const ans = execFileSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', playbook('a', a)], { encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: '0' } });
    // Check mode: tempfile does not support it, so it is skipped and the debug's t.path is
    // undefined: ansible-playbook fails there (exit 2), and so must philote; nothing is written.
    const ac = join(root, 'ans-check');
    mkdirSync(ac);
    const ansCheck = spawnSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', '--check', playbook('ac', ac)], { encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: '0' } });
    const check = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', '--check', playbook('b', b)]);
    expect(ansCheck.status).toBe(2);
    expect(check.code, check.out).toBe(ansCheck.status);
    expect(check.out).toContain("'dict object' has no attribute 'path'");
    expect(existsSync(join(b, 'tree'))).toBe(false);
    expect(readdirSync(b)).toEqual(readdirSync(ac));
    const ours = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', playbook('b', b)]);
    expect(ours.code, ours.out).toBe(0);
    expect(msg(ours.out)).toBe(msg(ans));
    expect(msg(ans)).toContain('AAEC/wpBQg== base64 True');
    expect(readFileSync(join(b, 'tree', 'localhost', src))).toEqual(readFileSync(src));
    expect(readFileSync(join(b, 'flat', 'k3s.yaml'))).toEqual(readFileSync(src));
    const again = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', playbook('b', b)]);
    expect(msg(again.out)).toContain('base64 False');
  });
});
