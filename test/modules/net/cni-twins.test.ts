/**
 * The CNI modules against their Ansible twins (playbooks/library/*.py), differential: the cleanup
 * tasks of playbooks/roles/calico_cleanup and k3s-flannel-to-calico.yml, written as the playbooks
 * write them, run by ansible-playbook (library path = playbooks/library, connection local inside
 * namespace A) and by philote (inside namespace B), both seeded with the same Calico-like state.
 * Afterwards iptables-save, ip route and ip link must be the same, with the same changed flags;
 * a second pass changes nothing. Only throw-away namespaces and temp files are touched.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iptablesChainsModule } from '../../../src/modules/net/iptables-chains.js';
import { ipRouteModule } from '../../../src/modules/net/ip-route.js';
import { ipLinkModule } from '../../../src/modules/net/ip-link.js';
import { k3sConfigModule } from '../../../src/modules/node/k3s-config.js';
import type { AnyModuleDefinition } from '../../../src/modules/types.js';
import { ansibleTasks, createNetns, deleteNetns, NetnsConnection, nsExec, runModule } from '../node/helpers.js';

process.env['ANSIBLE_LIBRARY'] = resolve('playbooks/library');
const A = `phl-mod-cnia-${process.pid}`;
const B = `phl-mod-cnib-${process.pid}`;
const files = mkdtempSync(join(tmpdir(), 'phl-cni-twins-'));

const SEED = [
  'ip link add br0 type bridge && ip addr add 10.99.0.1/24 dev br0 && ip link set br0 up',
  'ip link add vxlan.calico type vxlan id 4096 dstport 4789 dev br0 && ip link add cali1234 type veth peer name poda && ip link add cali5678 type veth peer name podb',
  'ip route add 10.42.1.0/26 via 10.99.0.2 dev br0 proto bird && ip route add 10.42.2.0/26 via 10.99.0.3 dev br0 proto bird',
  'ip route add 10.50.0.0/24 via 10.99.0.4 dev br0',
  // A dual-stack node: the twin's ip_version defaults to ipv4, so this IPv6 bird route stays.
  'ip -6 addr add fd00::1/64 dev br0 nodad && ip -6 route add fd42::/64 via fd00::2 dev br0 proto bird',
  'for t in filter nat mangle raw; do iptables -t $t -N cali-from-x; iptables -t $t -N cali-to-y; iptables -t $t -A cali-from-x -j cali-to-y; done',
  'iptables -A INPUT -j cali-from-x && iptables -t nat -A PREROUTING -j cali-from-x && iptables -N KEEP-ME && iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
].join(' && ');

const state = (ns: string) =>
  nsExec(ns, 'iptables-save; ip route; ip -6 route; ip -o link | cut -d: -f2 | cut -d@ -f1')
    .replace(/^#.*$/gm, '')
    .replace(/\[\d+:\d+\]/g, '')
    // philote's ip_link brings a created link up (up: true by default), the twin leaves it down:
    // the only trace is the link-local route of the up link, left out here (a known difference).
    .replace(/^fe80::\/64 dev vxlan\.cilium .*\n/m, '');

interface Task { module: AnyModuleDefinition; name: string; args: (side: string) => Record<string, unknown> }
const TASKS: Task[] = [
  { module: iptablesChainsModule, name: 'iptables_chains', args: () => ({ patterns: ['cali-*'], tables: ['filter', 'nat', 'mangle', 'raw'], ip_versions: ['ipv4'], state: 'absent' }) },
  { module: ipRouteModule, name: 'ip_route', args: () => ({ proto: 'bird', state: 'absent' }) },
  { module: ipLinkModule, name: 'ip_link', args: () => ({ name: 'vxlan.calico', state: 'absent' }) },
  { module: ipLinkModule, name: 'ip_link', args: () => ({ name: 'cali*', state: 'absent' }) },
  { module: ipLinkModule, name: 'ip_link', args: () => ({ name: 'vxlan.cilium', type: 'vxlan', args: 'id 2 dstport 8472 dev br0', state: 'present' }) },
  { module: ipRouteModule, name: 'ip_route', args: () => ({ dest: '10.60.0.0/24', via: '10.99.0.5', dev: 'br0', state: 'present' }) },
  { module: k3sConfigModule, name: 'k3s_config', args: (side) => ({ path: join(files, side, 'config.yaml'), settings: { 'flannel-backend': 'none', 'disable-network-policy': true }, state: 'present' }) },
  { module: k3sConfigModule, name: 'k3s_config', args: (side) => ({ path: join(files, side, 'config.yaml'), settings: { 'write-kubeconfig-mode': '0644' }, state: 'absent' }) },
];

async function ours(check = false): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (const t of TASKS) {
    const r = await runModule(t.module, t.args('b'), { conn: new NetnsConnection(B), check });
    expect(r.failed, `${t.name}: ${String(r.msg)}`).toBeFalsy();
    out.push(r);
  }
  return out;
}
const theirs = (check = false) => ansibleTasks(TASKS.map((t) => ({ [t.name]: t.args('a') })), { ns: A, check });
const sorted = (v: unknown) => (Array.isArray(v) ? [...v].map(String).sort() : v);
/** The return keys the playbooks read, with list order ignored (both list what they found). */
const keysOf = (r: Record<string, unknown>) => ({ changed: Boolean(r['changed']), chains: sorted(r['chains']), rules_removed: r['rules_removed'], links: sorted(r['links']), routes: sorted(r['routes']), keys: r['keys'] });

