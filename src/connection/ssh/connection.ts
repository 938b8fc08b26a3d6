/**
 * SshConnection: one persistent ssh2 connection per host, one channel per exec, SFTP on the
 * same connection for put/get. Dialled on first use; after the host drops (or reset()), the
 * next exec dials again, which is what the reboot module needs.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable, type Duplex, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import PQueue from 'p-queue';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import { PhiloteError, UnreachableError } from '../../errors.js';
import { shellQuote } from '../../values/shell-quote.js';
import type { BecomeSpec, Connection, ExecOptions, ExecResult, PutOptions } from '../types.js';
import { envPrefix } from '../wrap.js';
import { becomeFailure, planBecome, type BecomePlan } from './become.js';
import { dial, type Dialed } from './dial.js';
import { channelOpenWords, lostWords, sharedConnectionClosedWords, unreachable } from './openssh-words.js';
import { withRemoteTimeout } from './remote-timeout.js';
import type { SshTarget } from './target.js';
import { connectionTrace } from '../trace.js';
import { nodeShellEnabled } from '../node-shell-setting.js';
import { NodeShell, ShellRefused } from './node-shell.js';

/** How long past a task's timeout the node shell may take to report the node's own kill. */
const SHELL_TIMEOUT_GRACE_MS = 2000;

/**
 * How long a polite close (SSH disconnect + FIN) may take before the socket is destroyed: a
 * partitioned host never answers the FIN, and its socket would keep the process alive after the recap.
 */
const CLOSE_GRACE_MS = 1000;

/**
 * Ends the client: our SSH disconnect and FIN are handed to the kernel, then the socket is let go.
 * Waiting for the server's own FIN as well cost ~100 ms at the end of every run at 32 hosts (each
 * sshd tears its session down on a busy machine) and changes nothing on the node: the shell's
 * input is closed either way, so it ends and its EXIT trap removes its folder. `ms` bounds a
 * socket that cannot even flush (a partitioned host).
 */
function endWithin(client: Client, ms: number): Promise<void> {
  return new Promise((resolve) => {
    // ssh2 keeps its socket private; it is the one place that knows when our last bytes left.
    const sock = (client as unknown as { _sock?: Duplex })._sock;
    let done = false;
    const letGo = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock?.destroy();
      client.destroy();
      resolve();
    };
    const timer = setTimeout(letGo, ms);
    client.once('close', letGo);
    client.on('error', () => undefined);
    sock?.once('finish', letGo);
    try {
      client.end();
    } catch {
      letGo();
    }
    // Written straight into the kernel (the usual case): nothing of ours is left to wait for.
    if (sock && sock.writableLength === 0) letGo();
  });
}

/** OpenSSH's default MaxSessions is 10 channels per connection. */
const MAX_CHANNELS = 10;

/** What ssh2 reported about the end of a channel's command. */
interface ChannelExit {
  code?: number;
  signal?: string;
}

