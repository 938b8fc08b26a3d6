/**
 * The structured run log (pino, one JSON object per line) written when log_path /
 * ANSIBLE_LOG_PATH is set. Results arrive already scrubbed of no_log values; on top of
 * that every key that looks like a secret is masked, so passwords never reach the file.
 */
import { PyFloat } from '../template/runtime/values.js';
import { createRequire } from 'node:module';
import type { Logger, pino as PinoFn } from 'pino';
import type { OutputSink, RunEvent } from './events.js';

const SECRET_KEY = /(pass(word|wd)?|secret|token|private_key|key_data|credential|api_key)($|_)/i;
export const MASK = '********';

export function maskSecrets(v: unknown, depth = 0): unknown {
  if (depth > 50) return v;
  if (Array.isArray(v)) return v.map((x) => maskSecrets(x, depth + 1));
  if (v !== null && typeof v === 'object' && !(v instanceof PyFloat)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = SECRET_KEY.test(k) && x !== null && typeof x !== 'object' && typeof x !== 'boolean' ? MASK : maskSecrets(x, depth + 1);
    return out;
  }
  return v;
}

export class LogOutput implements OutputSink {
  private readonly log: Logger;
  private readonly dest: ReturnType<typeof PinoFn.destination>;
  constructor(path: string) {
    // Loaded only when a log file is asked for: importing pino costs ~50 ms of every start.
    const { pino } = createRequire(import.meta.url)('pino') as { pino: typeof PinoFn };
    this.dest = pino.destination({ dest: path, append: true, mkdir: true, sync: true });
    this.log = pino({ base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, this.dest);
  }

  emit(e: RunEvent): void {
    const safe = maskSecrets(e) as Record<string, unknown>;
    const level = e.type === 'host_result' && (e.status === 'failed' || e.status === 'unreachable') ? 'error' : e.type === 'warning' ? 'warn' : 'info';
    this.log[level]({ event: safe }, e.type);
  }

  async close(): Promise<void> {
    this.dest.flushSync();
  }
}
