/**
 * The inventory the demo and the end-to-end tests give the shipped migration playbooks on a lab:
 * the lab's hosts and SSH settings, the homelab groups (first node = control plane) and
 * inventory/homelab/group_vars, plus a few lab values passed with -e (so they win).
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLabState, type Lab } from '../src/lab/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Write the demo inventory: the lab's hosts and SSH settings, the homelab groups and group_vars. */
export function writeMigrationInventory(lab: Lab): { inventoryDir: string; varsFile: string } {
  const dir = join(lab.dir, 'demo-inventory');
  mkdirSync(join(dir, 'group_vars'), { recursive: true });
  copyFileSync(lab.inventoryPath, join(dir, 'lab-hosts'));
  for (const f of readdirSync(join(root, 'inventory', 'homelab', 'group_vars'))) {
    copyFileSync(join(root, 'inventory', 'homelab', 'group_vars', f), join(dir, 'group_vars', f));
  }
  const [cp, ...workers] = lab.nodes.map((n) => n.name);
  writeFileSync(
    join(dir, 'groups'),
    ['[k3s_control_plane]', cp, '', '[k3s_workers]', ...workers, '', '[k3s_cluster:children]', 'k3s_control_plane', 'k3s_workers', ''].join('\n'),
  );
  const varsFile = join(lab.dir, 'demo-vars.yml');
  writeFileSync(
    varsFile,
    [
      '# Lab values on top of inventory/homelab/group_vars (passed with -e, so they win).',
      `kubeconfig: ${lab.kubeconfigPath}`,
      // A Flannel lab migrates to the homelab's Calico pool (10.244.0.0/16); a Calico lab's pool is K3s' 10.42.0.0/16.
      ...(readLabState(lab.dir)?.flannel ? [] : ['calico_pod_cidr: 10.42.0.0/16      # the simulated cluster\'s Calico IPPool']),
      'cni_install_method: manifest       # no helm binary in the lab',
      'reboot_command: /var/lib/lab/reboot',
      'boot_time_command: cat /var/lib/lab/boot_id',
      'reboot_timeout: 60',
      '',
    ].join('\n'),
  );
  return { inventoryDir: dir, varsFile };
}

