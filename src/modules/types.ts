/**
 * The module contract. A module is one file exporting a `ModuleDefinition`, plus one line
 * in the registry of its folder (controller/index.ts, node/index.ts, net/index.ts, k8s/index.ts).
 *
 * - Controller modules (debug, set_fact, assert, k8s_*, helm...) run in-process.
 * - Node modules build one POSIX `sh` script from their validated arguments and run it
 *   with one exec on the host's connection (see node/script.ts); the script checks and
 *   changes in the same round trip and prints one JSON result.
 *
 * Special result keys the executor interprets, as Ansible's strategy does:
 * `ansible_facts` (facts to merge; `_ansible_facts_cacheable` for set_fact cacheable),
 * `add_host` ({host_name, groups, host_vars}), `add_group` + `parent_groups` (group_by),
 * `ansible_stats` (set_stats), `_ansible_reconnect` (reboot: drop and re-open the connection).
 */
import type { ZodType } from 'zod';
import type { Connection, BecomeSpec } from '../connection/types.js';
import type { Templar, Vars } from '../template/types.js';

export interface FileDiff {
  before?: string;
  after?: string;
  before_header?: string;
  after_header?: string;
  prepared?: string;
}

export interface ModuleResult {
  changed?: boolean;
  failed?: boolean;
  skipped?: boolean;
  unreachable?: boolean;
  msg?: string;
  rc?: number;
  stdout?: string;
  stderr?: string;
  stdout_lines?: string[];
  stderr_lines?: string[];
  diff?: FileDiff | FileDiff[];
  ansible_facts?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ModuleContext<A = Record<string, unknown>> {
  /** inventory_hostname of the host the task is for. */
  hostname: string;
  /** Validated, templated arguments (omit removed). */
  args: A;
  /** The task's variables (hostvars of `hostname` plus play/task/loop vars), for modules that template (template, k8s). */
  vars: Vars;
  checkMode: boolean;
  diffMode: boolean;
  /** 0..4 (-v count). */
  verbosity: number;
  /** The connection of the target (the delegated host when delegate_to is set). Opened on first use. */
  connection(): Promise<Connection>;
  /** Privilege escalation for node commands, when the task or play asked for it. */
  become?: BecomeSpec;
  /** Task environment (`environment:` keyword), already templated. */
  environment?: Record<string, string>;
  templar: Templar;
  /**
   * Find a controller-side file the way Ansible's action plugins do: for kind 'files' or
   * 'templates', look in the role's files/ or templates/ dir, then the role dir, then the
   * playbook dir's files/ or templates/, then the playbook dir. Absolute paths are returned as is.
   */
  findFile(kind: 'files' | 'templates' | 'vars' | 'tasks', name: string): string | undefined;
  /** Task timeout in ms (`timeout:` keyword), if any. */
  timeoutMs?: number;
  /** The task has `no_log: true`: node scripts then travel on stdin, never in a command line. */
  noLog?: boolean;
  signal: AbortSignal;
  /** Emit a warning shown as "[WARNING]: ..." in the output. */
  warn(message: string): void;
  /** A warning that is only displayed (display.warning), not kept in the result's `warnings`. */
  displayWarning?(message: string): void;
}

export interface ModuleDefinition<A = Record<string, unknown>> {
  /** Canonical short name: 'copy', 'k8s', 'ufw', 'iptables_chains'. */
  name: string;
  /** Other accepted names: FQCNs ('ansible.builtin.copy', 'ansible.legacy.copy') and aliases ('systemd_service'). */
  aliases: string[];
  /** Accepts free-form text (`command: ls -l`), passed as `_raw_params`, with k=v pairs parsed by the loader when `freeFormKeyValues` is true. */
  freeForm?: boolean;
  /**
   * Schema of the arguments after templating. Errors become a failed task whose message names
   * the module and argument. When a task's args contain no templates, the loader validates them
   * before anything runs.
   */
  schema?: ZodType<A>;
  /** Whether the module runs on the controller (no connection needed). */
  runsOn: 'controller' | 'node';
  /**
   * The module stores its arguments in variables (set_fact, add_host): they are rendered with
   * `renderKeepUnsafe`, so a value that came from a node stays data when the variable is used.
   */
  keepsUnsafeArgs?: boolean;
  /**
   * The module keeps a whole-number float (`1.0` from YAML) a Python float (PyFloat) in its
   * arguments: it stores or shows them as values (set_fact, debug, set_stats, add_host,
   * validate_argument_spec). Every other module gets plain numbers.
   */
  keepsFloats?: boolean;
  /**
   * Arguments the module receives as written, not templated first (Task.untemplated_args: assert's
   * `that`, whose conditionals template themselves and are reported as written).
   */
  untemplatedArgs?: string[];
  /** Runs once for the whole batch, not per host (add_host, like Ansible's BYPASS_HOST_LOOP). */
  bypassHostLoop?: boolean;
  /**
   * A module Ansible declares without check mode support: in check mode the task is skipped and
   * the module never runs. 'silent': skipped with no message (raw, wait_for_connection); 'named':
   * "remote module (<action as written>) does not support check mode"; or that message's module
   * name fixed (uri's action plugin calls 'ansible.legacy.uri').
   */
  noCheckMode?: 'silent' | 'named' | { name: string };
  run(ctx: ModuleContext<A>): Promise<ModuleResult>;
}

// The registry stores definitions of varying argument types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModuleDefinition = ModuleDefinition<any>;
