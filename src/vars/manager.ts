/**
 * Builds the variables a template sees for one host and one task, with Ansible's
 * precedence (see PRECEDENCE.md). Speed matters: the play-level part of a host's
 * variables is merged once per host per play and cached; a task only copies that
 * object and lays its own few layers on top (shallow, as Ansible's default
 * hash_behaviour=replace does). Values stay raw: the Templar renders nested
 * templates when a value is used.
 */
import type { Inventory } from '../inventory/types.js';
import type { Play, RoleInstance } from '../playbook/types.js';
import type { Templar, Vars } from '../template/types.js';
import { LAZY_VARS, OMIT } from '../template/types.js';
import { isUnsafeContainer, UnsafeText, wrapUnsafe, wrapUnsafeFresh } from '../template/unsafe.js';
import type { FactCache } from './fact-cache.js';
import { PLAYBOOK_PYTHON } from './playbook-python.js';


export const ANSIBLE_VERSION = { full: '2.14.18', major: 2, minor: 14, revision: 18, string: '2.14.18' };

export interface VariableManagerOptions {
  inventory: Inventory;
  extraVars: Record<string, unknown>;
  checkMode: boolean;
  diffMode: boolean;
  verbosity: number;
  runTags: string[];
  skipTags: string[];
  forks?: number;
  templar?: Templar;
  /** A persistent fact cache (fact_caching = jsonfile): read at a host's first use, written on every change. */
  factCache?: FactCache;
}

/** What the executor tells the manager about the play being run. */
export interface PlayScope {
  play: Play;
  /** All hosts the play targets (ansible_play_hosts_all). */
  hostsAll: string[];
  /** Hosts of the current batch still active (ansible_play_hosts / play_hosts). Kept up to date by the executor. */
  activeHosts: string[];
  /** The batch without its failed or unreachable hosts (play._removed_hosts), when it differs. */
  activeBatch?: string[];
  /** The current serial batch (ansible_play_batch). */
  batch: string[];
  /** vars_files per host, already resolved by the executor (they may be templated per host). */
  varsFilesFor(host: string): Record<string, unknown>;
  /** Roles of the play's `roles:` (role_names, ansible_play_role_names). */
  roleNames: string[];
  /** Roles brought in as meta dependencies (ansible_dependent_role_names). */
  dependentRoleNames?: string[];
}

/** The task-level layers, outermost first. */
export interface TaskScope {
  role?: RoleInstance;
  /** vars of enclosing blocks, outer → inner, then the task's own vars. */
  varLayers?: Array<Record<string, unknown> | undefined>;
  /** include_tasks / include_role `vars:` and include_role params. */
  includeParams?: Record<string, unknown>;
  /** Loop variables (item, index_var, ansible_loop...) that sit above everything. */
  loopVars?: Record<string, unknown>;
  /** The file the task comes from: with the role, it makes ansible_search_path (Base.get_search_path). */
  taskFile?: string;
  /** The `environment` magic var: the task's environment keywords, outermost first, untemplated (as Ansible shows it). */
  environment?: unknown[];
}

export class VariableManager {
  readonly inventory: Inventory;
  readonly extraVars: Record<string, unknown>;
  private readonly opts: VariableManagerOptions;
  /** Facts from setup/gather_facts and cacheable set_fact (raw keys, e.g. ansible_hostname). */
  private readonly facts = new Map<string, Record<string, unknown>>();
  /** Hosts whose persistent cache entry was read (or flushed) already. */
  private readonly cacheRead = new Set<string>();
  /** set_fact and register: above task vars. */
  private readonly nonPersistent = new Map<string, Record<string, unknown>>();
  /** include_vars results. */
  private readonly includeVarsCache = new Map<string, Record<string, unknown>>();
  private playScope?: PlayScope;
  private playBaseCache = new Map<string, Record<string, unknown>>();
  private hostvarsCache = new Map<string, Record<string, unknown>>();
  private groupsCache?: Record<string, string[]>;
  private groupNamesCache = new Map<string, string[]>();
  private playRoleDefaults: Record<string, unknown> = {};
  private readonly roleDefaultsCache = new Map<string, Record<string, unknown>>();
  private playRoleVars: Record<string, unknown> = {};
  private playRoleIds = new Set<string>();
  readonly hostvars: Record<string, unknown>;
  templar?: Templar;

