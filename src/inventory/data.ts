/**
 * The in-memory inventory: hosts, groups and their relations, with Ansible's rules for
 * 'all'/'ungrouped', the implicit localhost, group depth/priority ordering and the
 * precedence of inventory variables. Parsers (ini.ts, yaml.ts, script.ts...) fill it
 * through addHost/addGroup/addChild/setHostVar/setGroupVar; `reconcile()` runs after.
 */
import { PhiloteError } from '../errors.js';
import type { Inventory, InventoryGroup, InventoryHost } from './types.js';
import { selectHostNames } from './patterns.js';
import type { VarsLayer } from './varsdirs.js';
import type { LoadInventoryOptions } from './index.js';
import { PLAYBOOK_PYTHON } from '../vars/playbook-python.js';

/** Names Ansible treats as the controller (C.LOCALHOST). */
export const LOCALHOST_NAMES = ['localhost', '127.0.0.1', '::1'];

export type GroupNameChars = 'always' | 'never' | 'ignore' | 'silently';

/** C.INVALID_VARIABLE_NAMES: a leading digit or non-word character, or any non-word character. */
const INVALID_NAME_CHARS = /^\p{Nd}|[^\p{L}\p{N}_]/u;

export class InventoryData implements Inventory {
  readonly hosts = new Map<string, InventoryHost>();
  readonly groups = new Map<string, InventoryGroup>();
  readonly sourceDirs: string[] = [];
  /** The inventory sources as given (files, directories, host lists). */
  readonly sources: string[] = [];
  /** group_vars/host_vars beside the inventory sources, in source order. */
  readonly inventoryLayers: VarsLayer[] = [];
  /** group_vars/host_vars beside the playbook(s), added with addPlaybookDirVars. */
  readonly playLayers: VarsLayer[] = [];
  /** Problems Ansible reports as warnings (unparsable source, pattern without match...). */
  readonly warnings: string[] = [];
  onWarning?: (message: string) => void;
  /** ansible.cfg [inventory] host_pattern_mismatch: what a pattern matching nothing does. */
  hostPatternMismatch: 'warning' | 'error' | 'ignore' = 'warning';
  /** TRANSFORM_INVALID_GROUP_CHARS ([defaults] force_valid_group_names): group names that are not identifiers. */
  groupNameChars: GroupNameChars = 'never';
  /** [inventory] enable_plugins lists advanced_host_list before host_list: comma lists expand ranges. */
  advancedHostList = false;
  private warnedGroupNames = false;

  private readonly parents = new Map<string, string[]>();
  private readonly hostSource = new Map<string, string | undefined>();
  private implicitLocalhost?: InventoryHost;
  private readonly priorities = new Map<string, number>();
  /** Set while a source is being parsed: becomes inventory_file of hosts first seen there. */
  currentSource?: string;
  /** How it was loaded (loadInventory), for meta: refresh_inventory. */
  loadedFrom?: { sources: string[]; options: LoadInventoryOptions };
  /**
   * The add_host and group_by results applied so far (InventoryManager's _cached_dynamic_hosts and
   * _cached_dynamic_grouping): refresh_inventory applies them again to the re-read sources.
   */
  readonly dynamicChanges: Array<{ host: string; result: Record<string, unknown> }> = [];

