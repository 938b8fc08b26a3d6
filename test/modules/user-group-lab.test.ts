/**
 * user and group in lab nodes (their /etc is a private overlay; homes go under /var/lib, also
 * private), differential: ansible-playbook on node1, philote on node2, twice; then a change and a
 * removal; getent output and changed flags must agree, and check mode must change nothing.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/lab/index.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

let lab: Lab;
const dir = tempDir('phl-user-');

function playbook(host: string, name: string, tasks: string): string {
  const p = join(dir, `${name}-${host}.yml`);
  writeFileSync(p, `- hosts: ${host}\n  gather_facts: false\n  become: true\n  tasks:\n${tasks}`);
  return p;
}

const CREATE = `    - group: {name: phlgrp, gid: 2345}
    - user: {name: phluser, uid: 2345, group: phlgrp, groups: [adm], shell: /bin/sh, home: /var/lib/phluser, create_home: true, comment: K3s admin}
`;
const CHANGE = `    - user: {name: phluser, shell: /bin/bash, groups: [staff], append: true}
    - group: {name: phlgrp, gid: 2346}
`;
const REMOVE = `    - user: {name: phluser, state: absent, remove: true}
    - group: {name: phlgrp, state: absent}
`;

const flags = (out: string) => [...out.matchAll(/^(ok|changed): \[node\d\]/gm)].map((m) => m[1] === 'changed');
const accounts = async (node: string) =>
  (await lab.exec(node, 'getent passwd phluser; getent group phlgrp | cut -d: -f1,3; id -Gn phluser 2>/dev/null; ls -d /var/lib/phluser 2>/dev/null; true')).stdout;

async function both(name: string, tasks: string): Promise<void> {
  const ans = spawnSync('ansible-playbook', ['-i', lab.inventoryPath, playbook('node1', name, tasks)], { encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
  expect(ans.status, ans.stdout + ans.stderr).toBe(0);
  const ours = await runCli(['playbook', '-i', lab.inventoryPath, playbook('node2', name, tasks)]);
  expect(ours.code, ours.out).toBe(0);
  expect(flags(ours.out), name).toEqual(flags(ans.stdout));
  expect(await accounts('node2'), name).toBe(await accounts('node1'));
}

describe('user and group in lab nodes (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('usermods'), nodes: 2 });
  }, 120_000);
  afterAll(async () => {
    await lab?.down();
  });

  it('creates, changes and removes accounts as Ansible does; check mode changes nothing', async () => {
    const check = await runCli(['playbook', '-i', lab.inventoryPath, '--check', playbook('node2', 'check', CREATE)]);
    expect(check.code, check.out).toBe(0);
    expect(flags(check.out)).toEqual([true, true]);
    expect(await accounts('node2')).toBe('');
    await both('create', CREATE);
    expect(await accounts('node2')).toContain('phluser:x:2345:2345:K3s admin:/var/lib/phluser:/bin/sh');
    await both('create-again', CREATE);
    await both('change', CHANGE);
    await both('remove', REMOVE);
    expect(await accounts('node2')).toBe('');
  }, 120_000);

  it('non_unique: a second group on a gid already taken (groupadd -o), and the gid it needs', async () => {
    const NON_UNIQUE = `    - group: {name: phlgrp, gid: 2347}
    - group: {name: phlgrp2, gid: 2347, non_unique: true}
    - group: {name: phlgrp3, non_unique: true}
      register: missing_gid
      ignore_errors: true
    - assert: {that: [missing_gid is failed, "missing_gid.msg == 'non_unique is True but all of the following are missing: gid'"]}
    - group: {name: phlgrp2, state: absent}
    - group: {name: phlgrp, state: absent}
`;
    await both('non-unique', NON_UNIQUE);
  }, 120_000);
});
