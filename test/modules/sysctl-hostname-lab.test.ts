/**
 * sysctl and hostname in lab nodes, differential: ansible-playbook (ansible.posix.sysctl,
 * ansible.builtin.hostname) on node1, philote on node2, over SSH with become, twice, then check
 * mode. A net.* key is per network namespace and the lab's /etc is a private overlay and its
 * host name a private UTS namespace, so nothing of this machine changes.
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
const dir = tempDir('phl-sysctl-');

function playbook(host: string, name: string): string {
  const p = join(dir, `${host}.yml`);
  writeFileSync(
    p,
    `- hosts: ${host}
  gather_facts: false
  become: true
  tasks:
    - ansible.posix.sysctl: {name: net.ipv4.ip_forward, value: "1", sysctl_file: /etc/sysctl.d/99-phl.conf, sysctl_set: true}
    - ansible.posix.sysctl: {name: net/ipv4/conf/all/rp_filter, value: "2", sysctl_file: /etc/sysctl.d/99-phl.conf, reload: false}
    - ansible.posix.sysctl: {name: net.ipv4.conf.all.rp_filter, state: absent, sysctl_file: /etc/sysctl.d/99-phl.conf, reload: false}
    - ansible.builtin.hostname: {name: ${name}}
`,
  );
  return p;
}

const flags = (out: string) => [...out.matchAll(/^(ok|changed): \[node\d\]/gm)].map((m) => m[1] === 'changed');
// The running host name is left out of the comparison: on a node without systemd Ansible picks
// its file strategy, which only writes /etc/hostname; philote also sets the running name, as
// Ansible's systemd strategy (hostnamectl) does on the systemd nodes K3s runs on.
const state = async (node: string) =>
  (await lab.exec(node, 'cat /etc/sysctl.d/99-phl.conf; sysctl -n net.ipv4.ip_forward; cat /etc/hostname')).stdout;

describe('sysctl and hostname in lab nodes (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('sysmods'), nodes: 2 });
  }, 120_000);
  afterAll(async () => {
    await lab?.down();
  });

  it('same files, live values, names and changed flags; check mode changes nothing', async () => {
    const before = await state('node2');
    const check = await runCli(['playbook', '-i', lab.inventoryPath, '--check', playbook('node2', 'w9.lab')]);
    expect(check.code, check.out).toBe(0);
    const ansCheck = spawnSync('ansible-playbook', ['-i', lab.inventoryPath, '--check', playbook('node1', 'w9.lab')], { encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
    expect(flags(check.out), check.out + ansCheck.stdout).toEqual(flags(ansCheck.stdout));
    expect(flags(check.out)).toContain(true);
    expect(await state('node2')).toBe(before);
    for (let pass = 0; pass < 2; pass++) {
      const ans = spawnSync('ansible-playbook', ['-i', lab.inventoryPath, playbook('node1', 'w9.lab')], { encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
      expect(ans.status, ans.stdout + ans.stderr).toBe(0);
      const ours = await runCli(['playbook', '-i', lab.inventoryPath, playbook('node2', 'w9.lab')]);
      expect(ours.code, ours.out).toBe(0);
      expect(flags(ours.out)).toEqual(flags(ans.stdout));
      expect(await state('node2')).toBe(await state('node1'));
    }
    expect(await state('node2')).toBe('net.ipv4.ip_forward=1\nnet/ipv4/conf/all/rp_filter=2\n1\nw9.lab\n');
    expect((await lab.exec('node2', 'hostname')).stdout.trim()).toBe('w9.lab');
  }, 120_000);
});
