/**
 * Live progress on a terminal: while a task runs, one status line on stderr with hosts done,
 * running and failed and the time spent, redrawn every second (log-update does the cursor work)
 * and cleared before anything else is printed, so result lines stay as Ansible prints them.
 * Used only when stdout and stderr are both terminals and the output is not JSON (see wanted()).
 */
import type { Writable } from 'node:stream';
import { createLogUpdate } from 'log-update';
import type { OutputSink, RunEvent, TaskInfo } from './events.js';

interface Running {
  task: TaskInfo;
  hosts: number;
  done: number;
  failed: number;
  started: number;
}

const INTERACTIVE = new Set(['pause', 'ansible.builtin.pause', 'ansible.legacy.pause']);

export interface ProgressOptions {
  /** First draw after this long, so that quick tasks never flash a line (ms). */
  delayMs?: number;
  intervalMs?: number;
  now?: () => number;
}

export function progressWanted(stdout: { isTTY?: boolean }, stderr: { isTTY?: boolean }, kind: string, enabled: boolean): boolean {
  return enabled && kind !== 'json' && stdout.isTTY === true && stderr.isTTY === true;
}

export function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export class Progress implements OutputSink {
  private readonly draw: ReturnType<typeof createLogUpdate>;
  private running?: Running;
  private shown = false;
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;
  constructor(private readonly inner: OutputSink, private readonly stream: Writable & { columns?: number }, private readonly opts: ProgressOptions = {}) {
    this.draw = createLogUpdate(stream, { showCursor: true });
    this.now = opts.now ?? Date.now;
  }

  /** The status line, cut to the terminal's width so that it never wraps. */
  line(): string {
    const r = this.running!;
    const text = `${r.task.name}: ${r.done}/${r.hosts} hosts done, ${r.hosts - r.done} running, ${r.failed} failed, ${elapsed(this.now() - r.started)}`;
    const width = (this.stream.columns || 80) - 1;
    return text.length > width ? text.slice(0, Math.max(0, width - 1)) + '…' : text;
  }

  private render = (): void => {
    if (!this.running || this.running.done >= this.running.hosts) return;
    this.draw(this.line());
    this.shown = true;
  };

  private clear(): void {
    if (!this.shown) return;
    this.draw.clear();
    this.shown = false;
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.running = undefined;
  }

  emit(e: RunEvent): void {
    this.clear();
    this.inner.emit(e);
    switch (e.type) {
      case 'task_start':
        this.stop();
        // pause asks on the terminal: a redrawn line would erase its prompt.
        if (INTERACTIVE.has(e.task.action)) return;
        this.running = { task: e.task, hosts: e.hosts.length, done: 0, failed: 0, started: this.now() };
        // The first draw waits a little; then once a second for the elapsed time.
        this.timer = setTimeout(() => {
          this.render();
          this.timer = setInterval(this.render, this.opts.intervalMs ?? 1000);
          this.timer.unref();
        }, this.opts.delayMs ?? 1000);
        this.timer.unref();
        return;
      case 'host_result':
        if (this.running && !e.item && e.task.id === this.running.task.id) {
          this.running.done++;
          if ((e.status === 'failed' || e.status === 'unreachable') && !e.ignored) this.running.failed++;
        }
        break;
      case 'play_start':
      case 'playbook_end':
      case 'no_more_hosts':
        this.stop();
        return;
    }
    // Once the line has been drawn for this task, it comes back right under each result.
    if (this.running && this.now() - this.running.started >= (this.opts.delayMs ?? 1000)) this.render();
  }

  async close(): Promise<void> {
    this.clear();
    this.stop();
    await this.inner.close();
  }
}
