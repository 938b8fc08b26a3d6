/**
 * Typed, validated playbook objects produced by src/playbook and consumed by src/executor.
 * Every object keeps the source location it came from. Static imports (import_tasks,
 * import_role, roles:, import_playbook) are already expanded by the loader; dynamic
 * includes (include_tasks, include_role) stay as `IncludeItem` and are loaded at run time
 * through `PlaybookLoader.loadIncludedTasks` / `loadIncludedRole`.
 */
import type { SourceLocation } from '../errors.js';

/** Keywords that may appear on plays, blocks, roles and tasks and are inherited downwards. */
export interface InheritableKeywords {
  /** Conditions, ANDed. Parent conditions are NOT copied here; the executor evaluates the chain of parents. */
  when?: Array<string | boolean>;
  tags?: string[];
  become?: boolean | string;
  become_user?: string;
  become_method?: string;
  become_flags?: string;
  become_exe?: string;
  remote_user?: string;
  connection?: string;
  environment?: Record<string, unknown> | string | Array<Record<string, unknown> | string>;
  vars?: Record<string, unknown>;
  check_mode?: boolean | string;
  diff?: boolean | string;
  ignore_errors?: boolean | string;
  ignore_unreachable?: boolean | string;
  no_log?: boolean | string;
  any_errors_fatal?: boolean | string;
  delegate_to?: string;
  delegate_facts?: boolean | string;
  run_once?: boolean | string;
  throttle?: number | string;
  timeout?: number | string;
  module_defaults?: Record<string, Record<string, unknown>>;
  collections?: string[];
  port?: number | string;
}

export interface LoopControl {
  loop_var?: string;
  index_var?: string;
  label?: string;
  pause?: number | string;
  extended?: boolean | string;
  extended_allitems?: boolean | string;
}

/** Information about the role a task or block came from (role_name, role_path, search paths). */
export interface RoleInstance {
  name: string;
  path: string;
  /** defaults/main (lowest precedence) */
  defaults: Record<string, unknown>;
  /** vars/main */
  vars: Record<string, unknown>;
  /** role params (`- role: x` + extra keys, or include_role vars) */
  params: Record<string, unknown>;
  /** The roles listed in its meta/main dependencies, in order (Role.get_direct_dependencies). */
  dependencies?: RoleInstance[];
  /** The collection a role came from ('ns.coll'), when it was named `ns.coll.role`. */
  collection?: string;
  /** Loaded by import_role (statically): a play role, whose vars the whole play sees. */
  imported?: boolean;
  /** Unique id of this role instance; used by the executor to run a role once per play (allow_duplicates). */
  id: string;
  /**
   * The role that brought this one in: as a meta dependency (this role then inherits its vars and
   * params, as Role.get_vars/get_role_params follow the dependency chain) or by
   * import_role/include_role from one of its tasks (ansible_parent_role_names).
   */
  parent?: { role: RoleInstance; via: 'dependency' | 'include' };
}

export interface TaskBase extends InheritableKeywords {
  loc: SourceLocation;
  name?: string;
  /** The role this item belongs to, for role_name/role_path/search paths/precedence. */
  role?: RoleInstance;
  /**
   * A role's handler: the keywords of the role entries above it, outer first (a dependency's
   * handler has its parent's entry, then its own). A handler runs outside its role's block, yet
   * inherits the entry's become, vars, environment and when as ansible-core's handler blocks do
   * through their role.
   */
  handlerParents?: TaskBase[];
}

export interface Task extends TaskBase {
  kind: 'task';
  /** Canonical module name: short name for builtins ('copy', 'k8s', 'ufw'...); resolved from FQCN/legacy forms. */
  action: string;
  /** The name as written by the user ('ansible.builtin.copy'), for messages and --list-tasks. */
  actionAsWritten: string;
  /** Module arguments (raw, untemplated). Free-form text is under `_raw_params`. May be a template string for `args: "{{ x }}"`. */
  args: Record<string, unknown>;
  register?: string;
  /** `loop:` value, or the equivalent of `with_<lookup>:` (see `loopWith`). */
  loop?: unknown;
  /** For `with_items` etc.: the lookup name ('items', 'fileglob', 'dict', ...). Undefined for `loop:`. */
  loopWith?: string;
  loop_control?: LoopControl;
  until?: string | boolean | Array<string | boolean>;
  retries?: number | string;
  delay?: number | string;
  changed_when?: Array<string | boolean>;
  failed_when?: Array<string | boolean>;
  notify?: string[];
  /** `async:` seconds (0: not async) and `poll:` seconds (0: fire and forget), see src/async/run.ts. */
  async?: number | string;
  poll?: number | string;
  /** Handlers only. */
  listen?: string[];
  /** True for tasks inside `handlers:`. */
  isHandler?: boolean;
}

