/**
 * The persistent node shell: one session channel per host and become identity, running `sh`
 * (under sudo once when the task escalates), that reads framed scripts on stdin and writes framed
 * results, so a task costs a subshell on the node instead of an sshd session (fork, login shell,
 * PAM, and sudo's own PAM when escalating).
 *
 * A frame is a header line `T <script bytes> <stdin bytes>` followed by the script and the
 * task's stdin. The shell reads the script with `head -c` (which reads no further than asked),
 * runs it in a subshell (`( eval ... )`: variables, cd, traps, umask, set -e and exec stay in
 * it), feeds it exactly its stdin bytes (drained if the task leaves some unread, so the next
 * header is never misread), then writes `\n<nonce> <status>\n` on stdout and `\n<nonce>\n` on
 * stderr. The nonce is random per shell. Each shell first answers a probe frame (a script and a
 * payload whose echo is known): a node whose `sh`/`head` cannot do this refuses the shell, and its
 * connection goes back to one exec per task.
 *
 * A shell that dies, breaks a frame, or outlives a task's timeout is dropped (its channel killed)
 * and the next task starts a fresh one. With become, the password is written once, to sudo's
 * prompt, never on a command line. su with a password needs a terminal: that stays one exec per task.
 */
import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import type { ClientChannel } from 'ssh2';
import { PhiloteError } from '../../errors.js';
import type { BecomeSpec, ExecResult } from '../types.js';
import { becomeFailure, planBecome } from './become.js';

/** What ssh2 reported about the end of a channel's command. */
export interface ChannelExit {
  code?: number;
  signal?: string;
}
export type OpenChannel = (command: string) => Promise<{ ch: ClientChannel; exit: ChannelExit }>;

/** The loop the node runs. Its variables start with _pl_ and are unset in each task's subshell. */
function loopProgram(nonce: string): string {
  const task = 'eval "unset _pl_o _pl_n _pl_p _pl_m _pl_s _pl_r _pl_k; $_pl_s"';
  return [
    `_pl_m=${nonce}`,
    // fd 4: the channel's stdout, for the task while the loop captures its own stderr.
    `exec 4>&1`,
    // The header; a short or garbled one ends the shell (the controller sees it close).
    `while IFS=' ' read -r _pl_o _pl_n _pl_p; do`,
    `case $_pl_o in T) ;; *) exit 0 ;; esac`,
    `_pl_s=$(head -c "$_pl_n") || exit 98`,
    // The task runs in a subshell, its stdout on fd 4 and its stderr on the channel's (fd 3);
    // what the loop's sh itself says meanwhile is captured: it names a task killed by a signal
    // ("Terminated", "Killed"), which its status alone (128+N) cannot tell from \`exit 128+N\`.
    `_pl_k=$({ if [ "$_pl_p" = 0 ]; then (${task}) </dev/null 2>&3 3>&- 4>&-`,
    `else head -c "$_pl_p" | { (${task}) 2>&3 3>&- 4>&-; _pl_r=$?; cat >/dev/null; exit $_pl_r; }; fi; } 3>&2 2>&1 >&4)`,
    `_pl_r=$?`,
    `if [ -n "$_pl_k" ] && [ "$_pl_r" -gt 128 ]; then _pl_k=sig; else _pl_k=; fi`,
    `printf '\\n%s\\n' "$_pl_m" >&2`,
    `printf '\\n%s %s %s\\n' "$_pl_m" "$_pl_r" "$_pl_k"`,
    `done`,
  ].join('\n');
}

const PROBE_SCRIPT = "printf 'probe:'; cat";
const PROBE_STDIN = 'payload-through-frames';

/** The node cannot run the shell (no head -c, an odd sh, sessions refused): use one exec per task. */
export class ShellRefused extends Error {}

interface Pending {
  out: Buffer[];
  err: Buffer[];
  outDone?: number;
  signal?: string;
  errDone: boolean;
  resolve: (r: ExecResult) => void;
  reject: (e: Error) => void;
}

export class NodeShell {
  private ch?: ClientChannel;
  private exit: ChannelExit = {};
  private readonly nonce = randomBytes(16).toString('hex');
  private readonly outEnd: Buffer;
  private readonly errEnd: Buffer;
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
  ) {
    this.outEnd = Buffer.from(`\n${this.nonce} `);
    this.errEnd = Buffer.from(`\n${this.nonce}\n`);
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Opens the channel, escalates once, and checks the shell with the probe frame. */
  async start(open: OpenChannel): Promise<void> {
    const program = loopProgram(this.nonce);
    // Under become, planBecome's `/bin/sh -c` runs the loop; without, the login shell execs sh.
    const plan = this.become ? planBecome(this.become, program) : undefined;
    const { ch, exit } = await open(plan ? plan.command : `exec /bin/sh -c ${shQuote(program)}`);
    this.ch = ch;
    this.exit = exit;
    // A tick later: when the whole transport dropped, its loss (UNREACHABLE) is reported first.
    ch.on('close', () => setImmediate(() => this.die(undefined)));
    if (plan) await this.escalate(ch, plan);
    ch.on('data', (d: Buffer) => this.onOut(d));
    ch.stderr.on('data', (d: Buffer) => this.onErr(d));
    // The transport's loss stays UNREACHABLE; anything else wrong with the probe is a refusal.
    const probe = await this.run(PROBE_SCRIPT, Buffer.from(PROBE_STDIN));
    if (probe.rc !== 0 || probe.stdout !== `probe:${PROBE_STDIN}`) {
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
    const body = Buffer.from(script, 'utf8');
    const input = stdin ?? Buffer.alloc(0);
    this.outTail = Buffer.alloc(0);
    this.errTail = Buffer.alloc(0);
    return new Promise<ExecResult>((resolve, reject) => {
      this.pending = { out: [], err: [], errDone: false, resolve, reject };
      const ch = this.ch!;
      const head = Buffer.from(`T ${body.length} ${input.length}\n`);
      // One write, so a small task is one SSH packet; a large stdin is not copied to join it.
      if (input.length <= 64 * 1024) ch.write(Buffer.concat([head, body, input]));
      else {
        ch.write(Buffer.concat([head, body]));
        ch.write(input);
      }
    });
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
    p.out.push(d);
    const joined = Buffer.concat([this.outTail, d]);
    const at = joined.lastIndexOf(this.outEnd);
    if (at >= 0) {
      const nl = joined.indexOf(0x0a, at + this.outEnd.length);
      if (nl < 0) {
        this.outTail = joined;
        return;
      }
      const [statusText, how] = joined.subarray(at + this.outEnd.length, nl).toString('latin1').split(' ');
      const status = Number(statusText);
      if (nl !== joined.length - 1 || !Number.isInteger(status)) return this.kill();
      p.signal = how === 'sig' ? signalName(status - 128) : undefined;
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

/** Single quotes for sh (the program has no single quote of its own but stays safe either way). */
function shQuote(s: string): string {
  return "'" + s.replace(/'/g, `'"'"'`) + "'";
}
