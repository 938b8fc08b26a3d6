/**
 * Events the executor emits and every output (terminal view, JSON, pino log) renders.
 * Results are already scrubbed of no_log values by the executor.
 */
import type { SourceLocation } from '../errors.js';
import type { ModuleResult } from '../modules/types.js';

export type HostStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface TaskInfo {
  /** Display name: task name, or the action when unnamed (as Ansible prints it, e.g. "debug", "myrole : do x"). */
  name: string;
  action: string;
  loc: SourceLocation;
  /** Stable id within the run, for the JSON callback. */
  id: string;
  isHandler: boolean;
  role?: string;
}

export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failures: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export type RunEvent =
  | { type: 'playbook_start'; file: string; plays?: number }
  | { type: 'play_start'; name: string; hosts: string[]; id: string; loc: SourceLocation }
  | { type: 'no_hosts_matched'; play: string }
  | { type: 'task_start'; task: TaskInfo; hosts: string[] }
  | {
      type: 'host_result';
      task: TaskInfo;
      host: string;
      /** 'localhost -> node1' style delegation display. */
      delegatedTo?: string;
      status: HostStatus;
      result: ModuleResult;
      /** The failure was ignored (ignore_errors / ignore_unreachable): shown as "...ignoring". */
      ignored?: boolean;
      /** Set for per-item lines of a loop; the final aggregated result has no item. */
      item?: { value: unknown; label: string };
      /** The task's own `diff:` keyword, when it has one (it wins over --diff for showing the diff). */
      diff?: boolean;
    }
  /** include_tasks read `file` for these hosts (one event per distinct file and parameters). */
  | { type: 'included'; task: TaskInfo; file: string; hosts: string[]; label?: string }
  | { type: 'retry'; task: TaskInfo; host: string; attempt: number; retriesLeft: number; result: ModuleResult }
  | { type: 'handler_notified'; handler: string; host: string }
  /**
   * A polled async task (poll > 0): 'poll' after each look at a job still running, then 'ok' or
   * 'failed' when polling ends (ansible-core's v2_runner_on_async_poll/_ok/_failed).
   */
  | { type: 'async_progress'; kind: 'poll' | 'ok' | 'failed'; host: string; jid: string; started?: number; finished?: number }
  /** `everyTime`: a warning ansible-core prints from its worker processes, so not deduplicated across tasks. */
  | { type: 'warning'; message: string; everyTime?: boolean }
  /** An error that does not stop the run (Display.error: " [ERROR]: ..." on stderr). */
  | { type: 'error'; message: string; /** display.error(wrap_text=False): "ERROR! <message>" as it is. */ unwrapped?: boolean }
  | { type: 'deprecation'; message: string }
  | { type: 'verbose'; level: number; message: string; host?: string }
  | { type: 'no_more_hosts' }
  | {
      type: 'playbook_end';
      stats: Record<string, HostStats>;
      interrupted?: boolean;
      /** set_stats data: per host, and under '_run' for data set with per_host: false (Ansible's custom stats). */
      customStats?: Record<string, Record<string, unknown>>;
    };

export interface OutputSink {
  emit(event: RunEvent): void;
  close(): Promise<void>;
}
