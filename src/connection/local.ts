/**
 * The `local` connection: runs commands on the controller with /bin/sh, for
 * `hosts: localhost`, `connection: local` and `delegate_to: localhost`.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, copyFile, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Connection, ExecOptions, ExecResult, PutOptions } from './types.js';
import { wrapCommand } from './wrap.js';
import { connectionTrace } from './trace.js';
import { shellQuote } from '../values/shell-quote.js';

export class LocalConnection implements Connection {
  readonly kind = 'local' as const;
  constructor(readonly host: string = 'localhost') {}

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const wrapped = wrapCommand(command, options);
    connectionTrace(this.host, `EXEC /bin/sh -c ${wrapped.shown}`);
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', wrapped.command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      const kill = () => {
        // Kill the whole process group so a task timeout also stops grandchildren.
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      };
      if (options.timeoutMs) {
        timer = setTimeout(() => {
          timedOut = true;
          kill();
        }, options.timeoutMs);
      }
      options.signal?.addEventListener('abort', kill, { once: true });
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.on('close', (code, sig) => {
        if (timer) clearTimeout(timer);
        resolve({
          rc: timedOut ? -1 : (code ?? -1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
          ...(timedOut ? { timedOut } : {}),
          ...(sig && code === null ? { signal: sig } : {}),
        });
      });
      child.stdin.on('error', () => {
        /* command exited before reading all of stdin */
      });
      const stdin = wrapped.stdinPrefix !== undefined || options.stdin !== undefined ? options.stdin : undefined;
      if (wrapped.stdinPrefix) child.stdin.write(wrapped.stdinPrefix);
      if (stdin === undefined) child.stdin.end();
      else if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) child.stdin.end(stdin);
      else (stdin as Readable).pipe(child.stdin);
    });
  }

  async put(source: string | Buffer, remotePath: string, options: PutOptions = {}): Promise<void> {
    if (options.become) {
      // Stream through the become wrapper so the file is written as the target user.
      const stream = typeof source === 'string' ? createReadStream(source) : Readable.from(source);
      const res = await this.exec(`cat > ${shellQuote(remotePath)}`, { stdin: stream, become: options.become });
      if (res.rc !== 0) throw new Error(`put ${remotePath} failed: ${res.stderr.trim()}`);
    } else if (typeof source === 'string') {
      await copyFile(source, remotePath);
    } else {
      await writeFile(remotePath, source);
    }
    if (options.mode !== undefined && !options.become) await chmod(remotePath, options.mode);
  }

  async get(remotePath: string, localPath: string): Promise<void> {
    await pipeline(createReadStream(remotePath), createWriteStream(localPath));
  }

  async reset(): Promise<void> {}
  async close(): Promise<void> {}
}


