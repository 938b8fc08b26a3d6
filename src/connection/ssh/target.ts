/**
 * Resolves a ConnectionSpec into everything needed to dial: inventory values first, then
 * -o/-i/-p/-J flags from ansible_ssh_*_args, then ~/.ssh/config (ssh-config package), then
 * OpenSSH defaults. Mirrors the order in which Ansible builds its ssh command line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { PhiloteError } from '../../errors.js';
import type { ConnectionSpec } from '../types.js';
import { parseSshArgs } from './args.js';

export type StrictMode = 'yes' | 'accept-new' | 'no' | 'off';

export interface SshTarget {
  /** Inventory hostname, for messages. */
  host: string;
  hostname: string;
  port: number;
  user: string;
  password?: string;
  identityFiles: string[];
  /** Whether identity files were named explicitly (a missing explicit key is an error). */
  explicitIdentity: boolean;
  jumps: SshTarget[];
  strict: StrictMode;
  knownHostsFiles: string[];
  /** Where accept-new records keys (first UserKnownHostsFile). */
  knownHostsWrite?: string;
  connectTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  retries: number;
}

const expandHome = (p: string): string => (p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p);

function loadConfig(file: string | undefined): SSHConfig | undefined {
  const path = expandHome(file ?? '~/.ssh/config');
  if (!existsSync(path)) {
    if (file) throw new PhiloteError('option', `ssh config file ${path} (given with -F) does not exist`);
    return undefined;
  }
  return SSHConfig.parse(readFileSync(path, 'utf8'));
}

function computeFor(cfg: SSHConfig | undefined, host: string): Record<string, string | string[]> {
  if (!cfg) return {};
  const raw = cfg.compute(host);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(raw)) out[k.toLowerCase()] = v;
  return out;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const all = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function tokens(s: string, host: string, hostname: string, port: number, user: string): string {
  return s.replace(/%([hnprud%])/g, (_, t: string) =>
    t === 'h' ? hostname : t === 'n' ? host : t === 'p' ? String(port) : t === 'r' ? user : t === 'u' ? userInfo().username : t === 'd' ? homedir() : '%',
  );
}

function strictFrom(value: string | undefined): StrictMode {
  switch ((value ?? 'yes').toLowerCase()) {
    case 'no':
    case 'off':
      return 'no';
    case 'accept-new':
      return 'accept-new';
    default:
      // "ask" needs a terminal prompt philote does not show: treat it as "yes" (refuse unknown keys).
      return 'yes';
  }
}

interface Inherited {
  strict: StrictMode;
  knownHostsFiles: string[];
  knownHostsWrite?: string;
  identityFiles: string[];
  connectTimeoutMs: number;
  cfg: SSHConfig | undefined;
}

export function resolveTarget(spec: ConnectionSpec): SshTarget {
  const args = parseSshArgs(spec.sshArgs);
  const cfg = loadConfig(args.configFile);
  const o = args.options;
  const c = computeFor(cfg, spec.address);
  const port = spec.port ?? args.port ?? num(o.port) ?? num(first(c.port)) ?? 22;
  const user = spec.user ?? args.user ?? o.user ?? first(c.user) ?? userInfo().username;
  const hostname = tokens(o.hostname ?? first(c.hostname) ?? spec.address, spec.address, spec.address, port, user);

  const explicit = [spec.privateKeyFile, ...args.identityFiles, ...all(c.identityfile)].filter((x): x is string => !!x);
  const identityFiles = (explicit.length ? explicit : ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'])
    .map((f) => expandHome(tokens(f, spec.address, hostname, port, user)))
    .filter((f, i, a) => a.indexOf(f) === i);

  const strict: StrictMode = spec.hostKeyChecking === false ? 'off' : strictFrom(o.stricthostkeychecking ?? first(c.stricthostkeychecking));
  const khRaw = spec.knownHostsFile ?? o.userknownhostsfile ?? first(c.userknownhostsfile) ?? '~/.ssh/known_hosts ~/.ssh/known_hosts2';
  const userFiles = khRaw.split(/\s+/).filter(Boolean).map(expandHome);
  const knownHostsFiles = [...userFiles, '/etc/ssh/ssh_known_hosts'].filter((f) => f !== '/dev/null');
  const connectTimeoutMs = (spec.timeoutSec ?? num(o.connecttimeout) ?? num(first(c.connecttimeout)) ?? 10) * 1000;

  const base: Inherited = {
    strict,
    knownHostsFiles,
    knownHostsWrite: userFiles[0] === '/dev/null' ? undefined : userFiles[0],
    identityFiles,
    connectTimeoutMs,
    cfg,
  };
  const jumpSpec = args.proxyJump ?? o.proxyjump ?? first(c.proxyjump);
  const jumps = jumpSpec && jumpSpec.toLowerCase() !== 'none' ? jumpSpec.split(',').map((j) => resolveJump(j.trim(), base)) : [];

  return {
    host: spec.host,
    hostname,
    port,
    user,
    password: spec.password,
    identityFiles,
    explicitIdentity: explicit.length > 0,
    jumps,
    strict,
    knownHostsFiles,
    knownHostsWrite: base.knownHostsWrite,
    connectTimeoutMs,
    keepaliveIntervalMs: (num(o.serveraliveinterval) ?? num(first(c.serveraliveinterval)) ?? 15) * 1000,
    keepaliveCountMax: num(o.serveralivecountmax) ?? num(first(c.serveralivecountmax)) ?? 3,
    retries: spec.retries ?? 0,
  };
}

/** One ProxyJump hop, "[user@]host[:port]", resolved through ~/.ssh/config like OpenSSH does. */
function resolveJump(hop: string, base: Inherited): SshTarget {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hop);
  if (!m) throw new PhiloteError('option', `cannot parse ProxyJump hop '${hop}' (expected [user@]host[:port])`);
  const alias = m[2]!.replace(/^\[|\]$/g, '');
  const c = computeFor(base.cfg, alias);
  const port = num(m[3]) ?? num(first(c.port)) ?? 22;
  const user = m[1] ?? first(c.user) ?? userInfo().username;
  const ownKeys = all(c.identityfile).map(expandHome);
  const jumpSpec = first(c.proxyjump);
  return {
    host: alias,
    hostname: tokens(first(c.hostname) ?? alias, alias, alias, port, user),
    port,
    user,
    identityFiles: [...ownKeys, ...base.identityFiles].filter((f, i, a) => a.indexOf(f) === i),
    explicitIdentity: ownKeys.length > 0,
    jumps: jumpSpec && jumpSpec.toLowerCase() !== 'none' ? jumpSpec.split(',').map((j) => resolveJump(j.trim(), base)) : [],
    strict: base.strict,
    knownHostsFiles: base.knownHostsFiles,
    knownHostsWrite: base.knownHostsWrite,
    connectTimeoutMs: base.connectTimeoutMs,
    keepaliveIntervalMs: 15000,
    keepaliveCountMax: 3,
    retries: 0,
  };
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