  constructor() {
    this.addGroup('all');
    this.addGroup('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  /**
   * Takes the hosts, groups and inventory-dir vars of `fresh` (the sources read again) in place:
   * everything holding this inventory sees the new one. The playbook-dir vars and the record of
   * dynamic changes stay.
   */
  replaceSources(fresh: InventoryData): void {
    for (const [mine, theirs] of [
      [this.hosts, fresh.hosts],
      [this.groups, fresh.groups],
      [this.parents, fresh.parents],
      [this.hostSource, fresh.hostSource],
      [this.priorities, fresh.priorities],
    ] as Array<[Map<string, unknown>, Map<string, unknown>]>) {
      mine.clear();
      for (const [k, v] of theirs) mine.set(k, v);
    }
    this.sourceDirs.splice(0, this.sourceDirs.length, ...fresh.sourceDirs);
    this.inventoryLayers.splice(0, this.inventoryLayers.length, ...fresh.inventoryLayers);
    this.implicitLocalhost = undefined;
  }

  warn(message: string): void {
    this.warnings.push(message);
    this.onWarning?.(message);
  }

  // ---- building -------------------------------------------------------------

  /**
   * to_safe_group_name: a name that is not a Python identifier has its invalid characters
   * replaced by '_' (always, silently) or is kept (never, ignore); always and never warn once.
   */
  safeGroupName(name: string): string {
    if (!name || !INVALID_NAME_CHARS.test(name)) return name;
    const mode = this.groupNameChars;
    if (mode === 'always' || mode === 'silently') {
      if (mode === 'always') this.warnGroupNames('Invalid characters were found in group names and automatically replaced, use -vvvv to see details');
      return name.replace(new RegExp(INVALID_NAME_CHARS.source, 'gu'), '_');
    }
    if (mode === 'never') this.warnGroupNames('Invalid characters were found in group names but not replaced, use -vvvv to see details');
    return name;
  }

  private warnGroupNames(message: string): void {
    if (this.warnedGroupNames) return;
    this.warnedGroupNames = true;
    this.warn(message);
  }

  addGroup(givenName: string, parents: string[] = []): InventoryGroup {
    const name = this.safeGroupName(givenName);
    let g = this.groups.get(name);
    if (!g) {
      g = { name, vars: {}, children: [], hosts: [] };
      this.groups.set(name, g);
      this.parents.set(name, []);
    }
    for (const p of parents) {
      this.addGroup(p);
      this.addChild(p, name);
    }
    if (parents.length > 0) this.reconcile();
    return g;
  }

  addChild(givenParent: string, givenChild: string): void {
    const parent = this.safeGroupName(givenParent);
    const child = this.safeGroupName(givenChild);
    const p = this.groups.get(parent) ?? this.addGroup(parent);
    this.addGroup(child);
    if (p.children.includes(child)) return;
    if (parent === child || this.ancestors(parent).has(child)) {
      throw new PhiloteError('parse', `Adding group '${child}' as child to '${parent}' creates a recursive dependency loop.`);
    }
    p.children.push(child);
    this.parents.get(child)!.push(parent);
  }

  /** Add (or find) a host and put it in `group`; used by the parsers. */
  addHostTo(name: string, givenGroup?: string, port?: number): InventoryHost {
    const group = givenGroup === undefined ? undefined : this.safeGroupName(givenGroup);
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, vars: {}, groups: [] };
      this.hosts.set(name, h);
      this.hostSource.set(name, this.currentSource);
      if (this.implicitLocalhost?.name === name) this.implicitLocalhost = undefined;
    }
    if (port !== undefined) h.vars.ansible_port = port;
    if (group) {
      const g = this.groups.get(group) ?? this.addGroup(group);
      if (!g.hosts.includes(name)) g.hosts.push(name);
      if (!h.groups.includes(group)) h.groups.push(group);
    }
    return h;
  }

  /** add_host at run time: host in the given groups (created under 'all' when new), vars merged. */
  addHost(name: string, groups: string[], vars: Record<string, unknown> = {}): InventoryHost {
    const h = this.addHostTo(name);
    for (const g of groups) this.addHostTo(name, g);
    Object.assign(h.vars, vars);
    this.reconcile();
    return h;
  }

  /** Ansible's reconcile_inventory: top-level groups under 'all', hosts without a group in 'ungrouped'. */
  reconcile(): void {
    // Group.set_variable keeps ansible_group_priority as the group's priority, not as a variable.
    for (const g of this.groups.values()) {
      if ('ansible_group_priority' in g.vars) {
        this.priorities.set(g.name, Number(g.vars.ansible_group_priority));
        delete g.vars.ansible_group_priority;
      }
    }
    for (const g of this.groups.keys()) {
      if (g !== 'all' && this.parents.get(g)!.length === 0) this.addChild('all', g);
    }
    const ungrouped = this.groups.get('ungrouped')!;
    for (const h of this.hosts.values()) {
      const others = h.groups.filter((g) => g !== 'all' && g !== 'ungrouped');
      if (h.groups.includes('ungrouped') && others.length > 0) {
        ungrouped.hosts = ungrouped.hosts.filter((n) => n !== h.name);
        h.groups = h.groups.filter((g) => g !== 'ungrouped');
      } else if (others.length === 0 && !h.groups.includes('ungrouped')) {
        this.addHostTo(h.name, 'ungrouped');
      }
    }
  }

  // ---- queries --------------------------------------------------------------

  getHost(name: string): InventoryHost | undefined {
    const h = this.hosts.get(name);
    if (h) return h;
    if (LOCALHOST_NAMES.includes(name)) {
      this.implicitLocalhost ??= { name, vars: { ansible_connection: 'local', ...(PLAYBOOK_PYTHON ? { ansible_python_interpreter: PLAYBOOK_PYTHON } : {}) }, groups: [] };
      return this.implicitLocalhost;
    }
    return undefined;
  }

  isImplicit(name: string): boolean {
    return !this.hosts.has(name) && this.implicitLocalhost?.name === name;
  }

