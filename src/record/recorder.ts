/**
 * The run record's writer: an output sink that appends every event, with its time, to
 * events.jsonl as the run goes (a crashed run still leaves its events), and run.json at the start
 * and the end. Results arrive censored for no_log by the executor, as the terminal shows them;
 * keys that look like secrets are masked on top, as in the JSON log. Files are private (0600).
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { HostStats, OutputSink, RunEvent } from '../output/events.js';
import { maskSecrets } from '../output/log.js';
import type { RunMeta } from './store.js';

/** Events that say nothing about the run afterwards. */
const SKIPPED = new Set<RunEvent['type']>(['verbose']);

export class Recorder implements OutputSink {
  readonly dir: string;
  private readonly fd: number;
  private stats?: Record<string, HostStats>;
  constructor(root: string, private readonly meta: RunMeta, private readonly now: () => number = Date.now) {
    this.dir = join(root, meta.id);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.fd = openSync(join(this.dir, 'events.jsonl'), 'a', 0o600);
    this.writeMeta();
  }

  private writeMeta(): void {
    writeFileSync(join(this.dir, 'run.json'), JSON.stringify(this.meta, null, 2) + '\n', { mode: 0o600 });
  }

  emit(e: RunEvent): void {
    if (SKIPPED.has(e.type)) return;
    if (e.type === 'playbook_end') this.stats = e.stats;
    writeSync(this.fd, JSON.stringify({ at: this.now(), event: maskSecrets(e) }) + '\n');
  }

  /** The run's end: its exit code and per-host totals go into run.json. */
  finish(exitCode: number): void {
    this.meta.endedAt = new Date(this.now()).toISOString();
    this.meta.exitCode = exitCode;
    if (this.stats) {
      const all = Object.values(this.stats);
      this.meta.hosts = all.length;
      this.meta.failedHosts = all.filter((s) => s.failures > 0 || s.unreachable > 0).length;
      this.meta.changedHosts = all.filter((s) => s.changed > 0).length;
    }
    this.writeMeta();
  }

  async close(): Promise<void> {
    closeSync(this.fd);
  }
}
