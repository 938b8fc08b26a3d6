/**
 * pods/exec: `GET|POST /api/v1/namespaces/{ns}/pods/{name}/exec?command=..&container=..&stdin=..`
 * upgraded to a WebSocket that speaks the API server's channel subprotocols:
 *   v5.channel.k8s.io   kubectl 1.30+ asks for it first; v4 plus a client "close stream" frame
 *                       (channel 255, then the channel number: [255, 0] is stdin's EOF)
 *   v4.channel.k8s.io   client-node and the Python client (kubernetes.core): channel 3 carries a
 *                       metav1.Status as JSON, with the exit code in details.causes
 *   v3/v2/channel.k8s.io, and the base64 variants: channel 3 carries only a failure's message
 * Every frame is one channel byte (or an ASCII digit in base64 mode) then the payload:
 * 0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize (ignored: there is no terminal).
 * Errors found before the upgrade are answered as Status JSON with the codes a real server uses.
 *
 * Where the command runs. There are no containers here: this is the simulator's stand-in for one.
 *  - A pod on a lab node (src/lab/netns) runs the command inside that node (its network, mount
 *    and UTS namespaces, through the lab's holder process, else `ip netns exec`) as the lab's
 *    unprivileged login user, with PATH as its only environment.
 *  - Otherwise (sim-only mode, or a node with no namespace) it is a child process of the
 *    simulator in a per-pod scratch directory under the simulator's dir, with a minimal env.
 * The command is exec'd as argv, never through a shell unless it names one itself. The child
 * (its whole process group) is killed if the socket closes while it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Api } from './api.js';
import { ApiError, badRequest, pageNotFound } from './errors.js';
import type { KObject } from './types.js';

/** How the simulator enters a lab node (KubeSimNode.exec). */
export interface NodeExecTarget {
  /** The node's network namespace (`ip netns` name). */
  netns: string;
  /** PID of a process holding the node's mount/net/UTS namespaces (the lab's holder), if any. */
  holderPid?: () => number | undefined;
  /** The unprivileged login user commands run as (the lab's `phl`). */
  user: string;
  /**
   * A folder inside the node that stands in for a container image's own binaries (put before
   * PATH), e.g. the lab's `cilium-dbg` for quay.io/cilium/cilium images; undefined for none.
   */
  imageBin?: (image: string) => string | undefined;
}

export interface ExecOptions {
  api: Api;
  token: string;
  /** Scratch directories for sim-only pods go under `${dir}/exec/<namespace>/<pod>`. */
  dir: string;
  target: (nodeName: string) => NodeExecTarget | undefined;
  log?: (line: string) => void;
}

/** Subprotocols in no particular order; the client's order decides (as the API server's wsstream). */
const PROTOCOLS: Record<string, { version: number; base64: boolean }> = {
  'v5.channel.k8s.io': { version: 5, base64: false },
  'v4.channel.k8s.io': { version: 4, base64: false },
  'v3.channel.k8s.io': { version: 3, base64: false },
  'v2.channel.k8s.io': { version: 2, base64: false },
  'channel.k8s.io': { version: 1, base64: false },
  'v4.base64.channel.k8s.io': { version: 4, base64: true },
  'v3.base64.channel.k8s.io': { version: 3, base64: true },
  'v2.base64.channel.k8s.io': { version: 2, base64: true },
  'base64.channel.k8s.io': { version: 1, base64: true },
};

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const CLOSE = 255;

/** A container's PATH (what container runtimes default to). */
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const EXEC_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec\/?$/;

interface ExecRequest {
  ns: string;
  pod: KObject;
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Handles the server's 'upgrade' events; close() ends every session and its process. */
export function execUpgrades(o: ExecOptions): { handle(req: IncomingMessage, socket: Duplex, head: Buffer): void; close(): void } {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (offered) => pickProtocol([...offered]) ?? false });
  const sessions = new Set<() => void>();
  return {
    handle(req, socket, head) {
      let r: ExecRequest;
      try {
        authorize(req, o.token);
        r = validate(o.api, req);
        if (!/websocket/i.test(String(req.headers.upgrade ?? ''))) {
          // kubectl falls back to SPDY when the WebSocket upgrade fails for any other reason.
          throw badRequest(`unable to upgrade connection: the simulator speaks only WebSocket (${PROTOCOLS_LIST}), not ${req.headers.upgrade}`);
        }
        const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        if (offered.length && !pickProtocol(offered)) throw badRequest(`unable to upgrade connection: requested protocols ${offered.join(', ')} are not supported; supported: ${PROTOCOLS_LIST}`);
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
        o.log?.(`${req.method} ${req.url} ${err.code} (exec)`);
        return refuse(socket, err);
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        o.log?.(`${req.method} ${req.url} 101 (exec ${ws.protocol || 'channel.k8s.io'})`);
        const stop = runSession(o, r, ws);
        sessions.add(stop);
        ws.on('close', () => sessions.delete(stop));
      });
    },
    close() {
      for (const stop of [...sessions]) stop();
      wss.close();
    },
  };
}

