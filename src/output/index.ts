/**
 * Output sinks for run events: `createOutput('default' | 'json' | 'minimal', opts)`, plus a
 * pino log file when `logPath` is given (both receive every event).
 */
import type { Writable } from 'node:stream';
import type { OutputSink, RunEvent } from './events.js';
import { DefaultOutput } from './default.js';
import { JsonOutput } from './json.js';
import { LogOutput } from './log.js';
import { MinimalOutput } from './minimal.js';

export type { OutputSink, RunEvent } from './events.js';
export { colorWanted } from './colors.js';
export { renderDiff } from './diff.js';
export { pyJson } from './pyjson.js';
export { pyStr, pyRepr } from './pystr.js';
export { maskSecrets } from './log.js';
export { Display } from './writer.js';

export type OutputKind = 'default' | 'json' | 'minimal';

export interface OutputOptions {
  stream: Writable & { isTTY?: boolean; columns?: number };
  /** Warnings go here (stderr by default), as Ansible's Display does. */
  errStream?: Writable;
  color: boolean;
  verbosity: number;
  diff: boolean;
  logPath?: string;
  displaySkippedHosts?: boolean;
  displayOkHosts?: boolean;
  columns?: number;
}

export const OUTPUT_KINDS: readonly OutputKind[] = ['default', 'json', 'minimal'];

export function createOutput(kind: OutputKind = 'default', opts: OutputOptions): OutputSink {
  let main: OutputSink;
  if (kind === 'json') main = new JsonOutput({ stream: opts.stream, errStream: opts.errStream });
  else if (kind === 'minimal') main = new MinimalOutput(opts);
  else main = new DefaultOutput(opts);
  if (!opts.logPath) return main;
  return tee([main, new LogOutput(opts.logPath)]);
}

export function tee(sinks: OutputSink[]): OutputSink {
  return {
    emit(e: RunEvent) {
      for (const s of sinks) s.emit(e);
    },
    async close() {
      await Promise.all(sinks.map((s) => s.close()));
    },
  };
}
