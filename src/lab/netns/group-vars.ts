/**
 * The lab's group_vars beside its inventory, so that the shipped playbooks run on a lab as they
 * are: inventory/homelab/group_vars (the K3s and CNI settings) first, then the lab's own values
 * (its reboot and boot-id commands, no helm binary, and the simulator's kubeconfig and Calico pool
 * when the lab has one), which win because their file sorts later.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IN_NODE, type LabState } from './layout.js';

/** The package root, found upwards from this file (src/lab/netns, dist/lab/netns or dist/bundle). */
function packageRoot(): string | undefined {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(d, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'philote') return d;
    d = dirname(d);
  }
  return undefined;
}

export function writeLabGroupVars(s: LabState, inventoryDir: string): void {
  const out = join(inventoryDir, 'group_vars', 'all');
  mkdirSync(out, { recursive: true });
  const root = packageRoot();
  const homelab = root ? join(root, 'inventory', 'homelab', 'group_vars') : undefined;
  if (homelab && existsSync(join(homelab, 'all.yml'))) copyFileSync(join(homelab, 'all.yml'), join(out, '10-homelab.yml'));
  const lines = [
    '# Lab values on top of inventory/homelab/group_vars (written by `philote lab up`).',
    `reboot_command: ${IN_NODE.rebootCommand}`,
    `boot_time_command: cat ${IN_NODE.bootIdFile}`,
    'reboot_timeout: 60',
    'cni_install_method: manifest       # no helm binary in the lab',
  ];
  if (s.kubeconfigPath) lines.push(`kubeconfig: ${s.kubeconfigPath}`);
  // A Calico lab's pool is K3s' 10.42.0.0/16; a Flannel lab keeps the homelab's new Calico pool (10.244.0.0/16).
  if (s.kubeconfigPath && !s.flannel) lines.push("calico_pod_cidr: 10.42.0.0/16      # the simulated cluster's Calico IPPool");
  writeFileSync(join(out, '20-lab.yml'), lines.join('\n') + '\n');
}
