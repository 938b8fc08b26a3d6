/**
 * `async` + `poll` for node modules, behind the executor's one call (runTask → runAsync):
 * the module runs unchanged, but every command it sends goes through a connection that starts
 * it as a detached job (job.ts) instead of waiting on the SSH channel.
 *
 * - poll > 0: the controller looks at the job every `poll` seconds over the task's connection
 *   (the first look after `poll` seconds, as ansible-core); when it finished, the module reads its
 *   output as usual and the result gets ansible_job_id, started, finished and results_file; the
 *   job's files are removed. Not finished within `async` seconds: "async task did not complete
 *   within the requested time - Ns" (the job itself is stopped by `timeout` on the node).
 * - poll: 0: the job is started and the task returns {changed: true, started: 1, finished: 0,
 *   ansible_job_id, results_file} at once; `async_status: jid=...` later reads it, and this run remembers how the
 *   module turns the job's output into its result (modules that need one command only).
 * - A poll that cannot reach the node (network bounce, reboot) is retried after a reconnect until
 *   the async limit is used up; a job killed by a reboot never finishes, so the task then fails
 *   with the time-limit message, as in Ansible.
 * - Progress (spec.report, printed by the default callback as ansible-playbook does): "poll" after
 *   each look at a job still running, then "ok" or "failed" (the module's result failed, or the
 *   time limit) when polling ends. A job the node's timer killed counts as still running until the
 *   controller's own time is used up, as ansible-core's async_wrapper kills late and its poller
 *   keeps reporting the job as running.
 * - check mode: failed, "check mode and async cannot be used on same task." (as ansible-core);
 *   controller-side modules and the file-transfer modules: "async is not supported for this task."
 */
import type { Connection, ExecOptions, ExecResult } from '../connection/types.js';
import type { AnyModuleDefinition, ModuleContext, ModuleResult } from '../modules/types.js';
import { abandonJob, newJobId, pollJob, startJob, cleanupJob } from './job.js';

/** Modules whose Ansible action plugin refuses async (they move files or manage the connection). */
const NO_ASYNC = new Set(['copy', 'template', 'fetch', 'unarchive', 'reboot', 'wait_for_connection', 'async_status', 'script']);

export interface AsyncProgress {
  kind: 'poll' | 'ok' | 'failed';
  jid: string;
  started?: number;
  finished?: number;
}

export interface AsyncSpec {
  asyncSeconds: number;
  poll: number;
  /** Told of each poll of a running job and of the end of polling (poll > 0 only). */
  report?: (p: AsyncProgress) => void;
}

interface Job {
  def: AnyModuleDefinition;
  ctx: ModuleContext;
  asyncSeconds: number;
  path: string;
}

/** Jobs started with poll: 0 in this run, for async_status. */
const jobs = new Map<string, Job>();

class Detached extends Error {
  constructor(readonly path: string) {
    super('detached');
  }
}
class NotInTime extends Error {}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** A connection whose exec runs each command as a job (poll > 0: waits for it; poll 0: starts it only). */
function jobConnection(real: Connection, jid: string, spec: AsyncSpec, ctx: ModuleContext, state: { timeLeft: number; path: string; count: number }): Connection {
  return {
    kind: real.kind,
    host: real.host,
    put: (s, p, o) => real.put(s, p, o),
    get: (r, l, o) => real.get(r, l, o),
    reset: () => real.reset(),
    close: () => real.close(),
    async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
      const id = state.count++ === 0 ? jid : `${jid}.${state.count}`;
      state.path = await startJob(real, id, command, options, spec.asyncSeconds);
      if (spec.poll === 0) throw new Detached(state.path);
      const look = { ...(options.become ? { become: options.become } : {}), signal: ctx.signal };
      let killed = false;
      while (state.timeLeft > 0) {
        await sleep(spec.poll * 1000, ctx.signal);
        state.timeLeft -= spec.poll;
        let s;
        try {
          s = await pollJob(real, id, look);
        } catch (e) {
          // A network bounce or a reboot while polling is not fatal (as ansible-core): reconnect
          // and look again until the async limit is used up.
          await real.reset().catch(() => undefined);
          if (state.timeLeft <= 0) throw e;
          continue;
        }
        if (s.finished && !s.timedOut) {
          await cleanupJob(real, id, look);
          return s.result!;
        }
        // Running, or killed by the node's timer at the limit (which the controller's own clock
        // reaches at the same time): reported as running, as ansible-core's poller sees it.
        spec.report?.({ kind: 'poll', jid, started: 1, finished: 0 });
        killed = s.timedOut === true;
      }
      if (killed) await cleanupJob(real, id, look);
      else await abandonJob(real, id, look).catch(() => undefined);
      throw new NotInTime();
    },
  };
}