beforeAll(() => {
  for (const [ns, side] of [[A, 'a'], [B, 'b']] as const) {
    createNetns(ns);
    nsExec(ns, SEED);
    nsExec(ns, `mkdir -p ${files}/${side} && printf '%s\\n' '# K3s server flags' '' 'write-kubeconfig-mode: "0644"' 'disable: [traefik]' > ${files}/${side}/config.yaml`);
  }
});
afterAll(() => {
  deleteNetns(A);
  deleteNetns(B);
  rmSync(files, { recursive: true, force: true });
});

describe('CNI modules against their Ansible twins (playbooks/library)', () => {
  it('check mode: same changed flags, nothing touched', async () => {
    const before = state(B);
    const cfg = readFileSync(join(files, 'b', 'config.yaml'), 'utf8');
    const o = await ours(true);
    const t = theirs(true);
    expect(o.map((r) => Boolean(r['changed']))).toEqual(t.map((r) => Boolean(r['changed'])));
    expect(o.every((r) => r['changed'])).toBe(true);
    expect(state(B)).toBe(before);
    expect(readFileSync(join(files, 'b', 'config.yaml'), 'utf8')).toBe(cfg);
  });

  it('same changes, return keys and resulting state as the twins; second pass changes nothing', async () => {
    const t1 = theirs();
    const o1 = await ours();
    expect(o1.map(keysOf)).toEqual(t1.map(keysOf));
    expect(state(B)).toBe(state(A));
    expect(state(B)).not.toMatch(/cali|vxlan\.calico/);
    expect(state(B)).toMatch(/fd42::\/64 via fd00::2 dev br0 proto bird/);
    expect(state(B)).not.toMatch(/^10\..*proto bird/m);
    expect(state(B)).toContain('10.50.0.0/24');
    expect(state(B)).toContain('10.60.0.0/24 via 10.99.0.5 dev br0');
    expect(state(B)).toContain('vxlan.cilium');
    expect(state(B)).toContain(':KEEP-ME');
    const cfgA = readFileSync(join(files, 'a', 'config.yaml'), 'utf8');
    const cfgB = readFileSync(join(files, 'b', 'config.yaml'), 'utf8');
    // Same mapping; philote keeps the comment and flow style the twin's yaml.safe_dump drops.
    expect(cfgB).toContain('# K3s server flags');
    const { parse } = await import('yaml');
    expect(parse(cfgB)).toEqual(parse(cfgA));
    const t2 = theirs();
    const o2 = await ours();
    expect(o2.map((r) => Boolean(r['changed']))).toEqual(t2.map((r) => Boolean(r['changed'])));
    expect(o2.some((r) => r['changed'])).toBe(false);
  });
});
