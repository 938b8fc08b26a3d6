/**
 * Differential harness: runs a playbook with ansible-playbook (JSON callback) and with
 * philote (runPlaybook + an event collector), reduces both to per-host sequences of
 * task results plus the recap, and lists every difference with both values.
 */
import { PyFloat } from '../../../src/template/runtime/values.js';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlaybook, runPlays } from '../../../src/executor/index.js';
import type { ExecutorDeps } from '../../../src/executor/index.js';
import type { Play } from '../../../src/playbook/types.js';
import type { RunOptions } from '../../../src/executor/types.js';
import { loadInventory } from '../../../src/inventory/index.js';
import type { OutputSink, RunEvent } from '../../../src/output/events.js';

export const HERE = new URL('.', import.meta.url).pathname;
export const CASES = join(HERE, 'cases');
export const INVENTORY = join(HERE, 'inventory.ini');

export interface Entry {
  task: string;
  status: string;
  fields: Record<string, unknown>;
}

export interface Outcome {
  exitCode: number;
  hosts: Record<string, Entry[]>;
  stats: Record<string, Record<string, number>>;
  error?: string;
}

export interface CaseArgs {
  tags?: string[];
  skipTags?: string[];
  check?: boolean;
}

/** Keys compared besides the status; the rest are transport or bookkeeping details. */
const IGNORED = new Set([
  'action', 'invocation', 'changed', 'failed', 'skipped', 'unreachable', 'false_condition', 'warnings', 'deprecations',
  'retries', 'failed_when_result', 'include_args', 'start', 'end', 'stop', 'delta', 'exception', '_ansible_item_label',
  'skipped_reason', 'user_input', 'echo', 'rc', 'stdout', 'stderr',
]);

function statusOf(r: Record<string, unknown>): string {
  if (r['unreachable']) return 'unreachable';
  if (r['failed']) return 'failed';
  if (r['skipped']) return 'skipped';
  return r['changed'] ? 'changed' : 'ok';
}

/**
 * A whole-number float is a float in Python (json.dumps writes 2.0) and a PyFloat in philote;
 * JSON.parse makes both the number 2. Both sides mark it instead, so `2.0` against `2` counts.
 */
const FLOAT_MARK = '__float__';

/** ansible's JSON text: a whole-number float token outside strings becomes {"__float__": token}. */
function markFloatTokens(json: string): string {
  let out = '';
  let i = 0;
  while (i < json.length) {
    const c = json[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      out += json.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(json.slice(i, i + 40));
    if (m && (c === '-' || (c >= '0' && c <= '9'))) {
      const tok = m[0];
      out += /[.eE]/.test(tok) && Number.isInteger(Number(tok)) ? `{"${FLOAT_MARK}": "${tok}"}` : tok;
      i += tok.length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** philote's results: a PyFloat becomes the same mark, with Python's repr of it. */
function markFloats(v: unknown): unknown {
  if (v instanceof PyFloat) return { [FLOAT_MARK]: String(v) };
  if (Array.isArray(v)) return v.map(markFloats);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, markFloats(x)]));
  }
  return v;
}

function normalise(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (IGNORED.has(k) || k.startsWith('_ansible')) continue;
    if (k === 'results' && Array.isArray(v)) {
      out[k] = v.map((x) => ({ status: statusOf(x as Record<string, unknown>), ...normalise(x as Record<string, unknown>) }));
    } else out[k] = v;
  }
  return out;
}

const ZERO = { ok: 0, changed: 0, unreachable: 0, failures: 0, skipped: 0, rescued: 0, ignored: 0 };

// ---- ansible-playbook --------------------------------------------------------------

function treeHash(dir: string, h = createHash('sha256')): ReturnType<typeof createHash> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) treeHash(p, h.update(name));
    else h.update(name).update(readFileSync(p));
  }
  return h;
}

let cachedTree: string | undefined;

export function runAnsible(file: string, args: CaseArgs = {}): Promise<Outcome> {
  cachedTree ??= treeHash(HERE).digest('hex');
  const key = createHash('sha256').update(cachedTree).update(HERE).update(file).update(JSON.stringify(args)).digest('hex').slice(0, 24);
  const cacheDir = join(tmpdir(), 'philote-conformance-ansible');
  const cacheFile = join(cacheDir, `${key}.json`);
  if (existsSync(cacheFile)) return Promise.resolve(JSON.parse(readFileSync(cacheFile, 'utf8')) as Outcome);
  const argv = ['-i', INVENTORY, join(CASES, file)];
  if (args.tags) argv.push('--tags', args.tags.join(','));
  if (args.skipTags) argv.push('--skip-tags', args.skipTags.join(','));
  if (args.check) argv.push('--check');
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/ansible-playbook',
      argv,
      {
        cwd: CASES,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          ANSIBLE_STDOUT_CALLBACK: 'json',
          ANSIBLE_ROLES_PATH: join(CASES, 'roles'),
          ANSIBLE_RETRY_FILES_ENABLED: '0',
          ANSIBLE_NOCOLOR: '1',
          ANSIBLE_LOCAL_TEMP: join(tmpdir(), 'philote-ansible-tmp'),
          ANSIBLE_HOME: join(tmpdir(), 'philote-ansible-home'),
        },
      },
      (err, stdout, stderr) => {
        const exitCode = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        const outcome: Outcome = { exitCode, hosts: {}, stats: {} };
        try {
          const data = JSON.parse(markFloatTokens(stdout)) as {
            plays: Array<{ tasks: Array<{ task: { name: string }; hosts: Record<string, Record<string, unknown>> }> }>;
            stats: Record<string, Record<string, number>>;
          };
          for (const p of data.plays) {
            for (const t of p.tasks) {
              for (const [h, r] of Object.entries(t.hosts)) {
                (outcome.hosts[h] ??= []).push({ task: t.task.name, status: statusOf(r), fields: normalise(r) });
              }
            }
          }
          outcome.stats = data.stats;
        } catch (e) {
          outcome.error = `could not parse ansible output: ${(e as Error).message}\n${stderr.slice(0, 2000)}`;
        }
        mkdirSync(cacheDir, { recursive: true });
        if (!outcome.error) writeFileSync(cacheFile, JSON.stringify(outcome));
        resolve(outcome);
      },
    );
  });
}

