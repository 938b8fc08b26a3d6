/**
 * Opens one authenticated ssh2 Client for a target: host key checked against known_hosts
 * before any credential is sent, bastion hops (ProxyJump) dialled first and shared between
 * targets, connect timeout, keepalives, and retries with backoff for network failures only.
 */
import type { Duplex } from 'node:stream';
import ssh2, { type AnyAuthMethod, type Client as ClientT, type ConnectConfig } from 'ssh2';
import { PhiloteError, UnreachableError } from '../../errors.js';
import { authMethods } from './auth.js';
import { authFailureWords, dialFailureWords, unreachable, type Phase } from './openssh-words.js';
import { addKnownHost, checkHostKey, fingerprint, hostKeyName, knownKeyTypes } from './known-hosts.js';
import type { SshTarget } from './target.js';
import { connectionTrace } from '../trace.js';

// ssh2 is CommonJS: take the class from the default import so ESM resolution never depends on lexer guesses.
const { Client } = ssh2;
type Client = ClientT;

const HOSTKEY_ALGOS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

function describe(t: SshTarget): string {
  return `${t.user}@${t.hostname}:${t.port}`;
}

/** Checks the presented key; returns an error to refuse with, or undefined to go on. */
async function verifyHostKey(t: SshTarget, blob: Buffer): Promise<UnreachableError | undefined> {
  if (t.strict === 'off') return undefined;
  const name = hostKeyName(t.hostname, t.port);
  const verdict = await checkHostKey(t.knownHostsFiles, name, blob);
  const fp = fingerprint(blob);
  const files = t.knownHostsFiles.slice(0, -1).join(' or ') || t.knownHostsFiles.join(' or ');
  switch (verdict.status) {
    case 'match':
      return undefined;
    case 'revoked':
      return new UnreachableError(`host key for ${name} (${fp}) is marked @revoked in ${verdict.known.file}:${verdict.known.line}`, { hostKey: true });
    case 'changed':
      if (t.strict === 'no') return undefined;
      return new UnreachableError(
        `REMOTE HOST IDENTIFICATION HAS CHANGED for ${name} (host ${t.host}): it offered ${fp}, but ${verdict.known.file}:${verdict.known.line} has a different key. ` +
          `If the host was reinstalled, remove the old key with: ssh-keygen -R '${name}' -f ${verdict.known.file}`,
        { hostKey: true },
      );
    case 'unknown':
      if ((t.strict === 'accept-new' || t.strict === 'no') && t.knownHostsWrite) {
        await addKnownHost(t.knownHostsWrite, name, blob);
        return undefined;
      }
      if (t.strict === 'no') return undefined;
      return new UnreachableError(
        `host key for ${name} (host ${t.host}) is not known: it offered ${fp}, which is not in ${files}. ` +
          `Verify it and add it (ssh-keyscan -p ${t.port} ${t.hostname} >> ${t.knownHostsWrite ?? '~/.ssh/known_hosts'}), or set StrictHostKeyChecking=accept-new`,
        { hostKey: true },
      );
  }
}

function isNetworkError(e: unknown): boolean {
  if (e instanceof PhiloteError) return e.kind === 'connection' && !/authenticat|Permission denied|key/i.test(e.message);
  return true;
}