export interface Block extends TaskBase {
  kind: 'block';
  block: TaskItem[];
  rescue: TaskItem[];
  always: TaskItem[];
  /** Blocks synthesised by the loader (role bodies, import_tasks wrappers) are `implicit`. */
  implicit?: boolean;
  /**
   * The body of a role pulled in by another role's meta dependencies: it runs once per host
   * and play even under include_role/import_role, whose own role always runs (ansible-core).
   */
  roleDependency?: boolean;
  /** A static legacy `include:`'s `vars:`: they weigh as include params (above set_fact). */
  includeParams?: Record<string, unknown>;
}

/** A dynamic include resolved at run time (include_tasks, include_role, include_vars is a normal task). */
export interface IncludeItem extends TaskBase {
  kind: 'include';
  action: 'include_tasks' | 'include_role';
  actionAsWritten: string;
  args: Record<string, unknown>;
  loop?: unknown;
  loopWith?: string;
  loop_control?: LoopControl;
  /** The file that contained the include, for resolving relative paths. */
  baseDir: string;
  /** The old `include: file a=1`'s k=v pairs: include args, templated when the include runs. */
  legacyParams?: Record<string, unknown>;
  /** `register:` on an include (allowed by Ansible: it holds the include's own result). */
  register?: string;
}

export type TaskItem = Task | Block | IncludeItem;

export interface Play extends InheritableKeywords {
  kind: 'play';
  loc: SourceLocation;
  name: string;
  hosts: string | string[];
  gather_facts?: boolean | string;
  gather_subset?: string[];
  /** Where fact gathering reads local facts (setup's fact_path). */
  fact_path?: string;
  vars_files: Array<string | string[]>;
  vars_prompt?: Array<Record<string, unknown>>;
  /** Roles of `roles:` expanded to blocks, in order, followed by nothing else: pre_tasks run before them. */
  pre_tasks: TaskItem[];
  roles: Block[];
  tasks: TaskItem[];
  post_tasks: TaskItem[];
  /** Handlers of the play and of its roles. */
  handlers: TaskItem[];
  serial?: number | string | Array<number | string>;
  strategy?: 'linear' | 'free' | string;
  max_fail_percentage?: number | string;
  /** inventory, reverse_inventory, sorted, reverse_sorted, shuffle, or a template giving one. */
  order?: string;
  force_handlers?: boolean;
  /** Directory of the playbook file that defined the play (playbook_dir). */
  baseDir: string;
}

export interface Playbook {
  file: string;
  /** Plays in order, with import_playbook already flattened. */
  plays: Play[];
}

/** What the loader offers the executor for run-time includes. */
export interface PlaybookLoader {
  loadPlaybook(file: string): Promise<Playbook>;
  /** Deprecations found while loading (the old `include:`), each once, since the last call. */
  takeDeprecations?(): string[];
  /** include_tasks: a task file relative to `baseDir` (or the role's tasks/). */
  loadIncludedTasks(file: string, from: IncludeItem): Promise<TaskItem[]>;
  /** The path include_tasks reads for `file` (shown as "included: <path> for <hosts>"). */
  includedTaskPath?(file: string, from: IncludeItem): string;
  /** include_role: returns the role's task block and its handlers. */
  loadIncludedRole(
    args: { name: string; tasks_from?: string; vars_from?: string; defaults_from?: string; handlers_from?: string },
    from: IncludeItem,
  ): Promise<{ role: RoleInstance; block: Block; handlers: TaskItem[] }>;
}
