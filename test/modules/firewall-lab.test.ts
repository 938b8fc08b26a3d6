/**
 * iptables over real SSH on lab nodes, with both iptables back ends: node1 uses the node's own
 * `iptables` (iptables-nft here), node2 gets the real iptables-legacy binaries first in PATH (the
 * play's `environment:`, as on a node whose alternatives point to legacy). The rules must land in
 * the back end the node uses; check mode changes nothing (iptables-save before/after); the second
 * run reports changed=0. Only the lab nodes' namespaces are touched.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/lab/index.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { runCli } from '../helpers/cli.js';

let lab: Lab;
const dir = mkdtempSync(join(tmpdir(), 'phl-fwmods-'));
// Under the lab's folder: lab nodes have their own /tmp, so a folder of the test's tmpdir is not
// visible on them (the lab folder is).
let legacyBin = '';

const TASKS = `
    - ansible.builtin.iptables: {chain: INPUT, protocol: tcp, destination_port: "6443", ctstate: [NEW], jump: ACCEPT, comment: k3s api}
    - ansible.builtin.iptables: {chain: INPUT, protocol: udp, destination_ports: ["8472", "4789"], jump: ACCEPT}
    - ansible.legacy.iptables: {chain: INPUT, source: 10.42.0.0/16, jump: ACCEPT, action: insert, rule_num: "1"}
    - iptables: {table: nat, chain: POSTROUTING, source: 10.42.0.0/16, out_interface: eth0, jump: MASQUERADE}
    - iptables: {chain: K3S-FW, chain_management: true}
    - iptables: {chain: FORWARD, policy: DROP}
    - iptables: {chain: INPUT, protocol: tcp, destination_port: "10250", jump: ACCEPT, ip_version: ipv6}
`;

function playbook(host: string, legacy: boolean): string {
  const p = join(dir, `${host}.yml`);
  const env = legacy ? `  environment: {PATH: "${legacyBin}:/usr/sbin:/usr/bin:/sbin:/bin"}\n` : '';
  writeFileSync(p, `- hosts: ${host}\n  gather_facts: false\n  become: true\n${env}  tasks:${TASKS}`);
  return p;
}
/**
 * Rules, user chains and non-default policies of one back end. Empty tables and built-in chains
 * are left out: `iptables -C` (Ansible's too) makes the kernel list a table it looked into.
 */
const save = (node: string, backend: 'nft' | 'legacy') =>
  lab.exec(node, `iptables-${backend}-save; echo '# v6'; ip6tables-${backend}-save`).then((r) =>
    r.stdout
      .replace(/\[\d+:\d+\]/g, '')
      .split('\n')
      .filter((l) => /^(-A |:\S+ (DROP|-)|# v6)/.test(l))
      .join('\n'),
  );
const recap = (out: string) => /changed=(\d+)/.exec(out)?.[1];

describe('iptables on lab nodes over SSH, nft and legacy back ends', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('fwmods'), nodes: 2 });
    legacyBin = join(lab.dir, 'legacy-bin');
    mkdirSync(legacyBin);
    for (const t of ['iptables', 'iptables-save', 'ip6tables', 'ip6tables-save']) symlinkSync(`/usr/sbin/${t.replace(/(tables)/, '$1-legacy')}`, join(legacyBin, t));
  }, 120_000);
  afterAll(async () => {
    await lab?.down();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [node, backend] of [['node1', 'nft'], ['node2', 'legacy']] as const) {
    it(`${node} (${backend}): check mode changes nothing, the run builds the rules there, the second run changes nothing`, async () => {
      const p = playbook(node, backend === 'legacy');
      const other = backend === 'nft' ? 'legacy' : 'nft';
      const before = await save(node, backend);
      const check = await runCli(['playbook', '-i', lab.inventoryPath, '--check', p]);
      expect(check.code, check.out).toBe(0);
      expect(recap(check.out)).toBe('7');
      expect(await save(node, backend)).toBe(before);

      const otherBefore = await save(node, other);
      const first = await runCli(['playbook', '-i', lab.inventoryPath, p]);
      expect(first.code, first.out).toBe(0);
      expect(recap(first.out)).toBe('7');
      const rules = await save(node, backend);
      expect(rules).toContain('-A INPUT -s 10.42.0.0/16 -j ACCEPT');
      expect(rules).toMatch(/-A INPUT -p tcp -m tcp --dport 6443 -m conntrack --ctstate NEW -m comment --comment "k3s api" -j ACCEPT/);
      expect(rules).toContain('-A INPUT -p udp -m multiport --dports 8472,4789 -j ACCEPT');
      expect(rules).toContain('-A POSTROUTING -s 10.42.0.0/16 -o eth0 -j MASQUERADE');
      expect(rules).toContain(':K3S-FW - ');
      expect(rules).toContain(':FORWARD DROP');
      expect(rules).toContain('--dport 10250');
      expect(await save(node, other)).toBe(otherBefore);

      const again = await runCli(['playbook', '-i', lab.inventoryPath, p]);
      expect(recap(again.out), again.out).toBe('0');
      expect(await save(node, backend)).toBe(rules);
    }, 60_000);
  }
});
