/** The inventory model shared by the loader (src/inventory) and the executor. */

export interface InventoryHost {
  name: string;
  /** Variables set on the host itself: inline INI vars, YAML host vars, host_vars/ files. */
  vars: Record<string, unknown>;
  /** Groups the host was put in directly (not their ancestors, not 'all'). */
  groups: string[];
}

export interface InventoryGroup {
  name: string;
  /** Group variables: [g:vars], YAML vars, group_vars/ files. */
  vars: Record<string, unknown>;
  /** Direct child group names. */
  children: string[];
  /** Direct member host names, in inventory order. */
  hosts: string[];
}

export interface Inventory {
  readonly hosts: ReadonlyMap<string, InventoryHost>;
  readonly groups: ReadonlyMap<string, InventoryGroup>;
  /** Directories of the inventory sources, first one is `inventory_dir`. */
  readonly sourceDirs: string[];
  getHost(name: string): InventoryHost | undefined;
  /**
   * Hosts matching an Ansible host pattern (a:b, a,b, a:&b, a:!b, wildcards, ~regex, slices,
   * 'all', 'localhost' implicit), in inventory order, with `limit` applied when given.
   */
  selectHosts(pattern: string | string[], limit?: string | string[]): InventoryHost[];
  /** All groups a host belongs to, ancestors included, sorted, without 'all' (Ansible's group_names). */
  groupNames(host: string): string[];
  /**
   * Inventory variables of a host with Ansible's precedence: all group < parent groups < child groups
   * (by depth, then name) < host vars; includes group_vars/ and host_vars/ beside the inventory.
   */
  hostVars(host: string): Record<string, unknown>;
  /** The `groups` magic variable: every group name → its hosts (descendants included), 'all' and 'ungrouped' too. */
  groupsMap(): Record<string, string[]>;
  /** add_host / group_by at run time. */
  addHost(name: string, groups: string[], vars?: Record<string, unknown>): InventoryHost;
  addGroup(name: string, parents?: string[]): InventoryGroup;
}
