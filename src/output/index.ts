/**
 * Output sinks for run events: the stdout callback (`default`, `minimal`, `json`, `yaml`), the
 * aggregate callbacks of callbacks_enabled (`profile_tasks`, `timer`) and the log_path file
 * (Ansible's text log, or pino JSON lines with log_format = json). All receive every event.
 */
import type { Writable } from 'node:stream';
import { PhiloteError } from '../errors.js';
import type { OutputSink, RunEvent } from './events.js';
import { DefaultOutput } from './default.js';
import { JsonOutput } from './json.js';
import { LogOutput } from './log.js';
import { MinimalOutput } from './minimal.js';
import { ProfileTasks } from './profile-tasks.js';
import { TextLog } from './text-log.js';
import { Timer } from './timer.js';
import { Display } from './writer.js';
import { YamlOutput } from './yaml.js';

export type { OutputSink, RunEvent } from './events.js';
export { colorWanted } from './colors.js';
export { renderDiff } from './diff.js';
export { pyJson } from './pyjson.js';
export { pyStr, pyRepr } from './pystr.js';
export { maskSecrets } from './log.js';
export { Display } from './writer.js';

export type OutputKind = 'default' | 'json' | 'minimal' | 'yaml';

export interface OutputOptions {
  stream: Writable & { isTTY?: boolean; columns?: number };
  /** Warnings go here (stderr by default), as Ansible's Display does. */
  errStream?: Writable;
  color: boolean;
  verbosity: number;
  diff: boolean;
  diffContext?: number;
  logPath?: string;
  /** log_path's format: Ansible's text log (default) or JSON lines. */
  logFormat?: 'text' | 'json';
  displaySkippedHosts?: boolean;
  displayOkHosts?: boolean;
  /** deprecation_warnings (default true): print [DEPRECATION WARNING] lines. */
  deprecationWarnings?: boolean;
  columns?: number;
  /** callbacks_enabled: aggregate callbacks to run beside the stdout callback. */
  callbacksEnabled?: string[];
  /** For the callbacks' own settings (PROFILE_TASKS_SORT_ORDER...). */
  env?: Record<string, string | undefined>;
}

export const OUTPUT_KINDS: readonly OutputKind[] = ['default', 'json', 'minimal', 'yaml'];

/** stdout_callback names Ansible users write, with or without their collection. */
const STDOUT_CALLBACKS: Record<string, OutputKind> = {
  default: 'default',
  'ansible.builtin.default': 'default',
  minimal: 'minimal',
  'ansible.builtin.minimal': 'minimal',
  json: 'json',
  'ansible.posix.json': 'json',
  yaml: 'yaml',
  'community.general.yaml': 'yaml',
};

/** The output kind of a stdout_callback value; an unknown one stops the run as in Ansible (exit 1). */
export function stdoutCallbackKind(name: string): OutputKind {
  const kind = STDOUT_CALLBACKS[name.trim()];
  if (!kind) throw new PhiloteError('runtime', `Invalid callback for stdout specified: ${name}`);
  return kind;
}

type Aggregate = 'profile_tasks' | 'timer';
const AGGREGATES: Record<string, Aggregate> = {
  profile_tasks: 'profile_tasks',
  'ansible.posix.profile_tasks': 'profile_tasks',
  timer: 'timer',
  'ansible.posix.timer': 'timer',
};

/** Events of the run itself, which come after Ansible has loaded its callbacks. */
const RUN_EVENTS = new Set<RunEvent['type']>(['playbook_start', 'play_start', 'no_hosts_matched', 'task_start', 'host_result', 'playbook_end']);

export function createOutput(kind: OutputKind = 'default', opts: OutputOptions): OutputSink {
  const log = opts.logPath && opts.logFormat !== 'json' ? new TextLog(opts.logPath) : undefined;
  const o = { ...opts, log };
  let main: OutputSink;
  if (kind === 'json') main = new JsonOutput({ stream: opts.stream, errStream: opts.errStream });
  else if (kind === 'minimal') main = new MinimalOutput(o);
  else if (kind === 'yaml') main = new YamlOutput(o);
  else main = new DefaultOutput(o);
  const sinks: OutputSink[] = [main];
  const warnings: string[] = [];
  const seen = new Set<Aggregate>();
  for (const name of opts.callbacksEnabled ?? []) {
    const which = AGGREGATES[name];
    if (!which) {
      warnings.push(`Skipping callback plugin '${name}', unable to load`);
      continue;
    }
    if (seen.has(which)) continue;
    seen.add(which);
    const display = new Display(o);
    if (which === 'profile_tasks') sinks.push(new ProfileTasks({ display, verbosity: opts.verbosity, env: opts.env ?? process.env }));
    else sinks.push(new Timer(display));
  }
  if (opts.logPath && opts.logFormat === 'json') sinks.push(new LogOutput(opts.logPath));
  const out = tee(sinks, () => log?.close());
  if (warnings.length === 0) return out;
  // Ansible loads callbacks when the run starts, after the inventory: warn then.
  let pending = warnings;
  const flush = () => {
    for (const message of pending) out.emit({ type: 'warning', message });
    pending = [];
  };
  return {
    emit(e: RunEvent) {
      if (RUN_EVENTS.has(e.type)) flush();
      out.emit(e);
    },
    async close() {
      flush();
      await out.close();
    },
  };
}

export function tee(sinks: OutputSink[], onClose?: () => void): OutputSink {
  return {
    emit(e: RunEvent) {
      for (const s of sinks) s.emit(e);
    },
    async close() {
      await Promise.all(sinks.map((s) => s.close()));
      onClose?.();
    },
  };
}
