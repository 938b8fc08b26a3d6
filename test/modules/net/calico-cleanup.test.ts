/**
 * Net modules inside our own network namespaces (never the machine's): a Calico-like seed
 * (cali-* chains in four tables with jumps from built-in chains, proto bird routes, a
 * vxlan.calico link, 10-calico.conflist) cleaned by a three-task play to zero residue.
 */
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileModule } from '../../../src/modules/node/file.js';
import { ipLinkModule } from '../../../src/modules/net/ip-link.js';
import { ipRouteModule } from '../../../src/modules/net/ip-route.js';
import { iptablesChainsModule } from '../../../src/modules/net/iptables-chains.js';
import { createNetns, deleteNetns, NetnsConnection, nsExec, runModule, tempDir } from '../node/helpers.js';

const NS = `phl-mod-cali-${process.pid}`;
const conn = new NetnsConnection(NS);
const tmp = tempDir();

function seedRules(ipt: string): string {
  const tables: Record<string, string[]> = {
    filter: ['INPUT', 'FORWARD', 'OUTPUT'],
    nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
    mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
    raw: ['PREROUTING', 'OUTPUT'],
  };
  const out: string[] = [];
  for (const [table, builtins] of Object.entries(tables)) {
    out.push(`*${table}`);
    const chains = builtins.map((b) => `cali-${b}`);
    for (let i = 0; i < (table === 'filter' ? 20 : 5); i++) chains.push(`cali-fw-${table.slice(0, 2)}${i}`);
    chains.push(`KEEP-${table}`);
    for (const c of chains) out.push(`:${c} - [0:0]`);
    for (const b of builtins) out.push(`-A ${b} -m comment --comment "cali:${b.toLowerCase()} x" -j cali-${b}`, `-A ${b} -j KEEP-${table}`);
    for (const c of chains.filter((c) => c.startsWith('cali-fw'))) out.push(`-A cali-${builtins[0]} -j ${c}`, `-A ${c} -j RETURN`);
    out.push(`-A KEEP-${table} -j RETURN`, 'COMMIT');
  }
  void ipt;
  return out.join('\n') + '\n';
}

function seed(): void {
  nsExec(NS, `iptables-restore --noflush <<'EOF'\n${seedRules('iptables')}EOF`);
  nsExec(NS, `ip6tables-restore --noflush <<'EOF'\n${seedRules('ip6tables')}EOF`);
  nsExec(NS, 'ip link add eth0 type bridge && ip addr add 10.213.0.10/16 dev eth0 && ip link set eth0 up');
  nsExec(NS, 'ip link add vxlan.calico type vxlan id 4096 dstport 4789 dev eth0 && ip link set vxlan.calico up');
  nsExec(NS, 'ip link add cali1234 type veth peer name poda; ip link add cali5678 type veth peer name podb');
  for (let i = 0; i < 4; i++) nsExec(NS, `ip route add 10.42.${i}.0/26 via 10.213.0.${20 + i} dev eth0 proto bird`);
  nsExec(NS, 'ip route add blackhole 10.42.9.64/26 proto bird');
  nsExec(NS, 'ip route add 10.99.0.0/24 via 10.213.0.1 dev eth0 proto static');
  mkdirSync(join(tmp.dir, 'cni/net.d'), { recursive: true });
  writeFileSync(join(tmp.dir, 'cni/net.d/10-calico.conflist'), '{"name":"k8s-pod-network"}\n');
}

