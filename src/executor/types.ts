/**
 * The run options the CLI builds from flags, ansible.cfg and environment, and the
 * executor's entry points. `runPlaybook` is what `philote playbook` calls.
 */
import type { Inventory } from '../inventory/types.js';
import type { OutputSink, HostStats } from '../output/events.js';
import type { FactCacheSettings } from '../vars/fact-cache.js';

export interface RunOptions {
  /** Playbook files, in order. */
  playbooks: string[];
  inventory: Inventory;
  limit?: string[];
  tags?: string[];
  skipTags?: string[];
  extraVars: Record<string, unknown>;
  forks: number;
  check: boolean;
  diff: boolean;
  verbosity: number;
  startAtTask?: string;
  forceHandlers: boolean;
  /** any_errors_fatal for plays that do not say (ansible.cfg any_errors_fatal / ANSIBLE_ANY_ERRORS_FATAL). */
  anyErrorsFatal?: boolean;
  /** A notify that names no handler ends the run (default) instead of warning. */
  errorOnMissingHandler?: boolean;
  flushCache?: boolean;
  /** Connection defaults from flags/config; host vars override them as in Ansible. */
  remoteUser?: string;
  privateKeyFile?: string;
  connection?: 'ssh' | 'local';
  timeoutSec: number;
  sshCommonArgs?: string;
  sshExtraArgs?: string;
  hostKeyChecking: boolean;
  connectionPassword?: string;
  become: boolean;
  becomeUser?: string;
  becomeMethod?: string;
  becomePassword?: string;
  /** [privilege_escalation] become_allow_same_user: escalate even to the user already logged in. */
  becomeAllowSameUser?: boolean;
  rolesPath: string[];
  collectionsPaths?: string[];
  gathering: 'implicit' | 'explicit' | 'smart';
  /** fact_caching and its connection, prefix and timeout; unset or memory: facts live for the run only. */
  factCache?: FactCacheSettings;
  output: OutputSink;
  /** Aborted on Ctrl-C: stop dispatching new tasks, let running ones end, print the recap (exit 99). */
  signal?: AbortSignal;
}

export interface RunSummary {
  stats: Record<string, HostStats>;
  /** Ansible's exit code: 0 ok, 2 a host failed, 4 a host unreachable, 99 interrupted, 1 other error. */
  exitCode: number;
}
