/**
 * `philote job merge FILE...`: joins the JSON results of a sliced run's slices (each the output
 * of the json stdout callback: `ANSIBLE_STDOUT_CALLBACK=json philote playbook --slice K/N ...`)
 * into one result of the same shape, as if one run had covered every slice's hosts, and returns
 * ansible-playbook's exit code for it: 4 when a host was unreachable, else 2 when a host failed,
 * else 0 (the order of ansible-core's StrategyBase.run).
 *
 * Plays line up by position (every slice runs the same playbooks); tasks line up by their file
 * position and name, in order, so a task that ran in only some slices (all hosts of the others
 * had failed, a `when` on a group) keeps its place. Task and play ids are each slice's own: the
 * first slice's are kept.
 */
import { readFileSync } from 'node:fs';
import { PhiloteError } from '../errors.js';
import type { HostStats } from '../output/events.js';

interface Duration {
  start: string;
  end?: string;
}
export interface JsonTask {
  task: { name: string; id: string; path: string; duration: Duration };
  hosts: Record<string, Record<string, unknown>>;
}
export interface JsonPlay {
  play: { name: string; id: string; path: string; duration: Duration };
  tasks: JsonTask[];
}
export interface JsonResult {
  custom_stats: Record<string, unknown>;
  global_custom_stats: Record<string, unknown>;
  plays: JsonPlay[];
  stats: Record<string, HostStats>;
}

const STAT_KEYS: Array<keyof HostStats> = ['ok', 'changed', 'unreachable', 'failures', 'skipped', 'rescued', 'ignored'];

/** Reads one slice's output; the json callback prints one document (warnings go to stderr). */
export function readSliceResult(file: string): JsonResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PhiloteError('not-found', `Could not read the slice result ${file}: ${(e as Error).message}`);
  }
  // Tolerate lines before the document (a pod log may start with a warning written to stdout).
  const start = text.indexOf('{');
  let doc: unknown;
  try {
    doc = JSON.parse(start >= 0 ? text.slice(start) : text);
  } catch (e) {
    throw new PhiloteError('runtime', `${file} is not the output of the json callback (ANSIBLE_STDOUT_CALLBACK=json): ${(e as Error).message}`);
  }
  const r = doc as Partial<JsonResult>;
  if (!r || typeof r !== 'object' || !Array.isArray(r.plays) || typeof r.stats !== 'object' || r.stats === null) {
    throw new PhiloteError('runtime', `${file} is not the output of the json callback (ANSIBLE_STDOUT_CALLBACK=json): no plays and stats`);
  }
  return { custom_stats: r.custom_stats ?? {}, global_custom_stats: r.global_custom_stats ?? {}, plays: r.plays, stats: r.stats };
}

const earlier = (a: string, b: string) => (b < a ? b : a);
const later = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined ? a : b > a ? b : a);

function mergeDuration(into: Duration, from: Duration): void {
  into.start = earlier(into.start, from.start);
  const end = later(into.end, from.end);
  if (end !== undefined) into.end = end;
}

/** Keys a task by where it is written and its name, counting repeats (a task run twice by an include). */
function taskKeys(tasks: JsonTask[]): string[] {
  const seen = new Map<string, number>();
  return tasks.map((t) => {
    const base = `${t.task.path}\0${t.task.name}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return `${base}\0${n}`;
  });
}

function mergeTasks(into: JsonTask[], from: JsonTask[]): JsonTask[] {
  const keys = taskKeys(into);
  const out = [...into];
  let cursor = 0;
  taskKeys(from).forEach((key, i) => {
    const t = from[i]!;
    const at = keys.indexOf(key);
    if (at >= 0) {
      const mine = out[out.indexOf(into[at]!)]!;
      Object.assign(mine.hosts, t.hosts);
      mergeDuration(mine.task.duration, t.task.duration);
      cursor = out.indexOf(mine) + 1;
    } else {
      // A task the slices before had not run: after the last task both had.
      const copy = structuredClone(t);
      out.splice(cursor, 0, copy);
      cursor++;
    }
  });
  return out;
}

export function mergeResults(results: JsonResult[]): JsonResult {
  if (results.length === 0) throw new PhiloteError('option', 'job merge: no slice results given');
  const merged: JsonResult = structuredClone(results[0]!);
  for (const r of results.slice(1)) {
    if (r.plays.length !== merged.plays.length) {
      throw new PhiloteError('runtime', `the slices ran different playbooks: ${merged.plays.length} plays in one, ${r.plays.length} in another`);
    }
    r.plays.forEach((p, i) => {
      const mine = merged.plays[i]!;
      if (mine.play.path !== p.play.path) throw new PhiloteError('runtime', `the slices ran different playbooks: play ${i + 1} is ${mine.play.path} in one, ${p.play.path} in another`);
      mergeDuration(mine.play.duration, p.play.duration);
      mine.tasks = mergeTasks(mine.tasks, p.tasks);
    });
    for (const [host, s] of Object.entries(r.stats)) {
      const mine = merged.stats[host];
      if (!mine) merged.stats[host] = { ...s };
      else for (const k of STAT_KEYS) mine[k] += s[k] ?? 0;
    }
    Object.assign(merged.custom_stats, r.custom_stats);
    Object.assign(merged.global_custom_stats, r.global_custom_stats);
  }
  const sorted: Record<string, HostStats> = {};
  for (const h of Object.keys(merged.stats).sort()) sorted[h] = merged.stats[h]!;
  merged.stats = sorted;
  return merged;
}

/** ansible-playbook's exit code for these stats: unreachable (4) before failed (2). */
export function exitCodeOf(stats: Record<string, HostStats>): number {
  const all = Object.values(stats);
  if (all.some((s) => s.unreachable > 0)) return 4;
  if (all.some((s) => s.failures > 0)) return 2;
  return 0;
}