  ancestors(group: string): Set<string> {
    const out = new Set<string>();
    const walk = (g: string) => {
      for (const p of this.parents.get(g) ?? []) {
        if (!out.has(p)) {
          out.add(p);
          walk(p);
        }
      }
    };
    walk(group);
    return out;
  }

  parentsOf(group: string): string[] {
    return [...(this.parents.get(group) ?? [])];
  }

  /** Every group of a host, ancestors included ('all' too). */
  hostGroups(host: string): Set<string> {
    const h = this.hosts.get(host);
    const out = new Set<string>();
    if (!h) return out;
    for (const g of h.groups) {
      out.add(g);
      for (const a of this.ancestors(g)) out.add(a);
    }
    return out;
  }

  groupNames(host: string): string[] {
    return [...this.hostGroups(host)].filter((g) => g !== 'all').sort();
  }

  /** Group and descendants, breadth first, in declaration order (Ansible's get_descendants(preserve_ordering)). */
  descendants(group: string): string[] {
    const ordered = [group];
    const seen = new Set(ordered);
    for (let i = 0; i < ordered.length; i++) {
      for (const c of this.groups.get(ordered[i]!)?.children ?? []) {
        if (!seen.has(c)) {
          seen.add(c);
          ordered.push(c);
        }
      }
    }
    return ordered;
  }

  /** Hosts of a group and its descendants, deduplicated, in inventory order. */
  groupHosts(group: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    for (const g of this.descendants(group)) {
      for (const h of this.groups.get(g)?.hosts ?? []) {
        if (!seen.has(h)) {
          seen.add(h);
          out.push(h);
        }
      }
    }
    return out;
  }

  groupsMap(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const g of this.groups.keys()) out[g] = this.groupHosts(g);
    return out;
  }

  /** Depth of a group: 0 for 'all', else one more than its deepest parent. */
  depth(group: string, seen = new Set<string>()): number {
    const ps = this.parents.get(group) ?? [];
    if (ps.length === 0 || seen.has(group)) return 0;
    seen.add(group);
    return 1 + Math.max(...ps.map((p) => this.depth(p, seen)));
  }

  /** Ansible's sort_groups: by depth, then ansible_group_priority, then name. */
  sortGroups(names: string[]): string[] {
    const key = (g: string) => {
      const pr = this.priorities.get(g) ?? 1;
      return { d: this.depth(g), p: Number.isFinite(pr) ? pr : 1, n: g };
    };
    return [...names]
      .map((n) => ({ n, k: key(n) }))
      .sort((a, b) => a.k.d - b.k.d || a.k.p - b.k.p || (a.k.n < b.k.n ? -1 : a.k.n > b.k.n ? 1 : 0))
      .map((x) => x.n);
  }

  /**
   * Inventory variables with VariableManager's order (VARIABLE_PRECEDENCE default):
   * all (inventory) < groups (inventory) < group_vars/all (inventory dirs) < group_vars/all (playbook dirs)
   * < group_vars/<g> (inventory dirs) < group_vars/<g> (playbook dirs)
   * < host (inventory) < host_vars/ (inventory dirs) < host_vars/ (playbook dirs).
   * Merging replaces whole top-level keys (hash_behaviour=replace).
   */
  hostVars(host: string): Record<string, unknown> {
    const h = this.getHost(host);
    if (!h) return {};
    const groups = this.sortGroups([...this.hostGroups(host)].filter((g) => g !== 'all'));
    const out: Record<string, unknown> = {};
    const src = this.hostSource.get(host);
    Object.assign(out, this.groups.get('all')!.vars);
    for (const g of groups) Object.assign(out, this.groups.get(g)!.vars);
    for (const l of this.inventoryLayers) Object.assign(out, l.group('all'));
    for (const l of this.playLayers) Object.assign(out, l.group('all'));
    for (const l of this.inventoryLayers) for (const g of groups) Object.assign(out, l.group(g));
    for (const l of this.playLayers) for (const g of groups) Object.assign(out, l.group(g));
    if (this.hosts.has(host)) {
      out.inventory_file = src ?? null;
      out.inventory_dir = src ? dirnameOf(src) : null;
    }
    Object.assign(out, h.vars);
    for (const l of this.inventoryLayers) Object.assign(out, l.host(host));
    for (const l of this.playLayers) Object.assign(out, l.host(host));
    return out;
  }

  selectHosts(pattern: string | string[], limit?: string | string[]): InventoryHost[] {
    return selectHostNames(this, pattern, limit).map((n) => this.getHost(n)!);
  }
}

function dirnameOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? (i === 0 ? '/' : '.') : p.slice(0, i);
}