// ---- philote ------------------------------------------------------------------------

class Collector implements OutputSink {
  events: RunEvent[] = [];
  emit(e: RunEvent): void {
    this.events.push(e);
  }
  async close(): Promise<void> {}
}

/**
 * Run philote on a playbook file, or (`plays`) on hand-built plays with injected parts:
 * the executor-level differential test uses that to check execution semantics on its own.
 */
export async function runPhilote(file: string, args: CaseArgs = {}, hand?: { plays: Play[]; deps: ExecutorDeps }): Promise<Outcome> {
  const inventory = await loadInventory([INVENTORY]);
  const out = new Collector();
  const options: RunOptions = {
    playbooks: [join(CASES, file)],
    inventory,
    extraVars: {},
    forks: 5,
    check: Boolean(args.check),
    diff: false,
    verbosity: 0,
    forceHandlers: false,
    timeoutSec: 10,
    hostKeyChecking: false,
    become: false,
    rolesPath: [join(CASES, 'roles')],
    gathering: 'implicit',
    output: out,
  };
  if (args.tags) options.tags = args.tags;
  if (args.skipTags) options.skipTags = args.skipTags;
  const outcome: Outcome = { exitCode: -1, hosts: {}, stats: {} };
  try {
    const summary = hand ? await runPlays(hand.plays, options, hand.deps) : await runPlaybook(options);
    outcome.exitCode = summary.exitCode;
    outcome.stats = summary.stats as unknown as Record<string, Record<string, number>>;
  } catch (e) {
    outcome.error = `philote threw: ${(e as Error).message}`;
  }
  // As the json callback records them: one result per task and host, the last one sent (an
  // include whose items fail to load sends one failed result per item after its own).
  const lastTask = new Map<string, unknown>();
  for (const e of out.events) {
    // A task's banner starts a new entry, as v2_playbook_on_task_start does in the json callback.
    if (e.type === 'task_start') lastTask.clear();
    if (e.type !== 'host_result' || e.item) continue;
    const list = (outcome.hosts[e.host] ??= []);
    const entry = { task: e.task.name, status: e.status, fields: normalise(markFloats(e.result) as Record<string, unknown>) };
    if (lastTask.get(e.host) === e.task.id && list.length) list[list.length - 1] = entry;
    else list.push(entry);
    lastTask.set(e.host, e.task.id);
  }
  return outcome;
}

// ---- comparison ---------------------------------------------------------------------

function show(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function compare(ansible: Outcome, philote: Outcome): string[] {
  const diffs: string[] = [];
  if (ansible.error) diffs.push(`ansible: ${ansible.error}`);
  if (philote.error) diffs.push(philote.error);
  if (ansible.exitCode !== philote.exitCode) diffs.push(`exit code: ansible=${ansible.exitCode} philote=${philote.exitCode}`);
  const hosts = new Set([...Object.keys(ansible.hosts), ...Object.keys(philote.hosts)]);
  for (const h of [...hosts].sort()) {
    const a = ansible.hosts[h] ?? [];
    const p = philote.hosts[h] ?? [];
    const n = Math.max(a.length, p.length);
    for (let i = 0; i < n; i++) {
      const ea = a[i];
      const ep = p[i];
      const where = `${h} #${i + 1}`;
      if (!ea || !ep) {
        diffs.push(`${where}: ansible=${ea ? `${ea.task} ${ea.status}` : '(none)'} philote=${ep ? `${ep.task} ${ep.status}` : '(none)'}`);
        continue;
      }
      if (ea.task !== ep.task) diffs.push(`${where}: task name ansible=${show(ea.task)} philote=${show(ep.task)}`);
      if (ea.status !== ep.status) diffs.push(`${where} '${ea.task}': status ansible=${ea.status} philote=${ep.status}`);
      for (const k of Object.keys(ea.fields)) {
        if (!deepEqual(ea.fields[k], ep.fields[k])) diffs.push(`${where} '${ea.task}': ${k} ansible=${show(ea.fields[k])} philote=${show(ep.fields[k])}`);
      }
    }
  }
  const statHosts = new Set([...Object.keys(ansible.stats), ...Object.keys(philote.stats)]);
  for (const h of [...statHosts].sort()) {
    const sa = { ...ZERO, ...(ansible.stats[h] ?? {}) };
    const sp = { ...ZERO, ...(philote.stats[h] ?? {}) };
    for (const k of Object.keys(ZERO) as Array<keyof typeof ZERO>) {
      if (sa[k] !== sp[k]) diffs.push(`recap ${h} ${k}: ansible=${sa[k]} philote=${sp[k]}`);
    }
  }
  return diffs;
}
