/**
 * raw: send a command line as is over the connection, no script around it (ansible.builtin.raw).
 * Works on nodes without awk or coreutils (bootstrap).
 *
 * Arguments:
 * - _raw_params (free form): the command line.   `raw: cat /etc/os-release`
 * - executable: run the line with this shell.   `executable: /bin/bash`
 *
 * Returns: rc, stdout, stdout_lines, stderr, stderr_lines; changed always true; failed when rc != 0
 * ("non-zero return code"). Not run in check mode (skipped).
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { str } from './args.js';
import { q, splitLines } from './script.js';

const schema = z.object({ _raw_params: str, executable: str.optional() }).strict();
type Args = z.infer<typeof schema>;

export const rawModule: ModuleDefinition<Args> = {
  name: 'raw',
  aliases: ['ansible.builtin.raw', 'ansible.legacy.raw'],
  freeForm: true,
  runsOn: 'node',
  noCheckMode: 'silent',
  schema,
  async run(ctx) {
    const conn = await ctx.connection();
    const line = ctx.args.executable ? `${q(ctx.args.executable)} -c ${q(ctx.args._raw_params)}` : ctx.args._raw_params;
    const res = await conn.exec(line, {
      ...(ctx.become ? { become: ctx.become } : {}),
      ...(ctx.environment ? { env: ctx.environment } : {}),
      ...(ctx.timeoutMs ? { timeoutMs: ctx.timeoutMs } : {}),
      signal: ctx.signal,
    });
    const out = { changed: true, rc: res.rc, stdout: res.stdout, stdout_lines: splitLines(res.stdout), stderr: res.stderr, stderr_lines: splitLines(res.stderr) };
    return res.rc !== 0 ? { ...out, failed: true, msg: 'non-zero return code' } : out;
  },
};
