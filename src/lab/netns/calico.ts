/**
 * Optional "calicoState" seed: what a node looks like after Calico ran on it, so the
 * CNI cleanup modules and playbooks have something real to remove. Runs only inside
 * the node's namespace; parts the kernel here does not support (ipip, ip6tables) are skipped.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './run.js';
import type { nodePaths } from './layout.js';

/** What Calico's install-cni writes as /etc/cni/net.d/10-calico.conflist (also the simulated Calico agent, cni-agents.ts). */
export const CALICO_CONFLIST = {
  name: 'k8s-pod-network',
  cniVersion: '0.3.1',
  plugins: [
    { type: 'calico', log_level: 'info', datastore_type: 'kubernetes', mtu: 1450, ipam: { type: 'calico-ipam' }, policy: { type: 'k8s' }, kubernetes: { kubeconfig: '/etc/cni/net.d/calico-kubeconfig' } },
    { type: 'portmap', snat: true, capabilities: { portMappings: true } },
    { type: 'bandwidth', capabilities: { bandwidth: true } },
  ],
};

/** iptables-restore input: dozens of cali-* chains with jumps from the built-in chains. */
function rules(): string {
  const tables: Record<string, string[]> = {
    filter: ['INPUT', 'FORWARD', 'OUTPUT'],
    nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
    mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
    raw: ['PREROUTING', 'OUTPUT'],
  };
  const out: string[] = [];
  for (const [table, builtins] of Object.entries(tables)) {
    out.push(`*${table}`);
    const chains: string[] = [];
    for (const b of builtins) chains.push(`cali-${b}`);
    const extra = table === 'filter' ? 24 : 6;
    for (let i = 0; i < extra; i++) chains.push(`cali-fw-cali${(0x1000 + i).toString(16)}${table.slice(0, 2)}`);
    if (table === 'filter') chains.push('cali-wl-to-host', 'cali-from-wl-dispatch', 'cali-to-wl-dispatch', 'cali-from-hep-forward', 'cali-pri-kns.default');
    for (const c of chains) out.push(`:${c} - [0:0]`);
    for (const b of builtins) out.push(`-A ${b} -m comment --comment "cali:${b.toLowerCase()}" -j cali-${b}`);
    const fw = chains.filter((c) => !builtins.some((b) => c === `cali-${b}`));
    for (const c of fw) out.push(`-A cali-${builtins[0]} -j ${c}`, `-A ${c} -m comment --comment "cali:${c.slice(-6)}" -j RETURN`);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

export async function seedCalico(namespace: string, np: ReturnType<typeof nodePaths>, address: string): Promise<string[]> {
  const skipped: string[] = [];
  const ns = (args: string[], input?: string) => run('ip', ['netns', 'exec', namespace, ...args], { input, allowFail: true });
  const rs = rules();
  const v4 = await ns(['iptables-restore', '--noflush'], rs);
  if (v4.rc !== 0) throw new Error(`seeding cali-* iptables chains in ${namespace}: ${v4.stderr.trim()}`);
  const v6 = await ns(['ip6tables-restore', '--noflush'], rs);
  if (v6.rc !== 0) skipped.push(`ip6tables: ${v6.stderr.trim()}`);

  const vx = await ns(['ip', 'link', 'add', 'vxlan.calico', 'type', 'vxlan', 'id', '4096', 'dstport', '4789', 'dev', 'eth0']);
  if (vx.rc === 0) await ns(['ip', 'link', 'set', 'vxlan.calico', 'up']);
  else skipped.push(`vxlan.calico: ${vx.stderr.trim()}`);
  const tun = await ns(['ip', 'link', 'add', 'tunl0', 'type', 'ipip']);
  if (tun.rc !== 0) skipped.push('tunl0: ipip not supported by this kernel');

  // Pod-CIDR routes as BIRD installs them for the other nodes' blocks.
  const third = Number(address.split('.')[3] ?? 0);
  for (let i = 0; i < 4; i++) {
    // Via peers on the lab subnet (10.213.0.2-5 are never node addresses, so no node routes to itself).
    const peer = address.split('.').slice(0, 3).concat(String(2 + i)).join('.');
    const r = await ns(['ip', 'route', 'add', `10.42.${(third + i * 7 + 1) % 250}.0/26`, 'via', peer, 'dev', 'eth0', 'proto', 'bird']);
    if (r.rc !== 0) skipped.push(`route: ${r.stderr.trim()}`);
  }
  await ns(['ip', 'route', 'add', 'blackhole', `10.42.${third % 250}.64/26`, 'proto', 'bird']);

  const cni = join(np.etcUpper, 'cni', 'net.d');
  await mkdir(cni, { recursive: true });
  await writeFile(join(cni, '10-calico.conflist'), JSON.stringify(CALICO_CONFLIST, null, 2) + '\n');
  await writeFile(join(cni, 'calico-kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters: []\n', { mode: 0o600 });
  const calico = join(np.varlibUpper, 'calico');
  await mkdir(calico, { recursive: true });
  await writeFile(join(calico, 'nodename'), `${address}\n`);
  await writeFile(join(calico, 'mtu'), '1450\n');
  await writeFile(join(calico, 'felix.cfg'), '[global]\nFelixHostname = node\n');
  return skipped;
}
