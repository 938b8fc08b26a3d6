/**
 * Builds the command line actually run for an exec: environment exports and
 * become (sudo/su). Shared by the local and ssh connections so both escalate the same way.
 * The ssh layer may replace the sudo part with prompt detection for passwords.
 */
import type { ExecOptions } from './types.js';
import { shellQuote } from '../values/shell-quote.js';

export interface WrappedCommand {
  command: string;
  /** Bytes to write to stdin before the caller's stdin (unused by the default wrapper). */
  stdinPrefix?: string;
  /**
   * The command as the -vvvv trace shows it: the become part as run, the command by its size
   * only (it may carry the task's environment).
   */
  shown: string;
}

export function envPrefix(env: Record<string, string> | undefined): string {
  if (!env) return '';
  const parts = Object.entries(env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return parts.length ? `export ${parts.join(' ')}; ` : '';
}

export function wrapCommand(command: string, options: ExecOptions): WrappedCommand {
  const inner = envPrefix(options.env) + command;
  const hidden = `<command of ${Buffer.byteLength(inner)} bytes>`;
  const b = options.become;
  if (!b) return { command: inner, shown: hidden };
  if (b.method === 'su') {
    const head = `${b.exe ?? 'su'} ${b.flags ?? ''} ${shellQuote(b.user)} -c`;
    return { command: `${head} ${shellQuote(inner)}`, shown: `${head} ${hidden}` };
  }
  // Without a password, -n makes sudo fail at once instead of hanging on a prompt.
  const flags = b.flags ?? '-H -S -n';
  const head = `${b.exe ?? 'sudo'} ${flags} -u ${shellQuote(b.user)} /bin/sh -c`;
  return { command: `${head} ${shellQuote(inner)}`, shown: `${head} ${hidden}` };
}
