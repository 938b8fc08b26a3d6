/**
 * Loading an inventory from the sources given with -i / ansible.cfg, with group_vars/ and
 * host_vars/ beside each source, and the playbook-dir vars the executor adds per playbook.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InventoryData, type GroupNameChars } from './data.js';
import { parseSource } from './sources.js';
import { kubeNodesConfig, parseKubeNodesSource } from './kube-nodes.js';
import type { Inventory } from './types.js';
import { varsLayer } from './varsdirs.js';

export { InventoryData, LOCALHOST_NAMES } from './data.js';
export { splitHostPattern } from './patterns.js';
export { inventoryList, inventoryGraph, inventoryHost } from './dump.js';

export interface LoadInventoryOptions {
  cwd?: string;
  /** Called for each warning Ansible would print ("[WARNING]: ..."). They are also kept in `.warnings`. */
  onWarning?: (message: string) => void;
  /** TRANSFORM_INVALID_GROUP_CHARS (ansible.cfg [defaults] force_valid_group_names). */
  groupNameChars?: GroupNameChars;
  /** INVENTORY_ENABLED ([inventory] enable_plugins): the inventory plugins, in the order they are tried. */
  enabledPlugins?: string[];
}

export async function loadInventory(sources: string[], opts: LoadInventoryOptions = {}): Promise<InventoryData> {
  const cwd = opts.cwd ?? process.cwd();
  const inv = new InventoryData();
  inv.loadedFrom = { sources: [...sources], options: { ...opts, cwd } };
  inv.onWarning = opts.onWarning;
  if (opts.groupNameChars) inv.groupNameChars = opts.groupNameChars;
  if (opts.enabledPlugins) {
    const names = opts.enabledPlugins.map((p) => p.replace(/^ansible\.builtin\./, ''));
    const adv = names.indexOf('advanced_host_list');
    const plain = names.indexOf('host_list');
    inv.advancedHostList = adv >= 0 && (plain < 0 || adv < plain);
  }
  let parsedAny = false;
  for (const raw of sources) {
    // A comma list is not a path; anything else is resolved against cwd like Ansible's unfrackpath.
    const source = !existsSync(resolve(cwd, raw)) && raw.includes(',') ? raw : resolve(cwd, raw);
    inv.sources.push(source);
    // The one asynchronous source (it asks an API server): a plugin configuration file.
    const kubeNodes = existsSync(source) ? kubeNodesConfig(source) : undefined;
    if (kubeNodes) {
      inv.currentSource = source;
      await parseKubeNodesSource(inv, source, kubeNodes).finally(() => (inv.currentSource = undefined));
    }
    const ok = kubeNodes ? true : parseSource(inv, source);
    if (!ok) {
      // Only a source the user named, or the default one when it exists, earns the warning.
      if (source !== '/etc/ansible/hosts' || existsSync(source)) inv.warn(`Unable to parse ${source} as an inventory source`);
      continue;
    }
    parsedAny = true;
    if (existsSync(source)) {
      const dir = statSync(source).isDirectory() ? source : dirname(source);
      inv.sourceDirs.push(dir);
      if (!inv.inventoryLayers.some((l) => l.dir === dir)) inv.inventoryLayers.push(varsLayer(dir));
    }
  }
  if (!parsedAny) inv.warn('No inventory was parsed, only implicit localhost is available');
  inv.reconcile();
  if (inv.hosts.size === 0) {
    inv.warn("provided hosts list is empty, only localhost is available. Note that the implicit localhost does not match 'all'");
  }
  return inv;
}

/**
 * meta: refresh_inventory: the sources are read again (an inventory script or plugin asked anew),
 * then the run's add_host and group_by results are applied to them again, as
 * InventoryManager.refresh_inventory does. An inventory not loaded from sources is left as it is.
 */
export async function refreshInventory(inventory: Inventory, reapply: (host: string, result: Record<string, unknown>) => void): Promise<void> {
  if (!(inventory instanceof InventoryData) || !inventory.loadedFrom) return;
  const fresh = await loadInventory(inventory.loadedFrom.sources, inventory.loadedFrom.options);
  inventory.replaceSources(fresh);
  for (const { host, result } of [...inventory.dynamicChanges]) reapply(host, result);
}

/**
 * group_vars/ and host_vars/ beside the playbook. Ansible (PLAYBOOK_VARS_ROOT=top) reads
 * them from the directory of the playbook being run, above the inventory-dir ones; the
 * executor calls this once per playbook file, before running its plays (each call replaces
 * the previous playbook's directory). Ad-hoc runs do not call it.
 */
export function setPlaybookDir(inventory: Inventory, playbookDir: string): void {
  if (!(inventory instanceof InventoryData)) return;
  const dir = resolve(playbookDir);
  if (inventory.playLayers.length === 1 && inventory.playLayers[0]!.dir === dir) return;
  inventory.playLayers.splice(0, inventory.playLayers.length, varsLayer(dir));
}

/** Alias with the name used in the task brief. */
export const addPlaybookDirVars = setPlaybookDir;