export async function runAsync(def: AnyModuleDefinition, ctx: ModuleContext, spec: AsyncSpec): Promise<ModuleResult> {
  if (def.runsOn === 'controller' || NO_ASYNC.has(def.name)) return { failed: true, changed: false, msg: 'async is not supported for this task.' };
  if (ctx.checkMode) return { failed: true, changed: false, msg: 'check mode and async cannot be used on same task.' };
  const jid = newJobId();
  const state = { timeLeft: spec.asyncSeconds, path: '', count: 0 };
  const real = await ctx.connection();
  const conn = jobConnection(real, jid, spec, ctx, state);
  const jobCtx: ModuleContext = { ...ctx, connection: async () => conn };
  try {
    const result = await def.run(jobCtx);
    spec.report?.({ kind: result.failed ? 'failed' : 'ok', jid });
    return { ...result, ansible_job_id: jid, started: 1, finished: 1, results_file: state.path };
  } catch (e) {
    if (e instanceof Detached) {
      jobs.set(jid, { def, ctx, asyncSeconds: spec.asyncSeconds, path: e.path });
      return { changed: true, started: 1, finished: 0, ansible_job_id: jid, results_file: e.path };
    }
    if (e instanceof NotInTime) {
      spec.report?.({ kind: 'failed', jid });
      return { failed: true, changed: false, msg: `async task did not complete within the requested time - ${spec.asyncSeconds}s`, async_result: { ansible_job_id: jid, started: 1, finished: 0, results_file: state.path } };
    }
    throw e;
  }
}

/** async_status: a job's state now; a finished job of this run gets its module's result. */
export async function jobStatus(conn: Connection, jid: string, ctx: Pick<ModuleContext, 'become' | 'signal'>): Promise<ModuleResult> {
  const look = { ...(ctx.become ? { become: ctx.become } : {}), signal: ctx.signal };
  let s;
  try {
    s = await pollJob(conn, jid, look);
  } catch {
    return { failed: true, changed: false, started: 1, finished: 1, ansible_job_id: jid, msg: 'could not find job' };
  }
  const base = { ansible_job_id: jid, started: 1, results_file: s.path };
  if (!s.finished) return { changed: false, finished: 0, ...base };
  const job = jobs.get(jid);
  if (s.timedOut) return { failed: true, changed: false, finished: 1, ...base, msg: `Job reached maximum time limit of ${job?.asyncSeconds ?? '?'} seconds.` };
  if (!job) return { changed: true, finished: 1, ...base, rc: s.result!.rc, stdout: s.result!.stdout, stderr: s.result!.stderr };
  let replayed = false;
  const replay: Connection = {
    kind: conn.kind,
    host: conn.host,
    put: (src, p, o) => conn.put(src, p, o),
    get: (r, l, o) => conn.get(r, l, o),
    reset: () => conn.reset(),
    close: () => conn.close(),
    exec: async () => {
      if (replayed) throw new Error('async: this module needs more than one command and cannot be run with poll: 0');
      replayed = true;
      return s.result!;
    },
  };
  const result = await job.def.run({ ...job.ctx, connection: async () => replay });
  return { ...result, finished: 1, ...base };
}

export async function jobCleanup(conn: Connection, jid: string, ctx: Pick<ModuleContext, 'become' | 'signal'>): Promise<ModuleResult> {
  const path = await cleanupJob(conn, jid, { ...(ctx.become ? { become: ctx.become } : {}), signal: ctx.signal });
  jobs.delete(jid);
  return { changed: false, ansible_job_id: jid, erased: path };
}