  constructor(opts: VariableManagerOptions) {
    this.opts = opts;
    this.inventory = opts.inventory;
    this.extraVars = opts.extraVars;
    this.templar = opts.templar;
    this.hostvars = this.makeHostvarsProxy();
  }

  // ---- state changes -------------------------------------------------------------

  setHostFacts(host: string, facts: Record<string, unknown>): void {
    const cur = this.hostFacts(host) ?? {};
    // Facts are data from the node (VariableManager wraps the fact cache): never templated again.
    for (const [k, v] of Object.entries(facts)) cur[k] = wrapUnsafe(v);
    this.facts.set(host, cur);
    this.opts.factCache?.set(host, cur);
    this.invalidate(host);
  }

  /** A host's facts: this run's, else (once) what the persistent fact cache holds for it. */
  private hostFacts(host: string): Record<string, unknown> | undefined {
    const have = this.facts.get(host);
    if (have || !this.opts.factCache || this.cacheRead.has(host)) return have;
    this.cacheRead.add(host);
    const cached = this.opts.factCache.get(host);
    if (!cached) return undefined;
    const facts: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(cached)) facts[k] = wrapUnsafe(v);
    this.facts.set(host, facts);
    return facts;
  }

  setNonPersistent(host: string, vars: Record<string, unknown>): void {
    const cur = this.nonPersistent.get(host) ?? {};
    this.nonPersistent.set(host, Object.assign(cur, vars));
    this.hostvarsCache.delete(host);
  }

  setIncludeVars(host: string, vars: Record<string, unknown>): void {
    const cur = this.includeVarsCache.get(host) ?? {};
    this.includeVarsCache.set(host, Object.assign(cur, vars));
    this.hostvarsCache.delete(host);
  }

  /** meta: clear_facts — drops gathered and cacheable facts (set_fact non-cacheable stays, as in Ansible). */
  clearFacts(host: string): void {
    this.facts.delete(host);
    this.cacheRead.add(host);
    this.opts.factCache?.delete(host);
    this.invalidate(host);
  }

  getFacts(host: string): Record<string, unknown> {
    return this.hostFacts(host) ?? {};
  }

  /** After add_host / group_by: group membership and host lists changed. */
  inventoryChanged(): void {
    this.groupsCache = undefined;
    this.groupNamesCache.clear();
    this.playBaseCache.clear();
    this.hostvarsCache.clear();
  }

  /** Drop a host's cached play-level vars (after its vars_files were resolved). */
  forget(host: string): void {
    this.invalidate(host);
  }

  private invalidate(host: string): void {
    this.playBaseCache.delete(host);
    this.hostvarsCache.delete(host);
  }

  startPlay(scope: PlayScope): void {
    this.playScope = scope;
    this.playBaseCache.clear();
    this.hostvarsCache.clear();
    // Without private_role_vars (the default) every role of `roles:` exposes its defaults
    // and vars to the whole play.
    this.playRoleDefaults = {};
    this.roleDefaultsCache.clear();
    this.playRoleVars = {};
    this.playRoleIds = new Set();
    for (const role of rolesOf(scope.play)) {
      Object.assign(this.playRoleDefaults, role.defaults);
      // An imported role's `vars:` are its role vars (RoleInclude.vars), below vars/main.
      Object.assign(this.playRoleVars, role.imported ? role.params : {}, role.vars);
      this.playRoleIds.add(role.id);
    }
  }

  // ---- reading -------------------------------------------------------------------

  /** Inventory vars, playbook-dir group_vars/host_vars included (the inventory layers them, see setPlaybookDir). */
  private inventoryLayer(host: string, target: Record<string, unknown>): void {
    Object.assign(target, this.inventory.hostVars(host));
  }

  private factsLayer(host: string, target: Record<string, unknown>): void {
    const facts = this.hostFacts(host);
    // inject_facts_as_vars (default true): facts also appear as top-level ansible_* vars.
    if (facts) Object.assign(target, facts);
    target['ansible_facts'] = namespaceFacts(facts ?? {});
  }

  private playBase(host: string): Record<string, unknown> {
    let base = this.playBaseCache.get(host);
    if (base) return base;
    base = {};
    this.inventoryLayer(host, base);
    this.factsLayer(host, base);
    const scope = this.playScope;
    if (scope) {
      Object.assign(base, scope.play.vars ?? {});
      Object.assign(base, scope.varsFilesFor(host));
      Object.assign(base, this.playRoleVars);
    }
    this.playBaseCache.set(host, base);
    return base;
  }

  /**
   * Role defaults, the lowest layer: every play role's defaults, then (for a task of a role) the
   * defaults of the roles that depend on it and its own on top, as Role.get_default_vars does; so
   * two roles with the same default name each see their own.
   */
  private defaultsFor(role: RoleInstance | undefined): Record<string, unknown> {
    if (!role) return this.playRoleDefaults;
    let d = this.roleDefaultsCache.get(role.id);
    if (!d) {
      d = Object.assign({}, this.playRoleDefaults, ...dependencyChain(role).map((r) => r.defaults)) as Record<string, unknown>;
      this.roleDefaultsCache.set(role.id, d);
    }
    return d;
  }

  /** Variables for a host and task, highest precedence last. */
  getVars(host: string, task: TaskScope = {}): Vars {
    const base = this.playBase(host);
    let vars: Record<string, unknown>;
    const role = task.role;
    if (role && !this.playRoleIds.has(role.id)) {
      // A dynamically included role: its vars come after the play roles' vars.
      vars = Object.assign({}, this.defaultsFor(role), base, role.vars);
    } else {
      vars = Object.assign({}, this.defaultsFor(role), base);
      if (role) Object.assign(vars, ...roleVarsChain(role));
    }
    if (task.varLayers) for (const l of task.varLayers) if (l) Object.assign(vars, l);
    const inc = this.includeVarsCache.get(host);
    if (inc) Object.assign(vars, inc);
    const np = this.nonPersistent.get(host);
    if (np) Object.assign(vars, np);
    if (role) Object.assign(vars, ...dependencyChain(role).map((r) => r.params));
    if (task.includeParams) Object.assign(vars, task.includeParams);
    Object.assign(vars, this.extraVars);
    this.addMagic(host, vars, role);
    if (task.environment) vars['environment'] = task.environment;
    if (task.taskFile) vars['ansible_search_path'] = this.searchPath(task.taskFile, role);
    if (task.loopVars) Object.assign(vars, task.loopVars);
    vars['vars'] = vars;
    return vars;
  }

  /**
   * Where lookups and file arguments look for relative paths: the role's folder, the task file's
   * folder, then the playbook's folder (Base.get_search_path plus the loader's basedir).
   */
  private searchPath(taskFile: string, role: RoleInstance | undefined): string[] {
    const out: string[] = [];
    if (role) out.push(role.path);
    const dir = taskFile.replace(/\/[^/]*$/, '') || '/';
    if (!out.includes(dir)) out.push(dir);
    const base = this.playScope?.play.baseDir;
    if (base && !out.includes(base)) out.push(base);
    return out;
  }

  /** What `hostvars[host]` shows: no play or task vars, as Ansible's HostVars. */
  hostVarsOf(host: string): Record<string, unknown> {
    let v = this.hostvarsCache.get(host);
    if (v) return v;
    v = {};
    this.inventoryLayer(host, v);
    this.factsLayer(host, v);
    Object.assign(v, this.includeVarsCache.get(host) ?? {});
    Object.assign(v, this.nonPersistent.get(host) ?? {});
    Object.assign(v, this.extraVars);
    this.addMagic(host, v, undefined, true);
    const raw = v;
    const templar = this.templar;
    // Values of another host are templated in that host's context, not the caller's.
    const view = templar
      ? new Proxy(raw, {
          get(t, k) {
            if (k === LAZY_VARS) return true;
            const val = Reflect.get(t, k);
            if (typeof k !== 'string' || k === 'hostvars' || k === 'vars' || k === 'groups') return val;
            // Unsafe data is handed over as it is: the reading template unboxes it and is tainted.
            if (val instanceof UnsafeText || isUnsafeContainer(val)) return val;
            if (typeof val === 'string' && !templar.isTemplated(val)) return val;
            if (val === null || typeof val !== 'object' && typeof val !== 'string') return val;
            // HostVarsVars templates with fail_on_undefined=False.
            return templar.render(val, { vars: raw, lenient: true });
          },
        })
      : raw;
    this.hostvarsCache.set(host, view);
    return view;
  }

  groups(): Record<string, string[]> {
    this.groupsCache ??= this.inventory.groupsMap();
    return this.groupsCache;
  }

  /**
   * The magic variables. For `hostvars[host]` (forHostvars) only those ansible-core's HostVars has:
   * it asks get_vars with no play and include_hostvars=False, so no `hostvars` of its own (which
   * made `hostvars[h] | to_json` walk itself without end) and no play's names, hosts or roles.
   */
  private addMagic(host: string, vars: Record<string, unknown>, role: RoleInstance | undefined, forHostvars = false): void {
    const scope = this.playScope;
    const o = this.opts;
    vars['inventory_hostname'] = host;
    vars['inventory_hostname_short'] = host.split('.')[0];
    let gn = this.groupNamesCache.get(host);
    if (!gn) {
      gn = this.inventory.groupNames(host);
      this.groupNamesCache.set(host, gn);
    }
    vars['group_names'] = gn;
    vars['groups'] = this.groups();
    if (!forHostvars) vars['hostvars'] = this.hostvars;
    vars['omit'] = OMIT;
    vars['ansible_check_mode'] = o.checkMode;
    vars['ansible_diff_mode'] = o.diffMode;
    vars['ansible_verbosity'] = o.verbosity;
    vars['ansible_version'] = ANSIBLE_VERSION;
    vars['ansible_run_tags'] = o.runTags.length ? o.runTags : ['all'];
    vars['ansible_skip_tags'] = o.skipTags;
    vars['ansible_forks'] = o.forks ?? 5;
    if (PLAYBOOK_PYTHON) vars['ansible_playbook_python'] = PLAYBOOK_PYTHON;
    const dirs = this.inventory.sourceDirs;
    // inventory_file/inventory_dir come per host from the inventory; fall back to its first source.
    if (dirs.length) {
      if (vars['inventory_dir'] === undefined) vars['inventory_dir'] = dirs[0];
      vars['ansible_inventory_sources'] = dirs;
    }
    if (scope) vars['playbook_dir'] = scope.play.baseDir;
    if (scope && !forHostvars) {
      vars['ansible_play_name'] = scope.play.name;
      vars['ansible_play_hosts_all'] = scope.hostsAll;
      vars['ansible_play_hosts'] = scope.activeHosts;
      vars['play_hosts'] = scope.activeHosts;
      vars['ansible_play_batch'] = scope.activeBatch ?? scope.batch;
      vars['ansible_play_role_names'] = scope.roleNames;
      vars['role_names'] = scope.roleNames;
      vars['ansible_dependent_role_names'] = scope.dependentRoleNames ?? [];
      vars['ansible_role_names'] = [...new Set([...scope.roleNames, ...(scope.dependentRoleNames ?? [])])];
    }
    if (role) {
      // role_name is the short name of a collection's role; ansible_role_name the full one.
      vars['role_name'] = role.collection ? role.name.slice(role.collection.length + 1) : role.name;
      vars['role_path'] = role.path;
      vars['ansible_role_name'] = role.name;
      const parents = includeParents(role);
      if (parents.length) {
        vars['ansible_parent_role_names'] = parents.map((r) => r.name);
        vars['ansible_parent_role_paths'] = parents.map((r) => r.path);
      }
    }
  }

  private makeHostvarsProxy(): Record<string, unknown> {
    const names = () => [...this.inventory.hosts.keys()];
    return new Proxy({} as Record<string, unknown>, {
      get: (_t, k) => {
        if (k === LAZY_VARS) return true;
        if (typeof k !== 'string') return undefined;
        if (!this.inventory.getHost(k)) return undefined;
        return this.hostVarsOf(k);
      },
      has: (_t, k) => typeof k === 'string' && this.inventory.getHost(k) !== undefined,
      ownKeys: () => names(),
      getOwnPropertyDescriptor: (_t, k) =>
        typeof k === 'string' && this.inventory.getHost(k)
          ? { enumerable: true, configurable: true, writable: false, value: this.hostVarsOf(k) }
          : undefined,
    });
  }
}