const PROTOCOLS_LIST = Object.keys(PROTOCOLS).join(', ');

function pickProtocol(offered: string[]): string | undefined {
  return offered.find((p) => p in PROTOCOLS);
}

/**
 * The same rule as the REST routes: a wrong bearer token is a 401. A request without one is
 * admitted like kubectl's over plain HTTP, but exec runs commands, so only for a client process
 * of the simulator's own user (or root), found from the loopback socket's owner in /proc/net/tcp.
 */
function authorize(req: IncomingMessage, token: string): void {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    if (auth !== `Bearer ${token}`) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    return;
  }
  const uid = peerUid(req.socket.remoteAddress, req.socket.remotePort, req.socket.localPort);
  const me = process.getuid?.();
  if (uid === undefined || (uid !== me && uid !== 0)) {
    throw new ApiError(403, 'Forbidden', 'pods "exec" is forbidden: a request without a bearer token may exec only from the user that runs the simulator');
  }
}

/** Owner uid of the client end (address `addr`, port `client`) of a TCP connection to port `server`. */
function peerUid(addr: string | undefined, client: number | undefined, server: number | undefined): number | undefined {
  if (!addr || !client || !server) return undefined;
  const ip = addr.replace(/^::ffff:/, '');
  let text: string;
  try {
    // The simulator listens on 127.0.0.1 only, so its clients are IPv4 sockets.
    text = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return undefined;
  }
  // "0100007F:D431": the address as a little-endian hex word, then the port.
  const parse = (s: string): [string, number] => {
    const [a, p] = s.split(':') as [string, string];
    const bytes = (a.match(/../g) ?? []).map((h) => parseInt(h, 16)).reverse();
    return [bytes.join('.'), parseInt(p, 16)];
  };
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 8) continue;
    const [localIp, localPort] = parse(cols[1]!);
    const [, remotePort] = parse(cols[2]!);
    if (localIp === ip && localPort === client && remotePort === server) return Number(cols[7]);
  }
  return undefined;
}

type PodSpec = { nodeName?: string; containers?: Array<{ name: string; image?: string; env?: Array<{ name: string; value?: string }> }> };

