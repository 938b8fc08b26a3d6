/**
 * add_host and group_by results change the in-memory inventory as soon as the result is in
 * (InventoryManager.add_dynamic_host / add_dynamic_group): the next loop item and the next task see
 * the new host or group. Whether the task is "changed" is decided here, by what the inventory gained,
 * not by the module: re-adding a known host with the same vars and groups is ok, not changed.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Inventory } from '../inventory/types.js';
import { InventoryData, LOCALHOST_NAMES } from '../inventory/data.js';
import type { ModuleResult } from '../modules/types.js';
import { unwrapUnsafe } from '../template/unsafe.js';

interface AddHostInfo {
  host_name?: string;
  groups?: string[];
  host_vars?: Record<string, unknown>;
}

/** Apply the result's add_host / add_group to `inv`; sets `result.changed`. Returns whether the inventory changed. */
export function applyInventoryResult(inv: Inventory, host: string, result: ModuleResult, remember = true): boolean {
  if (result.failed || result.skipped) return false;
  // Kept for meta: refresh_inventory, which applies them again to the re-read sources.
  if (remember && inv instanceof InventoryData && (result['add_host'] || result['add_group'])) {
    inv.dynamicChanges.push({ host, result: { add_host: result['add_host'], add_group: result['add_group'], parent_groups: result['parent_groups'] } });
  }
  const add = result['add_host'] as AddHostInfo | undefined;
  if (add && typeof add === 'object' && add.host_name) {
    result.changed = addDynamicHost(inv, add);
    return result.changed;
  }
  const group = result['add_group'];
  if (typeof group === 'string' && group !== '') {
    // Applied again after refresh_inventory: a host the sources no longer have is not brought back.
    if (!remember && !inv.hosts.has(host) && !LOCALHOST_NAMES.includes(host)) return false;
    const parents = (result['parent_groups'] as string[] | undefined) ?? [];
    result.changed = addDynamicGroup(inv, host, group, parents);
    return result.changed;
  }
  return false;
}

function addDynamicHost(inv: Inventory, add: AddHostInfo): boolean {
  const name = add.host_name!;
  let changed = false;
  if (!inv.hosts.has(name)) changed = true;
  for (const g of add.groups ?? []) if (!inv.groups.get(g)?.hosts.includes(name)) changed = true;
  const h = inv.addHost(name, add.groups ?? []);
  const merged = { ...h.vars, ...(add.host_vars ?? {}) };
  if (!isDeepStrictEqual(unwrapUnsafe(h.vars), unwrapUnsafe(merged))) {
    h.vars = merged;
    changed = true;
  }
  return changed;
}

/** As add_dynamic_group in ansible-core 2.14: a new group alone is not a change, a new member or parent link is. */
function addDynamicGroup(inv: Inventory, host: string, group: string, parents: string[]): boolean {
  let changed = false;
  for (const p of parents) if (!inv.groups.has(p)) changed = true;
  // A group that is new is not yet anyone's child (reconcile puts it under 'all' afterwards).
  const known = inv.groups.has(group);
  for (const p of parents) if (!known || !inv.groups.get(p)?.children.includes(group)) changed = true;
  inv.addGroup(group, parents);
  const h = inv.getHost(host);
  if (!inv.groups.get(group)!.hosts.includes(host)) {
    inv.addHost(host, [...(h?.groups ?? []), group]);
    changed = true;
  }
  return changed;
}
