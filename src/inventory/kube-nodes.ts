/**
 * Inventory source `plugin: philote.kube_nodes`: a cluster's nodes as hosts, for K3s fleets that
 * already know their nodes. A YAML file (like Ansible's inventory plugin configuration files):
 *
 *   plugin: philote.kube_nodes        # or kube_nodes
 *   kubeconfig: ~/.kube/config        # optional: KUBECONFIG / K8S_AUTH_* / in-cluster otherwise
 *   context: homelab                  # optional
 *   compose:                          # optional: extra host vars, values copied as given
 *     ansible_user: ubuntu
 *
 * Hosts, ansible_host (InternalIP) and groups (control_plane, workers, role_*, label_*) come from
 * src/modules/k8s/inventory.ts; it is loaded only for such a file, so other runs never load the
 * Kubernetes client.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { extname } from 'node:path';
import { parse } from 'yaml';
import { PhiloteError } from '../errors.js';
import type { InventoryData } from './data.js';

export const KUBE_NODES_PLUGINS = ['philote.kube_nodes', 'kube_nodes'];
const KEYS = new Set(['plugin', 'kubeconfig', 'context', 'compose']);

/** The plugin configuration when `path` is a YAML file naming this plugin, else undefined. */
export function kubeNodesConfig(path: string): Record<string, unknown> | undefined {
  if (!['.yml', '.yaml'].includes(extname(path))) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  if (!/^plugin\s*:/m.test(text)) return undefined;
  let data: unknown;
  try {
    data = parse(text);
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const cfg = data as Record<string, unknown>;
  return KUBE_NODES_PLUGINS.includes(String(cfg['plugin'])) ? cfg : undefined;
}

export async function parseKubeNodesSource(inv: InventoryData, path: string, cfg: Record<string, unknown>): Promise<void> {
  const at = { file: path, line: 1, column: 1 };
  for (const k of Object.keys(cfg)) {
    if (!KEYS.has(k)) throw new PhiloteError('parse', `${path}: unknown option '${k}' for inventory plugin ${String(cfg['plugin'])} (known: ${[...KEYS].join(', ')})`, { location: at });
  }
  const compose = cfg['compose'] ?? {};
  if (compose === null || typeof compose !== 'object' || Array.isArray(compose)) throw new PhiloteError('parse', `${path}: 'compose' must be a mapping of host variables`, { location: at });
  let kubeconfig = cfg['kubeconfig'];
  if (typeof kubeconfig === 'string' && kubeconfig.startsWith('~/')) kubeconfig = homedir() + kubeconfig.slice(1);
  const { kubeNodesInventory } = await import('../modules/k8s/inventory.js');
  let found;
  try {
    found = await kubeNodesInventory({
      ...(kubeconfig !== undefined ? { kubeconfig: kubeconfig as string | Record<string, unknown> } : {}),
      ...(typeof cfg['context'] === 'string' ? { context: cfg['context'] } : {}),
    });
  } catch (e) {
    throw new PhiloteError('parse', `${path}: inventory plugin ${String(cfg['plugin'])} could not list the cluster's nodes: ${(e as Error).message}`, { location: at, cause: e });
  }
  // Top-level groups go under 'all' and group-less hosts into 'ungrouped' in loadInventory's reconcile.
  for (const h of found.hosts) Object.assign(inv.addHostTo(h.name).vars, h.vars, compose);
  for (const [group, hosts] of Object.entries(found.groups)) for (const h of hosts) inv.addHostTo(h, group);
}
