/**
 * An inventory source listing a cluster's nodes as hosts, for K3s fleets that already know
 * their nodes (H2's inventory loader calls it; it is not a module).
 *
 *   const inv = await kubeNodesInventory({ kubeconfig: '/path/kubeconfig', context: 'lab' });
 *   // inv.hosts:  [{ name: 'node1', vars: { ansible_host: '10.0.0.11', k8s_node_name: 'node1',
 *   //               k8s_labels: {...}, k8s_roles: ['control-plane','master'], k8s_ready: true,
 *   //               k8s_unschedulable: false, k8s_pod_cidr: '10.42.0.0/24', k8s_kubelet_version: 'v1.29.3+k3s1' } }]
 *   // inv.groups: { control_plane: ['node1'], workers: ['node2','node3'],
 *   //               role_master: ['node1'], label_kubernetes_io_os_linux: [...], ... }
 *
 * Groups:
 *   - control_plane: nodes with node-role.kubernetes.io/control-plane or .../master;
 *     workers: every other node (the k3s_control_plane / k3s_workers split of K3s playbooks);
 *   - role_<role> for each node-role.kubernetes.io/<role> label (etcd, master, worker ...);
 *   - label_<key>_<value> for every other label, with characters outside [A-Za-z0-9_]
 *     turned into "_" (as Ansible's inventory plugins sanitize group names).
 * ansible_host is the node's InternalIP (then ExternalIP, then Hostname address).
 * Auth: kubeconfig (path or dict) and context, with the same KUBECONFIG / K8S_AUTH_* fallbacks
 * as the k8s modules (src/modules/k8s/client/auth.ts).
 */
import type { KubeObject } from './client/client.js';
import { getClient } from './client/client.js';
import type { AuthArgs } from './client/auth.js';

export interface KubeInventory {
  hosts: Array<{ name: string; vars: Record<string, unknown> }>;
  groups: Record<string, string[]>;
}

const ROLE_PREFIX = 'node-role.kubernetes.io/';

export function sanitizeGroup(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Hosts and groups from a list of Node objects (pure, for tests and other sources). */
export function nodesToInventory(nodes: KubeObject[]): KubeInventory {
  const groups: Record<string, string[]> = { control_plane: [], workers: [] };
  const add = (g: string, h: string) => {
    const list = (groups[g] ??= []);
    if (!list.includes(h)) list.push(h);
  };
  const hosts: KubeInventory['hosts'] = [];
  for (const n of [...nodes].sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)))) {
    const name = n.metadata!.name!;
    const labels = (n.metadata?.labels ?? {}) as Record<string, string>;
    const addresses = (n['status']?.addresses ?? []) as Array<{ type: string; address: string }>;
    const addr = (t: string) => addresses.find((a) => a.type === t)?.address;
    const roles = Object.keys(labels)
      .filter((k) => k.startsWith(ROLE_PREFIX))
      .map((k) => k.slice(ROLE_PREFIX.length))
      .filter(Boolean);
    const ready = ((n['status']?.conditions ?? []) as Array<{ type: string; status: string }>).find((c) => c.type === 'Ready')?.status === 'True';
    const vars: Record<string, unknown> = {
      ansible_host: addr('InternalIP') ?? addr('ExternalIP') ?? addr('Hostname') ?? name,
      k8s_node_name: name,
      k8s_labels: labels,
      k8s_roles: roles,
      k8s_ready: ready,
      k8s_unschedulable: Boolean(n['spec']?.unschedulable),
    };
    if (n['spec']?.podCIDR) vars['k8s_pod_cidr'] = n['spec'].podCIDR;
    const version = n['status']?.nodeInfo?.kubeletVersion;
    if (version) vars['k8s_kubelet_version'] = version;
    hosts.push({ name, vars });
    add(roles.includes('control-plane') || roles.includes('master') ? 'control_plane' : 'workers', name);
    for (const r of roles) add(sanitizeGroup(`role_${r}`), name);
    for (const [k, v] of Object.entries(labels)) if (!k.startsWith(ROLE_PREFIX)) add(sanitizeGroup(`label_${k}_${v}`), name);
  }
  return { hosts, groups };
}

/** List the cluster's nodes as hosts and groups. Errors are PhiloteError kind 'kube'. */
export async function kubeNodesInventory(opts: { kubeconfig?: string | Record<string, unknown>; context?: string; environment?: Record<string, string> } = {}): Promise<KubeInventory> {
  const args: AuthArgs = {};
  if (opts.kubeconfig !== undefined) args.kubeconfig = opts.kubeconfig;
  if (opts.context !== undefined) args.context = opts.context;
  const client = getClient(args, opts.environment);
  const list = await client.request<{ items?: KubeObject[] }>('GET', '/api/v1/nodes', { verb: 'list', resource: 'nodes' });
  return nodesToInventory(list.items ?? []);
}
