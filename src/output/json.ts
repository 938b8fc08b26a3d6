/**
 * The shape of Ansible's `json` stdout callback, printed once at the end:
 * {plays: [{play: {name, id, path, duration}, tasks: [{task: {...}, hosts: {h: result}}]}],
 *  stats, custom_stats, global_custom_stats}.
 */
import type { Writable } from 'node:stream';
import { formatLocation } from '../errors.js';
import type { HostStats, OutputSink, RunEvent } from './events.js';
import { pyJson } from './pyjson.js';

interface JsonTask {
  task: { name: string; id: string; path: string; duration: { start: string; end?: string } };
  hosts: Record<string, Record<string, unknown>>;
}
interface JsonPlay {
  play: { name: string; id: string; path: string; duration: { start: string; end?: string } };
  tasks: JsonTask[];
}

const now = () => new Date().toISOString().replace(/(\.\d{3})Z$/, '$1000Z');

export class JsonOutput implements OutputSink {
  private readonly plays: JsonPlay[] = [];
  private readonly warnings: string[] = [];
  constructor(private readonly opts: { stream: Writable; errStream?: Writable; indent?: number }) {}

  emit(e: RunEvent): void {
    switch (e.type) {
      case 'play_start':
        this.plays.push({ play: { name: e.name, id: e.id, path: `${e.loc.file}:${e.loc.line}`, duration: { start: now() } }, tasks: [] });
        break;
      case 'task_start':
        this.currentPlay()?.tasks.push({
          task: { name: e.task.name, id: e.task.id, path: `${e.task.loc.file}:${e.task.loc.line}`, duration: { start: now() } },
          hosts: {},
        });
        break;
      case 'host_result': {
        if (e.item) return; // Ansible's json callback records only the final (aggregated) result
        const play = this.currentPlay();
        if (!play) return;
        let task = [...play.tasks].reverse().find((t) => t.task.id === e.task.id);
        if (!task) {
          task = { task: { name: e.task.name, id: e.task.id, path: formatLocation(e.task.loc), duration: { start: now() } }, hosts: {} };
          play.tasks.push(task);
        }
        const r: Record<string, unknown> = { ...e.result };
        if (e.status === 'failed') r.failed = true;
        if (e.status === 'skipped') r.skipped = true;
        r.action = e.task.action;
        task.hosts[e.host] = r;
        const end = now();
        task.task.duration.end = end;
        play.play.duration.end = end;
        break;
      }
      case 'warning':
        // The json callback still lets Display print warnings on stderr.
        (this.opts.errStream ?? process.stderr).write(`[WARNING]: ${e.message}\n`);
        break;
      case 'error':
        (this.opts.errStream ?? process.stderr).write(`ERROR! ${e.message}\n`);
        break;
      case 'playbook_end':
        this.print(e.stats);
        break;
    }
  }

  private currentPlay(): JsonPlay | undefined {
    return this.plays[this.plays.length - 1];
  }

  private print(stats: Record<string, HostStats>): void {
    const sorted: Record<string, HostStats> = {};
    for (const h of Object.keys(stats).sort()) sorted[h] = stats[h]!;
    const out = { custom_stats: {}, global_custom_stats: {}, plays: this.plays, stats: sorted };
    this.opts.stream.write(pyJson(out, this.opts.indent ?? 4) + '\n');
  }

  async close(): Promise<void> {}
}