async function connectOnce(t: SshTarget, sock?: Duplex): Promise<Client> {
  const methods = await authMethods(t);
  const known = await knownKeyTypes(t.knownHostsFiles, hostKeyName(t.hostname, t.port)).catch(() => []);
  const preferred = known.flatMap((k) => HOSTKEY_ALGOS[k] ?? []);
  let refusal: UnreachableError | undefined;
  const config: ConnectConfig = {
    host: t.hostname,
    port: t.port,
    username: t.user,
    sock,
    readyTimeout: t.connectTimeoutMs,
    keepaliveInterval: t.keepaliveIntervalMs,
    keepaliveCountMax: t.keepaliveCountMax,
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
      verifyHostKey(t, key).then(
        (err) => {
          refusal = err;
          verify(!err);
        },
        (e: Error) => {
          refusal = new UnreachableError(`cannot check the host key of ${t.host}: ${e.message}`, { hostKey: true });
          verify(false);
        },
      );
    },
    // Ask for a key type we already know first, as OpenSSH does (else a known ed25519 host offering ecdsa looks "unknown").
    ...(preferred.length ? { algorithms: { serverHostKey: { remove: preferred, prepend: preferred } } as unknown as ConnectConfig['algorithms'] } : {}),
  };
  // A function instead of the plain list so the methods the server offered are known for the
  // "Permission denied (publickey,password)." wording.
  let offered: string[] | undefined;
  let next = 0;
  config.authHandler = (left, _partial, cb) => {
    if (left?.length) offered = [...left];
    // ssh2 takes `false` for "no more methods" although its types do not say so.
    cb((next < methods.length ? methods[next++]! : false) as AnyAuthMethod);
  };
  const trace = (m: string) => connectionTrace(t.hostname, m);
  trace(`ESTABLISH SSH CONNECTION FOR USER: ${t.user}`);
  trace(`SSH: connecting to ${t.hostname} port ${t.port}${sock ? ' through a ProxyJump channel' : ''}, key files: ${t.identityFiles.join(', ') || 'none'}, auth methods: ${methods.map((m) => m.type).join(', ') || 'none'}, host key checking: ${t.strict} (${t.knownHostsFiles.join(', ')}), connect timeout ${t.connectTimeoutMs / 1000}s`);
  return new Promise((resolve, reject) => {
    const client = new Client();
    let settled = false;
    // TCP connected, then the server's identification seen (the host key check starts after it).
    let phase: Phase = sock ? 'banner' : 'connect';
    client.on('connect', () => {
      if (phase === 'connect') phase = 'banner';
    });
    const verify = config.hostVerifier as (key: Buffer, cb: (ok: boolean) => void) => void;
    config.hostVerifier = (key: Buffer, cb: (ok: boolean) => void) => {
      phase = 'session';
      verify(key, (ok) => {
        trace(`SSH: host key ${fingerprint(key)} ${ok ? 'accepted' : 'refused'}`);
        cb(ok);
      });
    };
    const fail = (e: Error | undefined) => {
      if (settled) return;
      settled = true;
      client.destroy();
      if (refusal) return reject(refusal);
      const level = (e as { level?: string } | undefined)?.level;
      if (level === 'client-authentication') return reject(unreachable(authFailureWords(t.user, t.hostname, offered), e));
      const timedOut = level === 'client-timeout';
      const words = dialFailureWords(t, phase, e, timedOut);
      if (words) return reject(unreachable(words, e));
      reject(new UnreachableError(`failed to connect to ${t.host} (${describe(t)}): ${e?.message ?? 'connection closed'}`, { cause: e }));
    };
    client.once('ready', () => {
      settled = true;
      trace(`SSH: authenticated as ${t.user} with ${methods[next - 1]?.type ?? 'none'}, connection ready`);
      resolve(client);
    });
    // `on`, never `once`: ssh2 can emit a second 'error' after 'close' (a reset socket), and an
    // 'error' without a listener would crash the whole run. The connection adds its own listener
    // after 'ready'; this one stays as a guard.
    client.on('error', fail);
    client.once('close', () => fail(undefined));
    client.connect(config);
    // ssh2 leaves Nagle on. From the first byte, not only once ready: the handshake sends
    // NEWKEYS and SERVICE_REQUEST back to back, and the second would wait for the server's delayed
    // ACK of the first (~40 ms, measured against OpenSSH's sshd); so would every small exec round
    // trip later. The socket keeps the setting for when it connects.
    client.setNoDelay(true);
  });
}

// Bastion connections are shared: 32 nodes behind one bastion use one connection to it.
const jumpClients = new Map<string, { client: Promise<Client>; refs: number }>();

function chainKey(hops: SshTarget[]): string {
  return hops.map(describe).join('>');
}

async function acquireChain(hops: SshTarget[]): Promise<Client> {
  const key = chainKey(hops);
  const entry = jumpClients.get(key);
  if (entry) {
    entry.refs++;
    return entry.client;
  }
  const last = hops[hops.length - 1]!;
  const client = (async () => {
    const via = hops.length > 1 ? await acquireChain(hops.slice(0, -1)) : undefined;
    const sock = via ? await forward(via, last) : undefined;
    const c = await connectOnce(last, sock);
    c.on('close', () => jumpClients.delete(key));
    c.on('error', () => undefined);
    return c;
  })();
  jumpClients.set(key, { client, refs: 1 });
  client.catch(() => jumpClients.delete(key));
  return client;
}

function releaseChain(hops: SshTarget[]): void {
  for (let n = hops.length; n > 0; n--) {
    const key = chainKey(hops.slice(0, n));
    const entry = jumpClients.get(key);
    if (!entry) continue;
    entry.refs--;
    if (entry.refs <= 0) {
      jumpClients.delete(key);
      // end() waits for the bastion's FIN; a partitioned bastion never sends it, so destroy after a grace.
      void entry.client
        .then((c) => {
          c.end();
          setTimeout(() => c.destroy(), 1000).unref();
        })
        .catch(() => undefined);
    }
  }
}

function forward(via: Client, to: SshTarget): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, to.hostname, to.port, (err, stream) => {
      if (err) reject(new UnreachableError(`bastion could not reach ${describe(to)}: ${err.message}`, { cause: err }));
      else resolve(stream);
    });
  });
}

export interface Dialed {
  client: Client;
  /** Releases the shared bastion connections this client went through. */
  release(): void;
}

export async function dial(t: SshTarget): Promise<Dialed> {
  const attempts = Math.max(1, t.retries + 1);
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** (i - 1), 10000)));
    let acquired = false;
    try {
      let sock: Duplex | undefined;
      if (t.jumps.length) {
        const via = await acquireChain(t.jumps);
        acquired = true;
        sock = await forward(via, t);
      }
      const client = await connectOnce(t, sock);
      let released = false;
      return {
        client,
        release: () => {
          if (released || !t.jumps.length) return;
          released = true;
          releaseChain(t.jumps);
        },
      };
    } catch (e) {
      if (acquired) releaseChain(t.jumps);
      last = e;
      if (!isNetworkError(e)) break;
    }
  }
  throw last instanceof PhiloteError ? last : new UnreachableError(`failed to connect to ${t.host}: ${(last as Error)?.message}`, { cause: last });
}
