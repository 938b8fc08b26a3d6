/**
 * Where run records live and how they are named: one folder per run under the runs directory
 * ([philote] runs_dir / PHILOTE_RUNS_DIR, else ~/.philote/runs, next to Ansible's ~/.ansible),
 * holding run.json (what ran, when, how it ended) and events.jsonl (every event with its time).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PhiloteError } from '../errors.js';
import type { RunEvent } from '../output/events.js';

export interface RunMeta {
  id: string;
  /** Playbooks as typed on the command line. */
  playbooks: string[];
  cwd: string;
  startedAt: string;
  endedAt?: string;
  exitCode?: number;
  check: boolean;
  diff: boolean;
  limit?: string;
  tags?: string[];
  philoteVersion: string;
  user: string;
  /** Per-host totals from the PLAY RECAP, filled in when the run ends. */
  hosts?: number;
  failedHosts?: number;
  changedHosts?: number;
}

export interface RecordedEvent {
  /** Milliseconds since the Unix epoch when the event happened. */
  at: number;
  event: RunEvent;
}

export interface RunRecord {
  meta: RunMeta;
  events: RecordedEvent[];
}

export function runsDir(configured: string | undefined, env: Record<string, string | undefined>): string {
  return configured ?? join(env.HOME || homedir(), '.philote', 'runs');
}

/** Sortable by time, unique within the second by a random suffix: 20261207-012600-a1b2. */
export function newRunId(now: Date, random: () => number = Math.random): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${Math.floor(random() * 0x10000).toString(16).padStart(4, '0')}`;
}

function readMeta(dir: string): RunMeta | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunMeta;
  } catch {
    return undefined; // a run being written, or not a run folder
  }
}

/** Every recorded run, newest first. */
export function listRuns(root: string): RunMeta[] {
  if (!existsSync(root)) return [];
  const runs: RunMeta[] = [];
  for (const name of readdirSync(root)) {
    const meta = readMeta(join(root, name));
    if (meta) runs.push(meta);
  }
  return runs.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : b.id.localeCompare(a.id)));
}

/** A run by id, unique id prefix, or the newest one when no id is given. */
export function findRun(root: string, wanted?: string): RunMeta {
  const runs = listRuns(root);
  if (runs.length === 0) throw new PhiloteError('option', `no recorded runs in ${root}: run a playbook first (recording is on unless --no-record or PHILOTE_RECORD=0)`);
  if (!wanted) return runs[0]!;
  const exact = runs.find((r) => r.id === wanted);
  if (exact) return exact;
  const matches = runs.filter((r) => r.id.startsWith(wanted));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new PhiloteError('option', `run '${wanted}' is ambiguous: ${matches.map((r) => r.id).join(', ')}`);
  throw new PhiloteError('option', `no recorded run '${wanted}' in ${root} (see philote runs)`);
}

export function readRun(root: string, meta: RunMeta): RunRecord {
  const text = existsSync(join(root, meta.id, 'events.jsonl')) ? readFileSync(join(root, meta.id, 'events.jsonl'), 'utf8') : '';
  const events: RecordedEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as RecordedEvent);
    } catch {
      // The last line of a run killed mid-write may be cut short; the rest is still a record.
    }
  }
  return { meta, events };
}