const state = () => ({
  v4: nsExec(NS, 'iptables-save'),
  v6: nsExec(NS, 'ip6tables-save'),
  routes: nsExec(NS, 'ip route; ip -6 route'),
  links: nsExec(NS, 'ip -o link show | cut -d: -f2 | tr -d " "'),
});
const strip = (s: string) => s.replace(/^#.*$/gm, '').replace(/\[\d+:\d+\]/g, '');

beforeAll(() => {
  createNetns(NS);
  seed();
});
afterAll(() => {
  deleteNetns(NS);
  tmp.cleanup();
});

const play = (check: boolean) => [
  runModule(iptablesChainsModule, { patterns: ['cali-*'] }, { conn, check }),
  runModule(ipRouteModule, { proto: 'bird', state: 'absent' }, { conn, check }),
  runModule(ipLinkModule, { name: ['vxlan.calico', 'tunl0', 'cali*'], state: 'absent' }, { conn, check }),
  runModule(fileModule, { path: join(tmp.dir, 'cni/net.d/10-calico.conflist'), state: 'absent' }, { check }),
];

describe('Calico cleanup in a namespace', () => {
  it('check mode lists everything and changes nothing', async () => {
    const before = state();
    const [c, r, l, f] = await Promise.all(play(true)).then((x) => x);
    expect(c).toMatchObject({ changed: true, chains_removed: 2 * (3 + 20 + 4 + 5 + 5 + 5 + 2 + 5) });
    expect(c['chains'] as string[]).toContain('ipv4/filter/cali-fw-fi19');
    expect((c['chain_rules'] as Array<{ chain: string }>).some((x) => x.chain === 'cali-fw-fi19')).toBe(true);
    expect(r).toMatchObject({ changed: true, removed: 5 });
    expect(l).toMatchObject({ changed: true, links: ['vxlan.calico', 'cali1234', 'cali5678'] });
    expect(f.changed).toBe(true);
    const after = state();
    expect(strip(after.v4)).toEqual(strip(before.v4));
    expect(strip(after.v6)).toEqual(strip(before.v6));
    expect(after.routes).toEqual(before.routes);
    expect(after.links).toEqual(before.links);
    expect(existsSync(join(tmp.dir, 'cni/net.d/10-calico.conflist'))).toBe(true);
  });
  it('the three-task play leaves zero residue, keeps the rest, and a second run changes nothing', async () => {
    const results = [];
    for (const p of play(false)) results.push(await p);
    expect(results.map((r) => r.changed)).toEqual([true, true, true, true]);
    expect(results[0]).toMatchObject({ jumps_removed: 2 * 14 });
    const s = state();
    expect(s.v4).not.toMatch(/cali/);
    expect(s.v6).not.toMatch(/cali/);
    expect(s.v4).toMatch(/-A INPUT -j KEEP-filter/);
    expect(s.v4).toMatch(/:KEEP-raw/);
    expect(s.routes).not.toMatch(/bird/);
    expect(s.routes).toMatch(/10\.99\.0\.0\/24 via 10\.213\.0\.1/);
    expect(s.links).not.toMatch(/cali/);
    expect(s.links).toMatch(/eth0/);
    expect(existsSync(join(tmp.dir, 'cni/net.d/10-calico.conflist'))).toBe(false);
    const again = [];
    for (const p of play(false)) again.push(await p);
    expect(again.map((r) => r.changed)).toEqual([false, false, false, false]);
    expect(again[0]!.msg).toBe('no matching chains');
  });
  it('ip_route and ip_link create what is asked, idempotently', async () => {
    const r1 = await runModule(ipRouteModule, { dest: '10.50.0.0/24', via: '10.213.0.5', dev: 'eth0', proto: 'static' }, { conn });
    expect(r1.changed).toBe(true);
    expect(nsExec(NS, 'ip route show 10.50.0.0/24')).toMatch(/via 10\.213\.0\.5 dev eth0 proto static/);
    expect((await runModule(ipRouteModule, { dest: '10.50.0.0/24', via: '10.213.0.5', dev: 'eth0', proto: 'static' }, { conn })).changed).toBe(false);
    const r2 = await runModule(ipRouteModule, { dest: '10.50.0.0/24', via: '10.213.0.6' }, { conn });
    expect(r2.changed).toBe(true);
    expect(nsExec(NS, 'ip route show 10.50.0.0/24')).toMatch(/via 10\.213\.0\.6/);
    const bh = await runModule(ipRouteModule, { dest: '10.51.0.0/24', type: 'blackhole' }, { conn });
    expect(bh.changed).toBe(true);
    expect((await runModule(ipRouteModule, { dest: '10.51.0.0/24', type: 'blackhole', state: 'absent' }, { conn })).changed).toBe(true);
    expect(nsExec(NS, 'ip route show 10.51.0.0/24')).toBe('');
    const l = await runModule(ipLinkModule, { name: 'br7', type: 'bridge' }, { conn });
    expect(l.changed).toBe(true);
    expect(nsExec(NS, 'ip -o link show br7')).toMatch(/br7:.*UP/);
    expect((await runModule(ipLinkModule, { name: 'br7', type: 'bridge' }, { conn })).changed).toBe(false);
  });
  it('bad arguments', async () => {
    await expect(runModule(iptablesChainsModule, {}, { conn })).rejects.toThrow(/patterns is required/);
    await expect(runModule(ipRouteModule, { state: 'absent' }, { conn })).rejects.toThrow(/needs dest, proto, dev or type/);
    await expect(runModule(ipRouteModule, { dest: '10.1.0.0/24', type: 'blackhole', via: '10.0.0.1' }, { conn })).rejects.toThrow(/via cannot be used with type=blackhole/);
    await expect(runModule(ipLinkModule, { name: 'x', state: 'absent', type: 'dummy' }, { conn })).rejects.toThrow(/type is only used with state=present/);
    const l = await runModule(ipLinkModule, { name: 'nosuch0' }, { conn });
    expect(l).toMatchObject({ failed: true });
    expect(String(l.msg)).toMatch(/no type was given/);
  });
});
