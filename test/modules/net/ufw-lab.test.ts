/**
 * ufw, differential against community.general.ufw: Debian's real ufw inside lab nodes (their own
 * network namespace and private /etc overlay, where ufw keeps its rules), ansible-playbook on node1
 * and philote on node2 over SSH, the same tasks twice; the user rules and changed flags must agree,
 * and check mode must change nothing. Skipped where ufw is not installed (.ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../../src/lab/index.js';
import { uniqueLabName } from '../../helpers/lab-name.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp-dir.js';

const haveUfw = existsSync('/usr/sbin/ufw');
let lab: Lab;
const dir = tempDir('phl-ufw-');

const TASKS = `
    - community.general.ufw: {rule: allow, port: "179", proto: tcp}
    - community.general.ufw: {rule: allow, port: "4789", proto: udp, comment: calico vxlan}
    - community.general.ufw: {rule: allow, from_ip: 10.42.0.0/16, to_port: "5473", proto: tcp}
    - community.general.ufw: {rule: allow, port: "179", proto: tcp, delete: true}
    - community.general.ufw: {default: deny, direction: incoming}
    - community.general.ufw: {logging: low}
`;

function playbook(host: string): string {
  const p = join(dir, `${host}.yml`);
  writeFileSync(p, `- hosts: ${host}\n  gather_facts: false\n  become: true\n  tasks:${TASKS}`);
  return p;
}

function ansible(host: string, ...flags: string[]): string {
  const r = spawnSync('ansible-playbook', ['-i', lab.inventoryPath, ...flags, playbook(host)], { encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

const changedFlags = (out: string) => [...out.matchAll(/^(ok|changed): \[node\d\]/gm)].map((m) => m[1] === 'changed');
const rules = (node: string) => lab.exec(node, "grep -h '^### tuple' /etc/ufw/user.rules /etc/ufw/user6.rules; grep -E '^(DEFAULT_INPUT_POLICY|LOGLEVEL)' /etc/default/ufw /etc/ufw/ufw.conf").then((r) => r.stdout);

describe.skipIf(!haveUfw)('ufw in lab nodes (differential against community.general.ufw)', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('ufwmods'), nodes: 2 });
  }, 120_000);
  afterAll(async () => {
    await lab?.down();
  });

  it('check mode changes nothing; rules, defaults, logging and changed flags match Ansible, twice', async () => {
    const before = await rules('node2');
    const ansCheck = ansible('node1', '--check');
    const check = await runCli(['playbook', '-i', lab.inventoryPath, '--check', playbook('node2')]);
    expect(check.code, check.out).toBe(0);
    expect(changedFlags(check.out)).toEqual(changedFlags(ansCheck));
    expect(changedFlags(check.out)).toContain(true);
    expect(await rules('node2')).toBe(before);

    for (let pass = 0; pass < 2; pass++) {
      const ans = ansible('node1');
      const ours = await runCli(['playbook', '-i', lab.inventoryPath, playbook('node2')]);
      expect(ours.code, ours.out).toBe(0);
      expect(changedFlags(ours.out)).toEqual(changedFlags(ans));
      expect(await rules('node2')).toBe(await rules('node1'));
    }
    expect(await rules('node2')).toContain('allow udp 4789 0.0.0.0/0 any 0.0.0.0/0 in comment=');
    expect(await rules('node2')).not.toMatch(/allow tcp 179 0\.0\.0\.0\/0 any 0\.0\.0\.0\/0 in$/m);
  }, 180_000);
});
