/** Run the philote CLI in-process, as a user would type it, and collect its output. */
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; signal?: AbortSignal } = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await run(['node', 'philote', ...args], {
    stdout,
    stderr,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    cwd: opts.cwd ?? process.cwd(),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { code, out, err };
}
