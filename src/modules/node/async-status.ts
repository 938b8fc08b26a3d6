/**
 * async_status: the state of a job started with `async` and `poll: 0` (ansible.builtin.async_status).
 *
 * Arguments: jid (required): the ansible_job_id the task registered; mode: status (default) or
 * cleanup (remove the job's files on the node).
 * Returns ansible_job_id, started, finished (0 while running), results_file; when finished, the
 * module's own result (rc, stdout, ... for command/shell) as the polled task would have returned
 * it; a job that ran past its async limit: failed, "Job reached maximum time limit of N seconds.".
 * Use it with `until: job.finished` as in Ansible. See src/async/run.ts.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { str } from './args.js';
import { jobCleanup, jobStatus } from '../../async/run.js';

const schema = z
  .object({
    jid: str,
    mode: z.enum(['status', 'cleanup']).default('status'),
    _async_dir: str.optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

export const asyncStatusModule: ModuleDefinition<Args> = {
  name: 'async_status',
  aliases: ['ansible.builtin.async_status', 'ansible.legacy.async_status'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const conn = await ctx.connection();
    const who = { ...(ctx.become ? { become: ctx.become } : {}), signal: ctx.signal };
    return ctx.args.mode === 'cleanup' ? jobCleanup(conn, ctx.args.jid, who) : jobStatus(conn, ctx.args.jid, who);
  },
};
