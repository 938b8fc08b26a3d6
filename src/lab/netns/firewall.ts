/**
 * Optional default-deny firewall on every lab node, as a homelab K3s node has it: Debian's real
 * ufw inside the node (its rules and settings in the node's private /etc overlay, its iptables in
 * the node's namespace), incoming denied by default, SSH allowed, and, on a lab seeded with
 * Calico, Calico's ports opened the way the shipped cni_firewall role opens them (the same ufw
 * rules, so the playbooks' "close Calico's ports" step finds and removes them); on a Flannel lab,
 * Flannel's VXLAN port the same way. With it, a CNI
 * whose ports were never opened loses cross-node connectivity (src/lab/netns/cni-agents.ts).
 */
import { PhiloteError } from '../../errors.js';
import type { ExecOutput } from './lab.js';

/** Calico's ports as inventory/homelab/group_vars/all.yml lists them (BGP, VXLAN, Typha). */
export const CALICO_PORTS = [
  { port: 179, proto: 'tcp' },
  { port: 4789, proto: 'udp' },
  { port: 5473, proto: 'tcp' },
] as const;

/** K3s' embedded Flannel: its VXLAN port (inventory/homelab/group_vars/all.yml flannel_ports). */
export const FLANNEL_PORTS = [{ port: 8472, proto: 'udp' }] as const;

export function firewallScript(ports: ReadonlyArray<{ port: number; proto: string }>): string {
  return [
    'set -e',
    // ufw would apply /etc/ufw/sysctl.conf; the lab keeps its hands off kernel settings.
    "sed -i 's|^IPT_SYSCTL=.*|IPT_SYSCTL=|' /etc/default/ufw",
    'ufw default deny incoming >/dev/null',
    'ufw allow proto tcp from any to any port 22 >/dev/null',
    // The form community.general.ufw uses (rule: allow, port, proto), so its delete finds them.
    ...ports.map((p) => `ufw allow from any to any port ${p.port} proto ${p.proto} >/dev/null`),
    'ufw --force enable >/dev/null',
  ].join('\n');
}

export async function enableFirewall(exec: (command: string) => Promise<ExecOutput>, node: string, ports: ReadonlyArray<{ port: number; proto: string }>): Promise<void> {
  const r = await exec(firewallScript(ports));
  if (r.rc !== 0) throw new PhiloteError('lab', `node ${node}: enabling the lab firewall (ufw) failed: ${(r.stderr || r.stdout).trim()}`);
}
