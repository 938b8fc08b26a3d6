/**
 * Optional "flannel" seed (`lab up --flannel`): every node is a K3s node whose CNI is K3s' embedded
 * Flannel, the starting point of seed 002 (Flannel to Calico). Written here, before the node runs:
 * its /etc/rancher/k3s/config.yaml (the server's with explicit cluster and service CIDRs, so a
 * rollback has original values to restore) and its unit file (k3s on the first node, k3s-agent on
 * the others). The rest (flannel.1, cni0, routes, /run/flannel/subnet.env, 10-flannel.conflist)
 * the simulated K3s sets up when it starts (k3s-service.ts), as the real one does.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { nodePaths } from './layout.js';

export const FLANNEL_CLUSTER_CIDR = '10.42.0.0/16';
export const K3S_SERVICE_CIDR = '10.43.0.0/16';

const unit = (role: 'server' | 'agent'): string =>
  [
    '[Unit]',
    'Description=Lightweight Kubernetes',
    'Documentation=https://k3s.io',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=notify',
    `EnvironmentFile=-/etc/systemd/system/k3s${role === 'agent' ? '-agent' : ''}.service.env`,
    `ExecStart=/usr/local/bin/k3s ${role}`,
    'KillMode=process',
    'Delegate=yes',
    'Restart=always',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');

export async function seedFlannel(np: ReturnType<typeof nodePaths>, address: string, server: { address: string } | undefined): Promise<void> {
  const k3s = join(np.etcUpper, 'rancher', 'k3s');
  await mkdir(k3s, { recursive: true });
  const config = server
    ? ['# K3s agent (philote lab)', `server: https://${server.address}:6443`, `node-ip: ${address}`, '']
    : ['# K3s server (philote lab)', 'write-kubeconfig-mode: "0644"', `node-ip: ${address}`, `cluster-cidr: ${FLANNEL_CLUSTER_CIDR}`, `service-cidr: ${K3S_SERVICE_CIDR}`, ''];
  await writeFile(join(k3s, 'config.yaml'), config.join('\n'), { mode: 0o600 });
  const systemd = join(np.etcUpper, 'systemd', 'system');
  await mkdir(systemd, { recursive: true });
  await writeFile(join(systemd, server ? 'k3s-agent.service' : 'k3s.service'), unit(server ? 'agent' : 'server'));
}
