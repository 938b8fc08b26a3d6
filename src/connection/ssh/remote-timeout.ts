/**
 * A task `timeout` must stop the remote command, not just our wait for it. Closing the channel
 * alone leaves a sleeping command running, so the command itself runs under `timeout` when the
 * node has it (GNU coreutils or BusyBox): with -s KILL, GNU timeout kills its whole process group.
 */
import { shellQuote } from '../../values/shell-quote.js';

export function withRemoteTimeout(command: string, timeoutMs: number): string {
  const secs = Math.max(1, Math.ceil(timeoutMs / 1000));
  const q = shellQuote(command);
  return `if command -v timeout >/dev/null 2>&1; then exec timeout -s KILL ${secs} /bin/sh -c ${q}; else exec /bin/sh -c ${q}; fi`;
}