/**
 * The role vars a task of `role` sees, lowest first, as Role.get_vars orders them: the vars of the
 * roles that depend on it (outermost first), then those of its own dependencies, recursively
 * (get_all_dependencies), then its own.
 */
function roleVarsChain(role: RoleInstance): Array<Record<string, unknown>> {
  const out = dependencyChain(role).slice(0, -1).map((r) => r.vars);
  const deps = (r: RoleInstance): void => {
    for (const d of r.dependencies ?? []) {
      deps(d);
      out.push(d.vars);
    }
  };
  deps(role);
  out.push(role.vars);
  return out;
}

/** A role and the roles that listed it as a dependency, outermost first (their vars and params are inherited). */
function dependencyChain(role: RoleInstance): RoleInstance[] {
  const chain = [role];
  for (let r = role; r.parent?.via === 'dependency'; r = r.parent.role) chain.unshift(r.parent.role);
  return chain;
}

/** The roles that imported or included this one, the closest first (ansible_parent_role_names). */
function includeParents(role: RoleInstance): RoleInstance[] {
  const out: RoleInstance[] = [];
  for (let r: RoleInstance | undefined = role; r?.parent; r = r.parent.role) if (r.parent.via === 'include') out.push(r.parent.role);
  return out;
}

/** ansible_facts: fact names without their ansible_ prefix. */
export function namespaceFacts(facts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // namespace_facts keeps ansible_local as it is: ansible_facts['ansible_local'].
  for (const [k, v] of Object.entries(facts)) out[k.startsWith('ansible_') && k !== 'ansible_local' ? k.slice(8) : k] = v instanceof UnsafeText ? v.text : v;
  return wrapUnsafeFresh(out) as Record<string, unknown>;
}

