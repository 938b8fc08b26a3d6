/**
 * The persistent node shell: one session channel per host and become identity, running `sh -s`
 * (under sudo once when the task escalates), fed one frame per task on its stdin, so a task costs
 * one subshell on the node instead of an sshd session (fork, login shell, PAM, and sudo's own
 * PAM when escalating).
 *
 * A frame is one compound command, `{ ... }` and a newline, so sh has read all of it before it
 * runs any of it: the task's script as a single-quoted word (any text is a valid word once its
 * quotes are escaped, so a frame is always well formed), then `( eval "$script" )`: variables, cd,
 * traps, umask, set -e, exec and even a syntax error stay in that subshell. A task with stdin
 * first prints a ready line; only then are its exact bytes sent, read by `head -c` (which reads
 * no further than asked) and drained if the task leaves some unread, so the shell never reads
 * payload as commands. The task's stderr goes to a private file: the frame ends with
 * `\n<nonce> <status> [sig] [e]\n` on stdout, the nonce random per shell; `e` says the task wrote
 * to stderr, which then follows on the channel's stderr (cat), ended by `\n<nonce>\n`. A task with
 * no stderr (most module scripts) so costs one packet less. `sig` says the task was killed by a signal:
 * sh then names it ("Terminated") on its own stderr, kept in a private file, where its status
 * alone (128+N) cannot tell it from `exit 128+N`. Each shell first answers a probe frame with
 * stdin: a node whose sh or head cannot do this refuses the shell, and that connection
 * goes back to one exec per task.
 *
 * A shell that dies, puts its frames out of step, or outlives a task's timeout is dropped (its
 * channel killed) and the next task starts a fresh one. With become, the password is written
 * once, to sudo's prompt, never on a command line. su with a password needs a terminal: that
 * stays one exec per task.
 */
import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import type { ClientChannel } from 'ssh2';
import { PhiloteError } from '../../errors.js';
import type { BecomeSpec, ExecResult } from '../types.js';
import { becomeFailure, planBecome } from './become.js';
import { connectionTrace } from '../trace.js';

/** What ssh2 reported about the end of a channel's command. */
export interface ChannelExit {
  code?: number;
  signal?: string;
}
export type OpenChannel = (command: string) => Promise<{ ch: ClientChannel; exit: ChannelExit }>;

/** Set once per shell: the nonce, a private file, and where sh's own messages go. */
function setupText(nonce: string, fileTag: string): string {
  // fd 3 is the channel's stderr (the tasks'); the shell's own fd 2 is a file, where sh names a
  // task killed by a signal ("Terminated") whenever it prints that. The file is made by the
  // shell itself (noclobber: a new file, never someone else's; its name random, but not the
  // nonce, which a name in /tmp would show to every user): no mktemp, one process less per host.
  // The task's stderr goes to a second such file.
  return `_pl_m=${nonce}; _pl_e=\${TMPDIR:-/tmp}/.philote-sh.$$.${fileTag}; _pl_2=$_pl_e.2; set -C; { : >"$_pl_e"; : >"$_pl_2"; } 2>/dev/null || exit 97; set +C; trap 'rm -f "$_pl_e" "$_pl_2"' EXIT; trap 'exit 129' HUP; trap 'exit 143' TERM; exec 3>&2 2>>"$_pl_e"\n`;
}

/** The task's variables are the shell's own: gone before the script runs. */
const TASK_EVAL = 'eval "unset _pl_m _pl_e _pl_2 _pl_s _pl_r _pl_k _pl_x; $_pl_s"';

/** Largest stdin sent inside the frame as a here-document (kept in the node shell's memory). */
const HEREDOC_MAX = 64 * 1024;

/** How a task's stdin travels: none, inside the frame, or after the shell says it is ready. */
export type StdinMode = 'none' | 'heredoc' | 'ready';

/**
 * Text that ends with a newline, has no NUL and no line equal to the delimiter goes in the frame
 * as a quoted here-document (no round trip, nothing expanded); anything else is sent after a
 * ready line and read with `head -c`.
 */
