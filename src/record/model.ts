/**
 * What a report shows, computed from a run's recorded events: tasks with each host's outcome and
 * times, hosts with their totals and timeline, failures and changes first.
 */
import type { HostStats, HostStatus, RunEvent, TaskInfo } from '../output/events.js';
import type { ModuleResult } from '../modules/types.js';
import type { RecordedEvent, RunRecord } from './store.js';

export interface HostOutcome {
  host: string;
  delegatedTo?: string;
  status: HostStatus;
  ignored: boolean;
  result: ModuleResult;
  /** Milliseconds since the epoch: when the task started for this host and when its result came. */
  start: number;
  end: number;
}

export interface TaskRow {
  task: TaskInfo;
  play: string;
  start: number;
  end: number;
  outcomes: HostOutcome[];
}

export interface RunModel {
  start: number;
  end: number;
  tasks: TaskRow[];
  /** Per-host totals: the PLAY RECAP when the run reached it, else counted from the results. */
  stats: Record<string, HostStats>;
  warnings: string[];
  errors: string[];
  interrupted: boolean;
}

type HostResult = Extract<RunEvent, { type: 'host_result' }>;

const EMPTY: HostStats = { ok: 0, changed: 0, unreachable: 0, failures: 0, skipped: 0, rescued: 0, ignored: 0 };

function countStats(tasks: TaskRow[]): Record<string, HostStats> {
  const stats: Record<string, HostStats> = {};
  for (const t of tasks) {
    for (const o of t.outcomes) {
      const s = (stats[o.host] ??= { ...EMPTY });
      if (o.status === 'ok') s.ok++;
      else if (o.status === 'changed') (s.ok++, s.changed++);
      else if (o.status === 'skipped') s.skipped++;
      else if (o.ignored) s.ignored++;
      else if (o.status === 'failed') s.failures++;
      else s.unreachable++;
    }
  }
  return stats;
}

export function buildModel(run: RunRecord): RunModel {
  const tasks: TaskRow[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  let play = '';
  let stats: Record<string, HostStats> | undefined;
  let interrupted = false;
  const events: RecordedEvent[] = run.events;
  const start = events[0]?.at ?? Date.parse(run.meta.startedAt);
  const end = events[events.length - 1]?.at ?? start;
  let current: TaskRow | undefined;
  const rowFor = (task: TaskInfo, at: number): TaskRow => {
    if (current && current.task.id === task.id) return current;
    current = [...tasks].reverse().find((t) => t.task.id === task.id);
    if (!current) {
      current = { task, play, start: at, end: at, outcomes: [] };
      tasks.push(current);
    }
    return current;
  };
  for (const { at, event: e } of events) {
    switch (e.type) {
      case 'play_start':
        play = e.name;
        current = undefined;
        break;
      case 'task_start':
        current = { task: e.task, play, start: at, end: at, outcomes: [] };
        tasks.push(current);
        break;
      case 'host_result': {
        if (e.item) break; // the loop's aggregated result follows the items
        const row = rowFor(e.task, at);
        addOutcome(row, e, at);
        break;
      }
      case 'warning':
        warnings.push(e.message);
        break;
      case 'error':
        errors.push(e.message);
        break;
      case 'playbook_end':
        stats = e.stats;
        interrupted = Boolean(e.interrupted);
        break;
    }
  }
  return { start, end, tasks, stats: stats ?? countStats(tasks), warnings, errors, interrupted };
}

function addOutcome(row: TaskRow, e: HostResult, at: number): void {
  row.outcomes.push({
    host: e.host,
    delegatedTo: e.delegatedTo,
    status: e.status,
    ignored: Boolean(e.ignored),
    result: e.result,
    start: row.start,
    end: at,
  });
  row.end = Math.max(row.end, at);
}

/** failed/unreachable (not ignored) first, then changed, then the rest, each in run order. */
export function severity(o: Pick<HostOutcome, 'status' | 'ignored'>): number {
  if ((o.status === 'failed' || o.status === 'unreachable') && !o.ignored) return 0;
  if (o.status === 'changed') return 1;
  if (o.status === 'failed' || o.status === 'unreachable') return 2;
  return 3;
}

export function taskSeverity(t: TaskRow): number {
  return Math.min(4, ...t.outcomes.map(severity));
}

export function hostSeverity(s: HostStats): number {
  if (s.failures > 0 || s.unreachable > 0) return 0;
  if (s.changed > 0) return 1;
  return 3;
}

/** Stable sort by a key, keeping run order among equals. */
export function sortBy<T>(items: T[], key: (x: T) => number): T[] {
  return items.map((x, i) => [x, i] as const).sort((a, b) => key(a[0]) - key(b[0]) || a[1] - b[1]).map(([x]) => x);
}