/**
 * The play's roles as ansible-core's play.get_roles() has them: `roles:` and the roles that
 * import_role loaded statically anywhere in the play (dependencies included). include_role's
 * roles are loaded at run time and are not among them.
 */
export function rolesOf(play: Play): RoleInstance[] {
  const seen = new Map<string, RoleInstance>();
  const walk = (items: ReadonlyArray<{ kind: string; role?: RoleInstance; block?: unknown; rescue?: unknown; always?: unknown }>) => {
    for (const it of items) {
      if (it.role && !seen.has(it.role.id)) seen.set(it.role.id, it.role);
      if (it.kind === 'block') {
        const b = it as { block: typeof items; rescue: typeof items; always: typeof items };
        walk(b.block);
        walk(b.rescue);
        walk(b.always);
      }
    }
  };
  walk(play.roles);
  const importedOnly = (items: ReadonlyArray<{ kind: string; role?: RoleInstance; block?: unknown; rescue?: unknown; always?: unknown }>): void => {
    for (const it of items) {
      if (it.kind !== 'block') continue;
      const b = it as { block: typeof items; rescue: typeof items; always: typeof items };
      if (it.role?.imported) walk([it]);
      else for (const part of [b.block, b.rescue, b.always]) importedOnly(part);
    }
  };
  for (const section of [play.pre_tasks, play.tasks, play.post_tasks]) importedOnly(section);
  return [...seen.values()];
}