/** The API server's and kubelet's checks, in their order, with their messages. */
function validate(api: Api, req: IncomingMessage): ExecRequest {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const m = EXEC_PATH.exec(url.pathname);
  if (!m) throw pageNotFound();
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  const [ns, name] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
  const pods = api.registry.find('', 'v1', 'pods')!;
  const pod = api.get(pods, ns, name); // 404 pods "x" not found
  const q = url.searchParams;
  // Go's strconv.ParseBool: the Python client sends stdout=True.
  const flag = (k: string): boolean => ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(q.get(k) ?? '');
  const spec = (pod['spec'] ?? {}) as PodSpec;
  const names = (spec.containers ?? []).map((c) => c.name);
  let container = q.get('container') ?? '';
  if (!container) {
    if (names.length !== 1) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
    container = names[0]!;
  }
  if (!names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  if (!spec.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const command = q.getAll('command');
  if (!command.length) throw badRequest('you must specify at least 1 command');
  const r: ExecRequest = { ns, pod, container, command, stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') };
  if (!r.stdin && !r.stdout && !r.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  if (pod.metadata.deletionTimestamp || phase !== 'Running') throw badRequest(`unable to upgrade connection: container not found ("${container}")`);
  return r;
}

function refuse(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.toStatus());
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed' }[err.code] ?? 'Internal Server Error';
  socket.end(`HTTP/1.1 ${err.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-cache, private\r\nConnection: close\r\n\r\n${body}`);
}

/** argv, cwd and env of the process that stands in for the container. */
function processFor(o: ExecOptions, r: ExecRequest): { argv: string[]; cwd: string; env: Record<string, string> } {
  const spec = (r.pod['spec'] ?? {}) as PodSpec;
  const t = o.target(spec.nodeName!);
  const holder = t?.holderPid?.();
  const image = spec.containers?.find((x) => x.name === r.container)?.image ?? '';
  const imageBin = t?.imageBin?.(image);
  const nodePath = imageBin ? `${imageBin}:${PATH}` : PATH;
  if (t && holder && existsSync(`/proc/${holder}/ns/net`)) {
    // The node's own /etc (where its login user exists) is in the holder's mount namespace.
    const asUser = ['setpriv', `--reuid=${t.user}`, `--regid=${t.user}`, '--init-groups', '--'];
    return { argv: ['nsenter', '-t', String(holder), '-m', '-n', '-u', '--wd=/', '--', ...asUser, ...r.command], cwd: '/', env: { PATH: nodePath } };
  }
  if (t && existsSync(`/run/netns/${t.netns}`)) {
    const asUser = ['setpriv', `--reuid=${t.user}`, `--regid=${t.user}`, '--clear-groups', '--'];
    return { argv: ['ip', 'netns', 'exec', t.netns, ...asUser, ...r.command], cwd: '/', env: { PATH: nodePath } };
  }
  const name = r.pod.metadata.name!;
  const cwd = join(o.dir, 'exec', r.ns, name);
  mkdirSync(cwd, { recursive: true });
  const c = spec.containers?.find((x) => x.name === r.container);
  const fromSpec = Object.fromEntries((c?.env ?? []).filter((e) => typeof e.value === 'string').map((e) => [e.name, e.value!]));
  return { argv: r.command, cwd, env: { PATH, HOSTNAME: name, HOME: cwd, ...fromSpec } };
}

function runSession(o: ExecOptions, r: ExecRequest, ws: WebSocket): () => void {
  const proto = PROTOCOLS[ws.protocol] ?? PROTOCOLS['channel.k8s.io']!;
  const send = (channel: number, data: Buffer | string): void => {
    if (ws.readyState !== ws.OPEN) return;
    const payload = typeof data === 'string' ? Buffer.from(data) : data;
    if (proto.base64) ws.send(String(channel) + payload.toString('base64'));
    else ws.send(Buffer.concat([Buffer.from([channel]), payload]));
  };
  const p = processFor(o, r);
  let child: ChildProcess;
  let finished = false;
  const finish = (status: ExecStatus): void => {
    if (finished) return;
    finished = true;
    const text = statusText(proto.version, status, r.command);
    if (text) send(ERROR, text);
    if (ws.readyState === ws.OPEN) ws.close(1000);
  };
  try {
    // detached: the child leads its own process group, so closing the socket ends its children too.
    child = spawn(p.argv[0]!, p.argv.slice(1), {
      cwd: p.cwd,
      env: p.env,
      detached: true,
      stdio: [r.stdin ? 'pipe' : 'ignore', r.stdout || r.tty ? 'pipe' : 'ignore', r.stderr || r.tty ? 'pipe' : 'ignore'],
    });
  } catch (e) {
    finish({ error: (e as Error).message });
    return () => ws.terminate();
  }
  // With tty=true a terminal would merge both streams; there is no pty here, only that merge.
  child.stdout?.on('data', (d: Buffer) => send(STDOUT, d));
  child.stderr?.on('data', (d: Buffer) => send(r.tty ? STDOUT : STDERR, d));
  child.stdin?.on('error', () => undefined); // EPIPE when the command exits before reading
  child.on('error', (e: NodeJS.ErrnoException) => {
    finish({ error: e.code === 'ENOENT' ? `exec: "${r.command[0]}": executable file not found in $PATH` : e.message });
  });
  let ended = false;
  child.on('close', (code, signal) => {
    ended = true;
    finish({ rc: code ?? 128 + signalNumber(signal) });
  });
  ws.on('message', (data: RawData, isBinary: boolean) => {
    let buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (proto.base64 && !isBinary) buf = Buffer.concat([Buffer.from([Number(String.fromCharCode(buf[0] ?? 48))]), Buffer.from(buf.subarray(1).toString(), 'base64')]);
    if (!buf.length) return;
    const channel = buf[0]!;
    if (channel === STDIN) child.stdin?.write(buf.subarray(1));
    else if (channel === CLOSE && proto.version >= 5 && buf[1] === STDIN) child.stdin?.end();
  });
  // Until the command has ended (exited and its output closed), the socket going away ends its
  // whole group; after that, what it left running in the background stays, as in a container.
  const kill = (): void => {
    if (child.pid && !ended) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
  };
  ws.on('close', kill);
  ws.on('error', kill);
  return () => {
    kill();
    ws.terminate();
  };
}

type ExecStatus = { rc: number } | { error: string };

/** What goes on channel 3: kubelet's Status for v4+, only a failure's message before. */
function statusText(version: number, s: ExecStatus, command: string[]): string | undefined {
  let status: Record<string, unknown>;
  if ('rc' in s && s.rc === 0) status = { metadata: {}, status: 'Success' };
  else if ('rc' in s) {
    status = {
      metadata: {},
      status: 'Failure',
      // Go's %v of the argv, as the CRI's ExitError reads
      message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${s.rc}`,
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: String(s.rc) }] },
    };
  } else {
    const msg = `error executing command in container: failed to exec in container: ${s.error}`;
    status = { metadata: {}, status: 'Failure', message: `Internal error occurred: ${msg}`, reason: 'InternalError', details: { causes: [{ message: msg }] }, code: 500 };
  }
  if (version >= 4) return JSON.stringify(status);
  return status['status'] === 'Success' ? undefined : String(status['message']);
}

/** A command killed by a signal reports 128 + its number, as a container runtime does. */
function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (constants.signals[signal] ?? 0) : 0;
}
