/**
 * ping: check that the host answers through its connection (one trivial exec).
 *   - ping:
 *   - ping: {data: hello}
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';

const schema = z.object({ data: z.string().optional() }).strict();
type Args = z.infer<typeof schema>;

export const pingModule: ModuleDefinition<Args> = {
  name: 'ping',
  aliases: ['ansible.builtin.ping', 'ansible.legacy.ping', 'ansible.windows.win_ping'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const data = ctx.args.data ?? 'pong';
    // ping's test hook: the module raises, which Ansible reports as a MODULE FAILURE with the
    // interpreter's traceback on stderr.
    if (data === 'crash') {
      const trace = 'Traceback (most recent call last):\n  File "ping", line 79, in main\nException: boom\n';
      return { failed: true, changed: false, module_stderr: trace, module_stdout: '', msg: 'MODULE FAILURE\nSee stdout/stderr for the exact error', rc: 1, exception: trace };
    }
    const conn = await ctx.connection();
    const res = await conn.exec('echo pong', { become: ctx.become, env: ctx.environment, timeoutMs: ctx.timeoutMs, signal: ctx.signal });
    if (res.rc !== 0) return { failed: true, msg: `ping failed: ${res.stderr.trim() || `rc=${res.rc}`}`, rc: res.rc };
    return { changed: false, ping: data };
  },
};