interface ChannelRun {
  stdin?: string | Buffer | Readable;
  stdoutSink?: Writable;
  plan?: BecomePlan;
  become?: BecomeSpec;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class SshConnection implements Connection {
  readonly kind = 'ssh' as const;
  readonly host: string;
  private dialed?: Promise<Dialed>;
  private sftpP?: Promise<SFTPWrapper>;
  private closed = false;
  /** Why the transport last dropped (cleared by the next successful dial): turns a failed SFTP transfer into UNREACHABLE. */
  private loss?: UnreachableError;
  /** Session channels opened on the current transport (a refusal of the first is worded apart). */
  private channelsOpened = 0;
  private readonly queue = new PQueue({ concurrency: MAX_CHANNELS });
  /** Persistent node shells by become identity (node-shell.ts). */
  private readonly shells = new Map<string, { shell: NodeShell; started: Promise<void> }>();
  /** The node could not run a node shell: one exec per task for the rest of the run. */
  private shellRefused = false;
  /** Rejecters of in-flight channels, called when the transport dies under them. */
  private readonly inflight = new Set<(e: Error) => void>();

  constructor(private readonly target: SshTarget) {
    this.host = target.host;
  }

  /** Dials now (the pool does this so an unreachable host fails at get()). */
  async open(): Promise<void> {
    await this.client();
  }

  private client(): Promise<Client> {
    if (this.closed) return Promise.reject(new UnreachableError(`connection to ${this.host} was closed`));
    if (!this.dialed) {
      const p = dial(this.target);
      this.dialed = p;
      p.then(
        (d) => {
          this.loss = undefined;
          this.channelsOpened = 0;
          const lost = (e: Error | undefined) => {
            if (this.dialed !== p) return;
            this.dialed = undefined;
            this.sftpP = undefined;
            d.release();
            // The first event names the cause (reset, keepalive timeout); the 'close' after it adds nothing.
            connectionTrace(this.target.hostname, `SSH: connection lost: ${lostWords(this.target, e, false)}`);
            const err = unreachable(sharedConnectionClosedWords(this.target), e);
            this.loss = err;
            for (const r of this.inflight) r(err);
            // A socket that died mid-handshake of a close can stay half-open: drop it for good.
            d.client.destroy();
          };
          d.client.on('error', (e: Error) => lost(e));
          d.client.on('close', () => lost(undefined));
        },
        () => {
          if (this.dialed === p) this.dialed = undefined;
        },
      );
    }
    return this.dialed.then((d) => d.client);
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.queue.add(() => this.execNow(command, options)) as Promise<ExecResult>;
  }

  private async execNow(command: string, options: ExecOptions, stdoutSink?: Writable): Promise<ExecResult> {
    if (!stdoutSink && this.shellFits(options)) {
      const shell = await this.shellFor(options.become);
      if (shell) return this.runInShell(shell, command, options);
    }
    let inner = options.timeoutMs ? withRemoteTimeout(command, options.timeoutMs) : command;
    inner = envPrefix(options.env) + inner;
    const plan = options.become ? planBecome(options.become, inner) : undefined;
    if (plan) connectionTrace(this.target.hostname, `EXEC ${plan.shown}`);
    const full = plan ? plan.command : inner;
    return this.runChannel(full, { stdin: options.stdin, stdoutSink, plan, become: options.become, timeoutMs: options.timeoutMs, signal: options.signal });
  }

  /**
   * The exit listener is attached inside ssh2's callback, synchronously: a fast command's output,
   * exit-status and close can arrive in the same packet as the exec reply, and ssh2 emits 'exit'
   * while parsing it, before an awaiting caller would get to listen (the status was then lost).
   */
  private async openChannel(client: Client, command: string, pty: boolean): Promise<{ ch: ClientChannel; exit: ChannelExit }> {
    return new Promise((resolve, reject) => {
      const cb = (err: Error | undefined, ch: ClientChannel) => {
        if (err) return reject(this.channelError(err));
        this.channelsOpened++;
        // From the start, not only once stdin flows: a channel error while sudo still prompts
        // must not be an unhandled 'error' (the transport's own loss is reported by `lost`).
        ch.on('error', () => undefined);
        const exit: ChannelExit = {};
        ch.on('exit', (c: number | null, sig?: string) => {
          if (typeof c === 'number') exit.code = c;
          if (sig) exit.signal = sig;
        });
        resolve({ ch, exit });
      };
      try {
        connectionTrace(this.target.hostname, `SSH: channel open: exec${pty ? ' with a pty' : ''} (command of ${Buffer.byteLength(command)} bytes)`);
        if (pty) client.exec(command, { pty: { term: 'dumb', rows: 24, cols: 200 } }, cb);
        else client.exec(command, cb);
      } catch (e) {
        // ssh2 throws "Not connected" synchronously when the socket died since the last exec.
        reject(this.channelError(e as Error));
      }
    });
  }

  /** A channel that could not be opened: the transport died under it, or the server refused it (MaxSessions...). */
  private channelError(err: Error): UnreachableError {
    if (this.loss) return this.loss;
    if (/No response from server|Not connected/i.test(err.message)) return unreachable(sharedConnectionClosedWords(this.target), err);
    return unreachable(channelOpenWords(this.channelsOpened === 0), err);
  }

  private async runChannel(command: string, r: ChannelRun): Promise<ExecResult> {
    const client = await this.client();
    const { ch, exit } = await this.openChannel(client, command, r.plan?.pty ?? false);
    return new Promise<ExecResult>((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let escalating = !!r.plan;
      let pending = Buffer.alloc(0);
      let errText = '';
      let sentPassword = false;
      let wrongPassword = false;
      let timedOut = false;
      let done = false;
      let timer: NodeJS.Timeout | undefined;

      const finish = (fn: () => void) => {
        if (done) return;
        done = true;
        if (timer) clearTimeout(timer);
        this.inflight.delete(onLost);
        r.signal?.removeEventListener('abort', kill);
        fn();
      };
      const onLost = (e: Error) => finish(() => reject(e));
      this.inflight.add(onLost);

      const kill = () => {
        try {
          ch.signal('KILL');
        } catch {
          /* channel already gone */
        }
        ch.close();
      };
      if (r.timeoutMs) {
        timer = setTimeout(() => {
          timedOut = true;
          kill();
        }, r.timeoutMs);
      }
      r.signal?.addEventListener('abort', kill, { once: true });

      const emitOut = (d: Buffer) => {
        if (r.stdoutSink) {
          if (!r.stdoutSink.write(d)) {
            ch.pause();
            r.stdoutSink.once('drain', () => ch.resume());
          }
        } else out.push(d);
      };

      const startStdin = () => {
        const s = r.stdin;
        ch.on('error', () => undefined);
        if (s === undefined) ch.end();
        else if (typeof s === 'string' || Buffer.isBuffer(s)) ch.end(s);
        else {
          s.on('error', () => ch.end());
          s.pipe(ch);
        }
      };

      const plan = r.plan;
      ch.on('data', (d: Buffer) => {
        if (!escalating) return emitOut(d);
        pending = Buffer.concat([pending, d]);
        const text = pending.toString('utf8');
        if (plan?.pty && plan.prompt && !sentPassword && text.includes(plan.prompt)) {
          sentPassword = true;
          pending = Buffer.alloc(0);
          ch.write(`${plan.password ?? ''}\n`);
          return;
        }
        const at = text.indexOf(plan!.marker);
        if (at < 0) {
          if (plan?.pty && sentPassword && /failure|incorrect|authentication/i.test(text)) {
            wrongPassword = true;
            errText += text;
            kill();
          }
          return;
        }
        const nl = text.indexOf('\n', at);
        if (nl < 0) return;
        escalating = false;
        const rest = Buffer.from(text.slice(nl + 1), 'utf8');
        pending = Buffer.alloc(0);
        if (rest.length) emitOut(rest);
        startStdin();
      });
      ch.stderr.on('data', (d: Buffer) => {
        if (!escalating || !plan?.prompt || plan.pty) {
          if (escalating) errText += d.toString('utf8');
          return err.push(d);
        }
        errText += d.toString('utf8');
        const promptCount = errText.split(plan.prompt).length - 1;
        if (promptCount === 1 && !sentPassword) {
          sentPassword = true;
          ch.write(`${plan.password ?? ''}\n`);
        } else if (promptCount > 1 || /Sorry, try again|incorrect password/i.test(errText)) {
          // A second prompt means the password was refused: stop now rather than wait for stdin.
          wrongPassword = true;
          kill();
        }
      });
      const started = Date.now();
      ch.on('close', () => {
        const code = exit.code;
        const exitSignal = exit.signal;
        // The node's `timeout -s KILL` may beat our timer by a few ms, and the channel may then close
        // with no exit status at all (the lab's relay, a busy sshd): that is still a task timeout.
        if (r.timeoutMs && !timedOut && Date.now() - started >= r.timeoutMs - 200 && (exitSignal === 'KILL' || code === 137 || code === 124 || code === undefined)) timedOut = true;
        if (escalating && r.become && !timedOut) {
          const text = plan?.prompt ? errText.split(plan.prompt).join('') : errText;
          return finish(() => reject(new PhiloteError('become', `${becomeFailure(r.become!, text + pending.toString('utf8'), wrongPassword)} on ${this.host}`)));
        }
        finish(() =>
          resolve({
            rc: timedOut ? -1 : (code ?? -1),
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
            ...(timedOut ? { timedOut } : {}),
            ...(exitSignal && code === undefined ? { signal: exitSignal.startsWith('SIG') ? exitSignal : `SIG${exitSignal}` } : {}),
          }),
        );
      });
      if (!escalating) startStdin();
    });
  }

  /** Tasks the node shell can carry: stdin known in full, and no su password (su wants a terminal). */
  private shellFits(o: ExecOptions): boolean {
    if (!nodeShellEnabled() || this.shellRefused) return false;
    if (o.stdin !== undefined && typeof o.stdin !== 'string' && !Buffer.isBuffer(o.stdin)) return false;
    return !(o.become?.method === 'su' && o.become.password !== undefined);
  }

  /**
   * The idle shell for this become identity, started on first use; undefined when it is busy
   * (the task then takes an exec channel of its own) or the node refuses it (from then on, every
   * task does). A become failure is the task's error, as with an exec.
   */
  private async shellFor(become: BecomeSpec | undefined): Promise<NodeShell | undefined> {
    // The password is part of the identity (a shell escalated with one password is not another's), hashed.
    const pw = become?.password === undefined ? '' : createHash('sha256').update(become.password).digest('hex');
    const key = become ? `${become.method}\0${become.user}\0${become.exe ?? ''}\0${become.flags ?? ''}\0${pw}` : '';
    let entry = this.shells.get(key);
    if (entry && !entry.shell.alive) entry = undefined;
    if (entry?.shell.busy) return undefined;
    if (!entry) {
      const shell = new NodeShell(this.host, become, this.target.hostname);
      shell.busy = true;
      entry = { shell, started: this.startShell(shell) };
      this.shells.set(key, entry);
    } else entry.shell.busy = true;
    try {
      await entry.started;
      return entry.shell;
    } catch (e) {
      entry.shell.busy = false;
      if (this.shells.get(key) === entry) this.shells.delete(key);
      if (e instanceof ShellRefused) {
        this.shellRefused = true;
        connectionTrace(this.target.hostname, `SSH: node shell refused, one exec per task from now on: ${e.message}`);
        return undefined;
      }
      throw e;
    }
  }

  private async startShell(shell: NodeShell): Promise<void> {
    const client = await this.client();
    const onLost = (e: Error) => shell.die(e);
    this.inflight.add(onLost);
    try {
      await shell.start(async (command) => {
        try {
          return await this.openChannel(client, command, false);
        } catch (e) {
          // A refused session is a node's answer for the exec too: let the exec report it in its words.
          throw e instanceof UnreachableError && !this.loss ? new ShellRefused(e.message) : e;
        }
      });
    } catch (e) {
      this.inflight.delete(onLost);
      shell.kill();
      throw e;
    }
    shell.onDeath = () => this.inflight.delete(onLost);
    if (!shell.alive) this.inflight.delete(onLost);
  }

  private async runInShell(shell: NodeShell, command: string, options: ExecOptions): Promise<ExecResult> {
    const timeoutMs = options.timeoutMs;
    const inner = envPrefix(options.env) + (timeoutMs ? withRemoteTimeout(command, timeoutMs) : command);
    const stdin = options.stdin === undefined ? undefined : Buffer.isBuffer(options.stdin) ? options.stdin : Buffer.from(options.stdin as string, 'utf8');
    let timedOut = false;
    // The node's own `timeout` ends the task and keeps the shell; this timer is for a node that
    // does not (no timeout program, a task stuck in the kernel): it drops the shell.
    const timer = timeoutMs ? setTimeout(() => ((timedOut = true), shell.kill()), timeoutMs + SHELL_TIMEOUT_GRACE_MS) : undefined;
    const abort = () => shell.kill();
    options.signal?.addEventListener('abort', abort, { once: true });
    const started = Date.now();
    try {
      const res = await shell.run(inner, stdin);
      if (timeoutMs && (timedOut || (Date.now() - started >= timeoutMs - 200 && (res.signal === 'SIGKILL' || res.rc === 137 || res.rc === 124)))) {
        const { signal: _signal, ...rest } = res;
        return { ...rest, rc: -1, timedOut: true };
      }
      return res;
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', abort);
      shell.busy = false;
    }
  }

  private sftp(): Promise<SFTPWrapper> {
    if (!this.sftpP) {
      const p = this.client().then(
        (c) =>
          new Promise<SFTPWrapper>((resolve, reject) => {
            connectionTrace(this.target.hostname, 'SSH: channel open: sftp');
            c.sftp((e, s) => (e ? reject(new UnreachableError(`cannot open SFTP on ${this.host}: ${e.message}`, { cause: e })) : resolve(s)));
          }),
      );
      this.sftpP = p;
      p.catch(() => {
        if (this.sftpP === p) this.sftpP = undefined;
      });
    }
    return this.sftpP;
  }

  async put(source: string | Buffer, remotePath: string, options: PutOptions = {}): Promise<void> {
    const input = () => (typeof source === 'string' ? createReadStream(source, { highWaterMark: 256 * 1024 }) : Readable.from([source]));
    if (options.become) {
      // SFTP runs as the login user; an escalated write streams through `cat` under become.
      const mode = options.mode !== undefined ? ` && chmod ${options.mode.toString(8)} ${shellQuote(remotePath)}` : '';
      const res = await this.exec(`cat > ${shellQuote(remotePath)}${mode}`, { stdin: input(), become: options.become });
      if (res.rc !== 0) throw new PhiloteError('connection', `copying to ${remotePath} on ${this.host} failed: ${res.stderr.trim()}`);
      return;
    }
    const sftp = await this.sftp();
    try {
      await pipeline(input(), sftp.createWriteStream(remotePath, options.mode !== undefined ? { mode: options.mode } : {}));
      if (options.mode !== undefined) {
        await new Promise<void>((res, rej) => sftp.chmod(remotePath, options.mode!, (e) => (e ? rej(e) : res())));
      }
    } catch (e) {
      if (this.loss) throw this.loss;
      if (e instanceof PhiloteError) throw e;
      throw new PhiloteError('connection', `copying to ${remotePath} on ${this.host} failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async get(remotePath: string, localPath: string, options: { become?: BecomeSpec } = {}): Promise<void> {
    if (options.become) {
      const sink = createWriteStream(localPath);
      const res = await this.queue.add(() => this.execNow(`cat ${shellQuote(remotePath)}`, { become: options.become }, sink));
      await new Promise<void>((r) => sink.end(() => r()));
      if (!res || res.rc !== 0) throw new PhiloteError('connection', `fetching ${remotePath} from ${this.host} failed: ${res?.stderr.trim()}`);
      return;
    }
    const sftp = await this.sftp();
    try {
      await pipeline(sftp.createReadStream(remotePath), createWriteStream(localPath));
    } catch (e) {
      if (this.loss) throw this.loss;
      throw new PhiloteError('connection', `fetching ${remotePath} from ${this.host} failed: ${(e as Error).message}`, { cause: e });
    }
  }

  async reset(): Promise<void> {
    for (const { shell } of this.shells.values()) shell.stop();
    this.shells.clear();
    const d = this.dialed;
    this.dialed = undefined;
    this.sftpP = undefined;
    if (d) {
      const dd = await d.catch(() => undefined);
      if (dd) {
        await endWithin(dd.client, CLOSE_GRACE_MS);
        dd.release();
      }
    }
  }

  async close(): Promise<void> {
    await this.reset();
    this.closed = true;
  }
}