export function stdinMode(input: Buffer, delimiter: string): StdinMode {
  if (input.length === 0) return 'none';
  if (input.length > HEREDOC_MAX || input[input.length - 1] !== 0x0a || input.includes(0)) return 'ready';
  const text = input.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(input) || text.split('\n').includes(delimiter)) return 'ready';
  return 'heredoc';
}

/**
 * One frame: the whole task as one compound command (see the file comment). The task's subshell
 * sets its own stdin and stderr (a file) with `exec` rather than with redirections written after
 * `( ... )`, which dash applies wrongly inside a redirected group.
 */
export function frameText(script: string, input: Buffer, mode: StdinMode, delimiter: string): string {
  const word = "'" + script.replace(/'/g, `'\\''`) + "'";
  let run: string;
  if (mode === 'ready') {
    run = `printf '\\n%s R\\n' "$_pl_m"; head -c ${input.length} | { (exec 2>>"$_pl_2" 3>&-; ${TASK_EVAL}); _pl_r=$?; cat >/dev/null; exit $_pl_r; }`;
  } else if (mode === 'heredoc') {
    run = `(exec 2>>"$_pl_2" 3>&- <<'${delimiter}'\n${input.toString('utf8')}${delimiter}\n${TASK_EVAL})`;
  } else run = `(exec 2>>"$_pl_2" 3>&- </dev/null; ${TASK_EVAL})`;
  return [
    `{ _pl_s=${word}`,
    `: >"$_pl_e"; : >"$_pl_2"`,
    run,
    `_pl_r=$?`,
    `if [ "$_pl_r" -gt 128 ] && [ -s "$_pl_e" ]; then _pl_k=sig; else _pl_k=; fi`,
    `if [ -s "$_pl_2" ]; then cat "$_pl_2" >&3; printf '\\n%s\\n' "$_pl_m" >&3; _pl_x=e; else _pl_x=; fi`,
    `printf '\\n%s %s %s %s\\n' "$_pl_m" "$_pl_r" "$_pl_k" "$_pl_x"`,
    `}`,
    '',
  ].join('\n');
}

/**
 * The probe: a frame with stdin read by `head -c`, as every payload sent after a ready line is.
 * Its stdin ends with a newline, so it travels as a here-document: two processes (the task's
 * subshell and head), not the five of a ready-line payload.
 */
const PROBE_STDIN = 'payload-through-frames\n';
const PROBE_SCRIPT = `printf 'probe:'; head -c ${PROBE_STDIN.length - 1}`;

/** The node cannot run the shell (no head -c, an odd sh, sessions refused): use one exec per task. */
export class ShellRefused extends Error {}

interface Pending {
  out: Buffer[];
  err: Buffer[];
  outDone?: number;
  signal?: string;
  errDone: boolean;
  /** The task's stdin, sent once the shell says it is ready to read it. */
  stdin?: Buffer;
  /** Output collected while waiting for the ready line. */
  ready?: Buffer;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
}

export class NodeShell {
  private ch?: ClientChannel;
  private exit: ChannelExit = {};
  private readonly nonce = randomBytes(16).toString('hex');
  private readonly outEnd: Buffer;
  private readonly errEnd: Buffer;
  private readonly readyLine: Buffer;
  private outTail = Buffer.alloc(0);
  private errTail = Buffer.alloc(0);
  private pending?: Pending;
  private dead = false;
  busy = false;
  /** Called once when the shell is gone. */
  onDeath?: () => void;

  constructor(
    private readonly host: string,
    private readonly become: BecomeSpec | undefined,
    /** The address the -vvvv trace names (the connection's, as ssh's own lines do). */
    private readonly traceAddress: string = host,
  ) {
    this.outEnd = Buffer.from(`\n${this.nonce} `);
    this.errEnd = Buffer.from(`\n${this.nonce}\n`);
    this.readyLine = Buffer.from(`\n${this.nonce} R\n`);
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Opens the channel, escalates once, and checks the shell with the probe frame. */
  async start(open: OpenChannel): Promise<void> {
    // sh reading its commands from stdin; under become, planBecome's `/bin/sh -c` execs it.
    const plan = this.become ? planBecome(this.become, 'exec /bin/sh -s') : undefined;
    if (plan) connectionTrace(this.traceAddress, `EXEC ${plan.shown} (the node shell)`);
    const { ch, exit } = await open(plan ? plan.command : 'exec /bin/sh -s');
    this.ch = ch;
    this.exit = exit;
    // A tick later: when the whole transport dropped, its loss (UNREACHABLE) is reported first.
    ch.on('close', () => setImmediate(() => this.die(undefined)));
    if (plan) await this.escalate(ch, plan);
    ch.on('data', (d: Buffer) => this.onOut(d));
    ch.stderr.on('data', (d: Buffer) => this.onErr(d));
    ch.write(setupText(this.nonce, randomBytes(8).toString('hex')));
    // The transport's loss stays UNREACHABLE; anything else wrong with the probe is a refusal.
    const probe = await this.run(PROBE_SCRIPT, Buffer.from(PROBE_STDIN));
    if (probe.rc !== 0 || probe.stdout !== `probe:${PROBE_STDIN.slice(0, -1)}`) {
      this.kill();
      throw new ShellRefused(`the node shell did not start on ${this.host}: probe answered rc ${probe.rc}: ${probe.stderr.trim().slice(0, 200)}`);
    }
  }

  /** sudo: answer the prompt once, then wait for the BECOME-SUCCESS marker (as an exec does). */
  private escalate(ch: ClientChannel, plan: ReturnType<typeof planBecome>): Promise<void> {
    return new Promise((resolve, reject) => {
      let out = '';
      let errText = '';
      let sent = false;
      let wrong = false;
      const cleanup = () => {
        ch.removeListener('data', onOut);
        ch.stderr.removeListener('data', onErr);
        ch.removeListener('close', onClose);
      };
      const onOut = (d: Buffer) => {
        out += d.toString('utf8');
        const at = out.indexOf(plan.marker);
        const nl = at < 0 ? -1 : out.indexOf('\n', at);
        if (nl < 0) return;
        cleanup();
        // Nothing follows the marker until the first frame: the loop prints only answers.
        resolve();
      };
      const onErr = (d: Buffer) => {
        errText += d.toString('utf8');
        if (!plan.prompt) return;
        const prompts = errText.split(plan.prompt).length - 1;
        if (prompts === 1 && !sent) {
          sent = true;
          ch.write(`${plan.password ?? ''}\n`);
        } else if (prompts > 1 || /Sorry, try again|incorrect password/i.test(errText)) {
          wrong = true;
          this.kill();
        }
      };
      const onClose = () => {
        cleanup();
        const text = plan.prompt ? errText.split(plan.prompt).join('') : errText;
        reject(new PhiloteError('become', `${becomeFailure(this.become!, text + out, wrong)} on ${this.host}`));
      };
      ch.on('data', onOut);
      ch.stderr.on('data', onErr);
      ch.on('close', onClose);
    });
  }

  /** Runs one script with its stdin; resolves with what an exec would have returned. */
  run(script: string, stdin: Buffer | undefined): Promise<ExecResult> {
    if (this.dead || !this.ch) return Promise.reject(new ShellRefused('the node shell is gone'));
    // A NUL cannot be in a shell word: such a script takes an exec channel.
    if (script.includes('\0')) return Promise.reject(new ShellRefused('a script with a NUL byte'));
    const input = stdin ?? Buffer.alloc(0);
    this.outTail = Buffer.alloc(0);
    this.errTail = Buffer.alloc(0);
    const delimiter = `_PL_${this.nonce}_EOF`;
    const mode = stdinMode(input, delimiter);
    return new Promise<ExecResult>((resolve, reject) => {
      this.pending = { out: [], err: [], errDone: false, resolve, reject, ...(mode === 'ready' ? { stdin: input, ready: Buffer.alloc(0) } : {}) };
      this.ch!.write(frameText(script, input, mode, delimiter));
    });
  }

  /** Ends an idle shell politely: end of input, so sh exits and its EXIT trap removes its folder. */
  stop(): void {
    if (this.busy || this.pending) return this.kill();
    try {
      this.ch?.end();
    } catch {
      /* already closed */
    }
    this.die(undefined);
  }

  /** Kills the shell (a timeout, an abort, a broken frame): the next task gets a fresh one. */
  kill(): void {
    if (!this.ch) return this.die(undefined);
    try {
      this.ch.signal('KILL');
    } catch {
      /* channel already gone */
    }
    try {
      this.ch.close();
    } catch {
      /* already closed */
    }
    this.die(undefined);
  }

  /** The transport or the shell went away: the running task ends as an exec whose channel closed would. */
  die(err: Error | undefined): void {
    if (this.dead) return;
    this.dead = true;
    this.onDeath?.();
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    if (err) return p.reject(err);
    p.resolve({
      rc: this.exit.code ?? -1,
      stdout: Buffer.concat(p.out).toString('utf8'),
      stderr: Buffer.concat(p.err).toString('utf8'),
      ...(this.exit.signal && this.exit.code === undefined ? { signal: this.exit.signal.startsWith('SIG') ? this.exit.signal : `SIG${this.exit.signal}` } : {}),
    });
  }

  private onOut(d: Buffer): void {
    const p = this.pending;
    if (!p || p.outDone !== undefined) {
      // Output with no task running, or after the end line: the frames are out of step.
      return this.kill();
    }
    if (p.ready) {
      const got = Buffer.concat([p.ready, d]);
      if (got.length < this.readyLine.length) {
        p.ready = got;
        return;
      }
      if (!got.subarray(0, this.readyLine.length).equals(this.readyLine)) return this.kill();
      p.ready = undefined;
      this.ch!.write(p.stdin!);
      p.stdin = undefined;
      d = got.subarray(this.readyLine.length);
      if (d.length === 0) return;
    }
    p.out.push(d);
    const joined = Buffer.concat([this.outTail, d]);
    const at = joined.lastIndexOf(this.outEnd);
    if (at >= 0) {
      const nl = joined.indexOf(0x0a, at + this.outEnd.length);
      if (nl < 0) {
        this.outTail = joined;
        return;
      }
      const [statusText, how, errFlag] = joined.subarray(at + this.outEnd.length, nl).toString('latin1').split(' ');
      const status = Number(statusText);
      if (nl !== joined.length - 1 || !Number.isInteger(status)) return this.kill();
      p.signal = how === 'sig' ? signalName(status - 128) : undefined;
      // No `e`: the task wrote nothing to stderr, and no stderr frame end follows.
      if (errFlag !== 'e') p.errDone = true;
      // Drop the end line from the collected output.
      const all = Buffer.concat(p.out);
      p.out = [all.subarray(0, all.length - (joined.length - at))];
      p.outDone = status;
      return this.settle();
    }
    this.outTail = joined.subarray(Math.max(0, joined.length - this.outEnd.length - 12));
  }

  private onErr(d: Buffer): void {
    const p = this.pending;
    if (!p || p.errDone) return this.kill();
    p.err.push(d);
    const joined = Buffer.concat([this.errTail, d]);
    if (joined.length >= this.errEnd.length && joined.subarray(joined.length - this.errEnd.length).equals(this.errEnd)) {
      const all = Buffer.concat(p.err);
      p.err = [all.subarray(0, all.length - this.errEnd.length)];
      p.errDone = true;
      return this.settle();
    }
    this.errTail = joined.subarray(Math.max(0, joined.length - this.errEnd.length));
  }

  private settle(): void {
    const p = this.pending;
    if (!p || p.outDone === undefined || !p.errDone) return;
    this.pending = undefined;
    const base = { stdout: Buffer.concat(p.out).toString('utf8'), stderr: Buffer.concat(p.err).toString('utf8') };
    // Killed by a signal: what an exec channel reports (no exit status, the signal's name).
    p.resolve(p.signal ? { rc: -1, ...base, signal: p.signal } : { rc: p.outDone, ...base });
  }
}

/** SIGTERM for 15 (os.constants.signals backwards); undefined for a number that is no signal. */
function signalName(n: number): string | undefined {
  return Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0];
}
