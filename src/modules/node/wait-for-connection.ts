/**
 * wait_for_connection: wait until the node answers over its connection (ansible.builtin.wait_for_connection).
 *
 * Arguments:
 * - delay: seconds to wait before the first try (default 0).       `delay: 5`
 * - sleep: seconds between tries (default 1).                      `sleep: 2`
 * - timeout: give up after this many seconds (default 600).        `timeout: 300`
 * - connect_timeout: seconds for one try (default 5).
 *
 * Returns: elapsed (seconds). Fails with "timed out waiting for connection: ..." after timeout.
 * Check mode: still waits (it changes nothing), as Ansible does.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { num } from './args.js';

const schema = z.object({ delay: num.default(0), sleep: num.default(1), timeout: num.default(600), connect_timeout: num.default(5) }).strict();
type Args = z.infer<typeof schema>;

export const waitForConnectionModule: ModuleDefinition<Args> = {
  name: 'wait_for_connection',
  aliases: ['ansible.builtin.wait_for_connection', 'ansible.legacy.wait_for_connection'],
  runsOn: 'node',
  noCheckMode: 'silent',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const started = Date.now();
    if (a.delay > 0) await sleep(a.delay * 1000);
    const deadline = started + a.timeout * 1000;
    let last = '';
    for (;;) {
      try {
        const conn = await ctx.connection();
        const r = await conn.exec('echo pong', { timeoutMs: a.connect_timeout * 1000, signal: ctx.signal });
        if (r.rc === 0 && r.stdout.includes('pong')) return { changed: false, elapsed: Math.round((Date.now() - started) / 1000) };
        last = r.stderr.trim() || `rc=${r.rc}`;
        await conn.reset().catch(() => undefined);
      } catch (e) {
        last = (e as Error).message;
        try {
          await (await ctx.connection()).reset();
        } catch {
          /* not even a connection object yet */
        }
      }
      if (Date.now() + a.sleep * 1000 > deadline || ctx.signal.aborted) {
        return { failed: true, elapsed: Math.round((Date.now() - started) / 1000), msg: `timed out waiting for connection: ${last}` };
      }
      await sleep(a.sleep * 1000);
    }
  },
};
