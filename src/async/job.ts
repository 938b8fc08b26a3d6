/**
 * Node side of `async`: a command is started detached on the node with a job file under
 * ~/.ansible_async/<jid> (the user's home after become, as Ansible's async_dir), and polled
 * over the task's existing connection.
 *
 * Files of a job J: J (the job record Ansible's async_status reads: started/finished),
 * J.sh and J.in (the script and its stdin, removed when it ends), J.out and J.err (its output),
 * J.rc (its exit code, written last: its presence means finished), J.timedout (when the async
 * limit killed it). The script runs under `timeout` (coreutils/BusyBox) when the node has it,
 * in a new session (setsid) with no terminal, so it survives the SSH session that started it.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Connection, ExecOptions, ExecResult } from '../connection/types.js';
import { PhiloteError } from '../errors.js';

export function newJobId(): string {
  return `j${randomInt(100000000, 999999999)}${randomInt(100, 999)}.${process.pid}`;
}

const JOB_DIR = '"${HOME:-/root}/.ansible_async"';

/** The job file's path as the node's shell expands it, printed by `start` and `poll`. */
function jobVar(jid: string): string {
  if (!/^[\w.]+$/.test(jid)) throw new PhiloteError('module-args', `'${jid}' is not an async job id`);
  return `j=${JOB_DIR}/${jid}`;
}

/** Start `command` (with its stdin) detached; returns the job file's path on the node. */
export async function startJob(conn: Connection, jid: string, command: string, options: ExecOptions, asyncSeconds: number): Promise<string> {
  if (options.stdin !== undefined && typeof options.stdin !== 'string' && !Buffer.isBuffer(options.stdin)) {
    throw new PhiloteError('module-args', 'async: this module streams a file to the node and cannot run detached');
  }
  // The script goes in the launcher as a quoted here-document (the command is sent as every node
  // script is); stdin carries only the module's own input (for a no_log task, its script too).
  const eof = `PHL_ASYNC_${randomBytes(12).toString('hex')}`;
  const input = options.stdin === undefined ? Buffer.alloc(0) : Buffer.isBuffer(options.stdin) ? options.stdin : Buffer.from(options.stdin, 'utf8');
  const launcher = String.raw`umask 077
${jobVar(jid)}
mkdir -p "$(dirname "$j")" || exit 1
cat > "$j.sh" <<'${eof}' || exit 1
${command}
${eof}
cat > "$j.in" || exit 1
printf '{"started": 1, "finished": 0, "ansible_job_id": "%s"}\n' '${jid}' > "$j"
run='j=$1; to=$2
echo $$ > "$j.pid"
if command -v timeout >/dev/null 2>&1; then timeout "$to" sh "$j.sh" < "$j.in" > "$j.out" 2> "$j.err"; rc=$?; [ "$rc" = 124 ] && : > "$j.timedout"
else sh "$j.sh" < "$j.in" > "$j.out" 2> "$j.err"; rc=$?; fi
rm -f "$j.sh" "$j.in" "$j.pid"
echo "$rc" > "$j.rc.tmp" && mv "$j.rc.tmp" "$j.rc"'
if command -v setsid >/dev/null 2>&1; then setsid sh -c "$run" phl-async "$j" ${asyncSeconds} </dev/null >/dev/null 2>&1 &
else sh -c "$run" phl-async "$j" ${asyncSeconds} </dev/null >/dev/null 2>&1 & fi
printf '%s\n' "$j"
`;
  const { stdin: _ignored, timeoutMs: _t, ...rest } = options;
  const r = await conn.exec(launcher, { ...rest, stdin: input });
  if (r.rc !== 0) throw new PhiloteError('runtime', `async: could not start the job on ${conn.host}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout.trim();
}

export interface JobState {
  finished: boolean;
  /** The job record's path on the node (Ansible's results_file). */
  path: string;
  timedOut?: boolean;
  result?: ExecResult;
}

/** One look at a job: running, or finished with its output (sent base64 so any bytes survive). */
export async function pollJob(conn: Connection, jid: string, options: Pick<ExecOptions, 'become' | 'signal'>): Promise<JobState> {
  const r = await conn.exec(
    `${jobVar(jid)}
if [ -f "$j.rc" ]; then
  printf 'done %s %s %s\\n' "$(cat "$j.rc")" "$([ -f "$j.timedout" ] && echo 1 || echo 0)" "$j"
  base64 < "$j.out" | tr -d '\\n'; echo
  base64 < "$j.err" | tr -d '\\n'; echo
elif [ -f "$j" ]; then printf 'running - - %s\\n' "$j"
else echo missing; fi
`,
    options,
  );
  const lines = r.stdout.split('\n');
  const head = (lines[0] ?? '').split(' ');
  const path = head.slice(3).join(' ');
  if (head[0] === 'running') return { finished: false, path };
  if (head[0] !== 'done') throw new PhiloteError('runtime', `could not find job ${jid} on ${conn.host}`);
  const timedOut = head[2] === '1';
  return {
    finished: true,
    path,
    timedOut,
    result: { rc: Number(head[1]), stdout: Buffer.from(lines[1] ?? '', 'base64').toString('utf8'), stderr: Buffer.from(lines[2] ?? '', 'base64').toString('utf8') },
  };
}

/** Remove a job's files (async_status mode=cleanup, and after a polled task). */
export async function cleanupJob(conn: Connection, jid: string, options: Pick<ExecOptions, 'become' | 'signal'>): Promise<string> {
  const r = await conn.exec(`${jobVar(jid)}\nrm -f "$j" "$j.out" "$j.err" "$j.rc" "$j.timedout" "$j.sh" "$j.in" "$j.pid"\nprintf '%s\\n' "$j"\n`, options);
  return r.stdout.trim();
}

/**
 * The controller gave up on a job its node has not ended yet (the limit reached on the controller's
 * clock first): stop the job's process group by the PID it recorded, then remove its files, so
 * nothing of it is left running or written later (ansible-core cleans up after polling too).
 */
export async function abandonJob(conn: Connection, jid: string, options: Pick<ExecOptions, 'become' | 'signal'>): Promise<void> {
  const script = `${jobVar(jid)}
if [ -s "$j.pid" ]; then p=$(cat "$j.pid"); kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null; fi
rm -f "$j" "$j.out" "$j.err" "$j.rc" "$j.rc.tmp" "$j.timedout" "$j.sh" "$j.in" "$j.pid"
`;
  await conn.exec(script, options);
}
