/**
 * OpenSSH's words for a connection that fails or drops, as ansible-playbook shows them in an
 * UNREACHABLE result: "Failed to connect to the host via ssh: " + what `ssh` printed (its lines
 * joined with \r\n). The wordings were taken from OpenSSH 9 on this machine against servers that
 * reset, close or stay silent before the banner (docs/reliability.md lists each case).
 */
import { UnreachableError } from '../../errors.js';

const PREFIX = 'Failed to connect to the host via ssh: ';

/** Where the conversation was when it failed: before the TCP connect, before the server's ident, or later. */
export type Phase = 'connect' | 'banner' | 'session';

export interface Peer {
  hostname: string;
  port: number;
}

/** Socket errnos OpenSSH names in "ssh: connect to host H port P: ...". */
const CONNECT_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ETIMEDOUT: 'Connection timed out',
};

export function unreachable(words: string, cause?: unknown): UnreachableError {
  return new UnreachableError(PREFIX + words, cause === undefined ? {} : { cause });
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException | undefined)?.code ?? '';
}

/** A failure while dialling (TCP connect or before/during the SSH handshake). */
export function dialFailureWords(p: Peer, phase: Phase, e: Error | undefined, timedOut: boolean): string | undefined {
  const code = errnoOf(e);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `ssh: Could not resolve hostname ${p.hostname}: Name or service not known`;
  // A reset means the connection was established: Node can report it before 'connect' when the
  // peer resets right after accepting, where OpenSSH's connect() had already succeeded.
  if (phase === 'connect' && code === 'ECONNRESET') phase = 'banner';
  if (phase === 'connect') {
    if (timedOut) return `ssh: connect to host ${p.hostname} port ${p.port}: Connection timed out`;
    const phrase = CONNECT_ERRORS[code];
    return phrase ? `ssh: connect to host ${p.hostname} port ${p.port}: ${phrase}` : undefined;
  }
  if (phase === 'banner') {
    if (timedOut) return `Connection timed out during banner exchange\r\nConnection to ${p.hostname} port ${p.port} timed out`;
    if (code === 'ECONNRESET') return `kex_exchange_identification: read: Connection reset by peer\r\nConnection reset by ${p.hostname} port ${p.port}`;
    return `kex_exchange_identification: Connection closed by remote host\r\nConnection closed by ${p.hostname} port ${p.port}`;
  }
  if (timedOut) return `Connection to ${p.hostname} port ${p.port} timed out`;
  return lostWords(p, e, false);
}

/** What dropped a connection: reset, closed by the peer, or silent past the keepalives (OpenSSH's own words for each). */
export function lostWords(p: Peer, e: Error | undefined, keepaliveTimeout: boolean): string {
  if (keepaliveTimeout || /keepalive timeout/i.test(e?.message ?? '')) return `Timeout, server ${p.hostname} not responding.`;
  const code = errnoOf(e);
  if (code === 'ECONNRESET') return `Connection reset by ${p.hostname} port ${p.port}`;
  if (code === 'EPIPE') return `client_loop: send disconnect: Broken pipe`;
  if (code === 'ETIMEDOUT') return `Connection to ${p.hostname} port ${p.port} timed out`;
  if (e && !code) return `ssh_dispatch_run_fatal: Connection to ${p.hostname} port ${p.port}: ${e.message}`;
  return `Connection to ${p.hostname} closed by remote host.`;
}

/**
 * An established connection lost under a running task, as ansible-playbook shows it: its command
 * runs through the ControlMaster, whose mux client says only this whatever the cause (reset,
 * keepalive timeout, sshd killed: compared on lab nodes). The cause, in `lostWords`' terms, goes to
 * the -vvvv trace.
 */
export function sharedConnectionClosedWords(p: Peer): string {
  return `Shared connection to ${p.hostname} closed.`;
}

/**
 * The server refused a session channel (MaxSessions reached or 0, a forced policy). philote keeps
 * one connection per host as ansible-playbook's ControlMaster does, so the words are those of
 * OpenSSH's mux client (compared with ansible-playbook on a node with MaxSessions 0); the second
 * line when it was the first session on a new connection.
 */
export function channelOpenWords(firstOnConnection: boolean): string {
  return `mux_client_request_session: session request failed: Session open refused by peer${firstOnConnection ? '\r\nFailed to connect to new control master' : ''}`;
}

/** "user@host: Permission denied (publickey,password)." with the methods the server offered. */
export function authFailureWords(user: string, hostname: string, offered: readonly string[] | undefined): string {
  const list = offered?.length ? offered.join(',') : 'publickey';
  return `${user}@${hostname}: Permission denied (${list}).`;
}
