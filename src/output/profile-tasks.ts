/**
 * ansible.posix.profile_tasks (callbacks_enabled = profile_tasks): a time stamp line under every
 * task banner, and at the end the tasks sorted by time spent (PROFILE_TASKS_SORT_ORDER,
 * PROFILE_TASKS_TASK_OUTPUT_LIMIT as in the plugin).
 */
import type { OutputSink, RunEvent } from './events.js';
import type { Display } from './writer.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** time.strftime('%A %d %B %Y  %H:%M:%S %z') in the C locale. */
export function strftimeLong(d: Date): string {
  const off = -d.getTimezoneOffset();
  const z = `${off >= 0 ? '+' : '-'}${p2(Math.floor(Math.abs(off) / 60))}${p2(Math.abs(off) % 60)}`;
  return `${DAYS[d.getDay()]} ${p2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()}  ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${z}`;
}

/** secondsToStr: "H:MM:SS.mmm". */
export function secondsToStr(sec: number): string {
  const ms = Math.floor(sec * 1000);
  return `${Math.floor(ms / 3_600_000)}:${p2(Math.floor(ms / 60_000) % 60)}:${p2(Math.floor(ms / 1000) % 60)}.${String(ms % 1000).padStart(3, '0')}`;
}

/** filled(): the message, a space and fill characters up to 79 columns, then a space. */
export function filled(msg: string, fill = '*'): string {
  const m = msg.length === 0 ? '' : `${msg} `;
  return `${m}${fill.repeat(Math.max(3, 79 - m.length))} `;
}

interface TaskTime {
  name: string;
  path?: string;
  started: number;
  elapsed: number;
}

export interface ProfileTasksOptions {
  display: Display;
  verbosity: number;
  env: Record<string, string | undefined>;
  now?: () => number;
}

export class ProfileTasks implements OutputSink {
  private readonly now: () => number;
  private readonly t0: number;
  private tn: number;
  private readonly stats = new Map<string, TaskTime>();
  private current?: string;
  constructor(private readonly opts: ProfileTasksOptions) {
    this.now = opts.now ?? Date.now;
    this.t0 = this.tn = this.now();
  }

  private tasktime(): string {
    const t = this.now();
    const line = `${strftimeLong(new Date(t))} (${secondsToStr((t - this.tn) / 1000)})${' '.repeat(7)}${secondsToStr((t - this.t0) / 1000)}`;
    this.tn = t;
    return filled(line);
  }

  private stamp(): void {
    const cur = this.current !== undefined ? this.stats.get(this.current) : undefined;
    if (cur) cur.elapsed += (this.now() - cur.started) / 1000;
  }

  emit(e: RunEvent): void {
    if (e.type === 'task_start') {
      this.opts.display.display(this.tasktime());
      this.stamp();
      this.current = e.task.id;
      const known = this.stats.get(e.task.id);
      if (known) known.started = this.now();
      else this.stats.set(e.task.id, { name: e.task.name, started: this.now(), elapsed: 0 });
      if (this.opts.verbosity >= 2) this.stats.get(e.task.id)!.path = `${e.task.loc.file}:${e.task.loc.line}`;
    } else if (e.type === 'playbook_end') this.summary();
  }

  private summary(): void {
    const d = this.opts.display;
    d.display(this.tasktime());
    d.display(filled('', '='));
    this.stamp();
    this.current = undefined;
    const order = (this.opts.env.PROFILE_TASKS_SORT_ORDER ?? 'descending').toLowerCase();
    let rows = [...this.stats.values()];
    if (order === 'descending') rows.sort((a, b) => b.elapsed - a.elapsed);
    else if (order === 'ascending') rows.sort((a, b) => a.elapsed - b.elapsed);
    const limit = this.opts.env.PROFILE_TASKS_TASK_OUTPUT_LIMIT ?? '20';
    if (limit !== 'all') rows = rows.slice(0, Number.parseInt(limit, 10) || 20);
    const width = d.columns - 9;
    for (const r of rows) {
      let msg = `${r.name} `.padEnd(width, '-') + ` ${r.elapsed.toFixed(2)}s`.padStart(9, '-');
      if (r.path) msg += `\n${`${r.path} `.padEnd(d.columns, '-')}`;
      d.display(msg);
    }
  }

  async close(): Promise<void> {}
}
