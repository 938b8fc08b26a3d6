/**
 * State shared by one run (RunContext), one play batch (PlayRun) and one host within
 * a play (HostRun), and the Scope a task inherits from its play, blocks, role and includes.
 */
import type PQueue from 'p-queue';
import type { ConnectionPool } from '../connection/types.js';
import type { OutputSink, TaskInfo } from '../output/events.js';
import type { Block, IncludeItem, Play, PlaybookLoader, RoleInstance, TaskBase, TaskItem } from '../playbook/types.js';
import type { Templar } from '../template/types.js';
import type { PlayScope, VariableManager } from '../vars/manager.js';
import type { Stats } from './stats.js';
import type { RunOptions } from './types.js';

export interface RunContext {
  options: RunOptions;
  templar: Templar;
  pool: ConnectionPool;
  loader?: PlaybookLoader;
  vm: VariableManager;
  stats: Stats;
  output: OutputSink;
  /** Limits concurrent host-tasks to `forks`. */
  queue: PQueue;
  signal: AbortSignal;
  /** Hosts that failed or were unreachable in earlier plays: Ansible leaves them out of later plays. */
  deadHosts: Set<string>;
  /** Hosts failed / unreachable in this run (Ansible's TQM sets): they decide the exit code. */
  failedHosts: Set<string>;
  unreachableHosts: Set<string>;
  /** --start-at-task: false until the named task is reached. */
  startReached: boolean;
  taskIds: WeakMap<object, string>;
  nextId: number;
  /** meta: end_play/any_errors_fatal/all hosts failed in a batch: stop the remaining plays as ansible does. */
  stopPlaybook: boolean;
  /**
   * any_errors_fatal or max_fail_percentage broke a play: ansible-playbook then exits 2
   * (RUN_FAILED_HOSTS) even when hosts were unreachable.
   */
  failedBreak?: boolean;
  /** set_stats data. */
  customStats: Record<string, Record<string, unknown>>;
}

export interface HostRun {
  name: string;
  /** Increments each time the host fails without rescue; 0 = not failed. */
  failEpoch: number;
  unreachable: boolean;
  /** meta: end_host */
  ended: boolean;
  /** Taken out of the play by any_errors_fatal: runs nothing more, always sections included. */
  broken?: boolean;
  /** Handler keys notified for this host, in notification order. */
  notified: Set<TaskItem>;
}

export interface PlayRun {
  run: RunContext;
  play: Play;
  hosts: Map<string, HostRun>;
  scope: PlayScope;
  /** Handlers of the play plus those of included roles, in definition order. */
  handlers: TaskItem[];
  /** meta: end_play, any_errors_fatal, max_fail_percentage: stop this play. */
  ended: boolean;
  /** End the current batch only (meta: end_batch). */
  batchEnded: boolean;
  /** Set when the run must stop the whole playbook after this play. */
  breakPlay: boolean;
  /** any_errors_fatal struck inside a block with an always section: the failed hosts finish it first. */
  fatalDeferred?: 'announce' | 'quiet';
  maxFailPercentage?: number;
  forceHandlers: boolean;
  strategy: 'linear' | 'free';
  /** RoleInstance ids already run from `roles:` in this play. */
  rolesRun: Set<string>;
}

/** What a task inherits from the play and the blocks, roles and includes around it. */
export interface Scope {
  /** Play, then enclosing blocks/includes, outer first: keyword inheritance and `when` chain. */
  chain: TaskBase[];
  role?: RoleInstance;
  includeParams?: Record<string, unknown>;
  /** Sets of hosts halted because they failed inside a block body that has a rescue section. */
  halted: Array<Set<HostRun>>;
  /** The innermost block body with a rescue section, if any: failures there are rescued. */
  rescueFrame?: Set<HostRun>;
  /** `notify` of an include's `apply:`: the included tasks that have none notify these. */
  notify?: string[];
  /** Hosts halted by an outer rescue frame while inside this block: they still run its always section. */
  exempt?: Set<HostRun>;
  /** Hosts allowed to run although failed (inside always sections): host → failEpoch when allowed. */
  allowFailed?: Map<HostRun, number>;
  /** In a handler flush. */
  inHandlers?: boolean;
  /** Files of the enclosing includes, outer first (the nesting limit, include-depth.ts). */
  includeChain?: string[];
  /** Walking the play's `roles:`: a role instance (RoleInstance.id) runs once per play. */
  dedupeRoles?: boolean;
}

export function isRunnable(h: HostRun, scope: Scope, pr: PlayRun): boolean {
  if (pr.ended || pr.batchEnded || h.unreachable || h.ended || h.broken) return false;
  if (h.failEpoch !== 0 && scope.allowFailed?.get(h) !== h.failEpoch) return false;
  for (const s of scope.halted) if (s.has(h) && !scope.exempt?.has(h)) return false;
  return true;
}

export function taskId(run: RunContext, item: object): string {
  let id = run.taskIds.get(item);
  if (!id) {
    id = `task-${++run.nextId}`;
    run.taskIds.set(item, id);
  }
  return id;
}

/** Effective value of an inheritable keyword: the innermost that sets it. */
export function inherited<K extends keyof TaskBase>(scope: Scope, item: TaskBase, key: K): TaskBase[K] | undefined {
  if (item[key] !== undefined) return item[key];
  for (let i = scope.chain.length - 1; i >= 0; i--) {
    const v = scope.chain[i]![key];
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Tags of an item plus those of everything around it. */
export function effectiveTags(scope: Scope, item: TaskBase): string[] {
  const out = new Set<string>();
  for (const c of scope.chain) for (const t of c.tags ?? []) out.add(t);
  for (const t of item.tags ?? []) out.add(t);
  return [...out];
}

export function displayName(item: Block | IncludeItem | TaskItem, role: RoleInstance | undefined, templar: Templar, vars: Record<string, unknown>): string {
  // An unnamed include_role is "include_role : <role>", without the enclosing role's prefix (IncludeRole.get_name).
  if (item.kind === 'include' && item.action === 'include_role' && !item.name) {
    return `${item.actionAsWritten} : ${String(item.args['name'] ?? item.args['role'] ?? item.args['_raw_params'] ?? '')}`;
  }
  const raw = item.name ?? (item.kind === 'block' ? 'block' : item.actionAsWritten);
  let name = raw;
  if (item.name && templar.isTemplated(item.name)) {
    try {
      name = String(templar.render(item.name, { vars }));
    } catch {
      name = raw;
    }
  }
  // IncludeRole.get_name has no role prefix, named or not.
  if (item.kind === 'include' && item.action === 'include_role') return name;
  return role ? `${role.name} : ${name}` : name;
}

/**
 * `hostVars`: the variables of the first host running the task. Ansible's strategy templates the
 * banner's task name with them (role params, include vars, facts...), leaving it as written when
 * that fails; without them, the play and extra vars.
 */
export function taskInfo(pr: PlayRun, item: TaskItem, scope: Scope, isHandler: boolean, hostVars?: Record<string, unknown>): TaskInfo {
  const role = item.role ?? scope.role;
  const vars = hostVars ?? { ...(pr.play.vars ?? {}), ...pr.run.vm.extraVars };
  const info: TaskInfo = {
    name: displayName(item, role, pr.run.templar, vars),
    action: item.kind === 'block' ? 'block' : item.action,
    loc: item.loc,
    id: taskId(pr.run, item),
    isHandler,
  };
  if (role) info.role = role.name;
  return info;
}
