/**
 * reboot: reboot the node, wait for it to go down and come back (ansible.builtin.reboot).
 *
 * Arguments:
 * - reboot_command: command that reboots (default `shutdown -r +<pre_reboot_delay/60> "<msg>"`,
 *   or `shutdown -r now` when the delay is under a minute).    `reboot_command: /var/lib/lab/reboot`
 * - boot_time_command: prints something that changes across boots
 *   (default `cat /proc/sys/kernel/random/boot_id`).            `boot_time_command: cat /var/lib/lab/boot_id`
 * - test_command: must succeed once the node is back (default `whoami`).  `test_command: systemctl is-system-running`
 * - pre_reboot_delay / post_reboot_delay: seconds before the reboot / after it is seen.  `post_reboot_delay: 10`
 * - reboot_timeout (default 600) and connect_timeout (default the connection's) in seconds.
 * - msg: the message given to shutdown (default 'Reboot initiated by Ansible').
 * - search_paths: accepted (philote runs shutdown through the node's PATH).
 *
 * Returns: rebooted (true), elapsed (seconds, int), changed. Check mode: nothing is run;
 * changed and rebooted are reported as Ansible does. Fails with "Timed out waiting for ..." when
 * the boot id never changes or the test command never succeeds.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { num, str, strList } from './args.js';
import { argError, q } from './script.js';

const schema = z
  .object({
    reboot_command: str.optional(),
    boot_time_command: str.default('cat /proc/sys/kernel/random/boot_id'),
    test_command: str.default('whoami'),
    pre_reboot_delay: num.default(0),
    post_reboot_delay: num.default(0),
    reboot_timeout: num.default(600),
    connect_timeout: num.optional(),
    msg: str.default('Reboot initiated by Ansible'),
    search_paths: strList.optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

export const rebootModule: ModuleDefinition<Args> = {
  name: 'reboot',
  aliases: ['ansible.builtin.reboot', 'ansible.legacy.reboot'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (a.pre_reboot_delay < 0 || a.post_reboot_delay < 0 || a.reboot_timeout <= 0) throw argError('reboot: pre_reboot_delay and post_reboot_delay must be >= 0 and reboot_timeout > 0');
    if (ctx.checkMode) return { changed: true, elapsed: 0, rebooted: true };
    const started = Date.now();
    const opts = (ms?: number) => ({ ...(ctx.become ? { become: ctx.become } : {}), ...(ms ? { timeoutMs: ms } : {}), signal: ctx.signal });
    const conn = await ctx.connection();
    const before = await conn.exec(a.boot_time_command, opts(30_000));
    if (before.rc !== 0) return { failed: true, rebooted: false, msg: `Failed to get the boot time: ${before.stderr.trim() || before.stdout.trim()}`, rc: before.rc };
    const bootId = before.stdout.trim();
    const delayMin = Math.floor(a.pre_reboot_delay / 60);
    let cmd = a.reboot_command ?? (delayMin > 0 ? `shutdown -r +${delayMin} ${q(a.msg)}` : `shutdown -r now ${q(a.msg)}`);
    if (a.reboot_command === undefined && a.pre_reboot_delay > 0 && delayMin === 0) cmd = `sleep ${a.pre_reboot_delay}; ${cmd}`;
    try {
      const r = await conn.exec(cmd, opts(30_000));
      // A reboot that kills the session reports rc -1 or 255 with no output: that is success.
      if (r.rc !== 0 && r.rc !== -1 && r.rc !== 255 && !r.timedOut) {
        return { failed: true, rebooted: false, rc: r.rc, msg: `Reboot command failed. Error was: '${r.stderr.trim()}, ${r.stdout.trim()}'`, start: new Date(started).toISOString() };
      }
    } catch {
      /* the connection dropped under the reboot: expected */
    }
    await conn.reset().catch(() => undefined);
    const deadline = Date.now() + a.reboot_timeout * 1000;
    const connectMs = (a.connect_timeout ?? 10) * 1000;
    let wait = 500;
    let lastError = '';
    let seenNewBoot = false;
    while (Date.now() < deadline) {
      if (ctx.signal.aborted) return { failed: true, rebooted: false, msg: 'reboot aborted' };
      try {
        if (!seenNewBoot) {
          const r = await conn.exec(a.boot_time_command, opts(connectMs));
          const now = r.stdout.trim();
          if (r.rc === 0 && now !== '' && now !== bootId) {
            seenNewBoot = true;
            if (a.post_reboot_delay > 0) await sleep(a.post_reboot_delay * 1000);
          } else lastError = r.rc === 0 ? 'boot time has not changed' : r.stderr.trim();
        }
        if (seenNewBoot) {
          const t = await conn.exec(a.test_command, opts(connectMs));
          if (t.rc === 0) return { changed: true, rebooted: true, elapsed: Math.round((Date.now() - started) / 1000) };
          lastError = `test command failed: ${t.stderr.trim() || t.stdout.trim()}`;
        }
      } catch (e) {
        lastError = (e as Error).message;
        await conn.reset().catch(() => undefined);
      }
      await sleep(wait);
      wait = Math.min(wait * 2, 5000);
    }
    return {
      failed: true,
      rebooted: true,
      elapsed: Math.round((Date.now() - started) / 1000),
      msg: `Timed out waiting for ${seenNewBoot ? 'post-reboot test command' : 'last boot time check'} (timeout=${a.reboot_timeout}): ${lastError}`,
    };
  },
};
