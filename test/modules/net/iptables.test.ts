/**
 * ansible.builtin.iptables, differential: the same tasks run by ansible-playbook (connection
 * local, inside namespace A) and by philote (inside namespace B); both namespaces' iptables-save
 * must be the same after each pass, with the same changed flags, and check mode must change nothing.
 * Only our own throw-away namespaces are touched, never the machine's firewall.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iptablesModule } from '../../../src/modules/net/iptables.js';
import { ansibleTasks, createNetns, deleteNetns, NetnsConnection, nsExec, runModule } from '../node/helpers.js';

const A = `phl-mod-ipta-${process.pid}`;
const B = `phl-mod-iptb-${process.pid}`;
const save = (ns: string) => nsExec(ns, 'iptables-save; ip6tables-save').replace(/^#.*$/gm, '').replace(/\[\d+:\d+\]/g, '');

const TASKS: Record<string, unknown>[] = [
  { chain: 'INPUT', protocol: 'tcp', destination_port: '179', jump: 'ACCEPT', comment: 'philote calico 179/tcp' },
  { chain: 'INPUT', protocol: 'udp', destination_port: '4789', jump: 'ACCEPT', comment: 'philote calico 4789/udp' },
  { chain: 'INPUT', protocol: 'tcp', destination_ports: ['4240', '4244'], jump: 'ACCEPT', ctstate: ['NEW'] },
  { chain: 'INPUT', protocol: 'tcp', source: '!10.0.0.0/8', destination_port: '22', jump: 'DROP', action: 'insert', rule_num: '1' },
  { table: 'nat', chain: 'POSTROUTING', out_interface: 'eth9', jump: 'MASQUERADE', source: '10.245.0.0/16' },
  { chain: 'PHILOTE-TEST', chain_management: true },
  { chain: 'FORWARD', policy: 'DROP' },
  { chain: 'INPUT', protocol: 'udp', destination_port: '8473', jump: 'ACCEPT', ip_version: 'ipv6' },
  { chain: 'INPUT', protocol: 'tcp', destination_port: '179', jump: 'ACCEPT', comment: 'philote calico 179/tcp', state: 'absent' },
];

async function ours(check = false): Promise<boolean[]> {
  const out: boolean[] = [];
  for (const t of TASKS) {
    const r = await runModule(iptablesModule, t, { conn: new NetnsConnection(B), check });
    expect(r.failed, String(r.msg)).toBeFalsy();
    out.push(Boolean(r.changed));
  }
  return out;
}

beforeAll(() => {
  createNetns(A);
  createNetns(B);
});
afterAll(() => {
  deleteNetns(A);
  deleteNetns(B);
});

describe('iptables (differential against ansible.builtin.iptables, inside lab namespaces)', () => {
  it('check mode reports changes and changes nothing', async () => {
    const before = save(B);
    expect(await ours(true)).toEqual([true, true, true, true, true, true, true, true, false]);
    expect(save(B)).toBe(before);
  });

  it('builds the same rules as Ansible, idempotently', async () => {
    const ans1 = ansibleTasks(TASKS.map((t) => ({ 'ansible.builtin.iptables': t })), { ns: A });
    const ours1 = await ours();
    expect(ours1).toEqual(ans1.map((r) => Boolean(r['changed'])));
    expect(save(B)).toBe(save(A));
    expect(save(B)).toContain('-A INPUT -p udp -m udp --dport 4789 -m comment --comment "philote calico 4789/udp" -j ACCEPT');
    expect(save(B)).not.toContain('--dport 179');
    const ans2 = ansibleTasks(TASKS.map((t) => ({ 'ansible.builtin.iptables': t })), { ns: A });
    const ours2 = await ours();
    expect(ours2).toEqual(ans2.map((r) => Boolean(r['changed'])));
    expect(ours2.slice(1, 8)).toEqual([false, false, false, false, false, false, false]);
    expect(save(B)).toBe(save(A));
  });
});
