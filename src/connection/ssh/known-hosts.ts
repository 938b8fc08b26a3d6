/**
 * known_hosts checking as OpenSSH does it: plain and hashed (|1|salt|hash) host patterns,
 * `[host]:port` for non-22 ports, wildcards and negation, @revoked; @cert-authority lines
 * are skipped (not supported yet).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface KnownKey {
  type: string;
  blob: Buffer;
  file: string;
  line: number;
}

export type HostKeyVerdict =
  | { status: 'match' }
  | { status: 'unknown' }
  | { status: 'changed'; known: KnownKey }
  | { status: 'revoked'; known: KnownKey };

export function hostKeyName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type inside an SSH public key blob (first length-prefixed string). */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

function globToRegExp(pattern: string): RegExp {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i');
}

/** A host field compiled once: hashed (|1|salt|hash), or patterns with wildcards and negations. */
function compileField(field: string): (name: string) => boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return () => false;
    const key = Buffer.from(salt, 'base64');
    return (name) => createHmac('sha1', key).update(name).digest('base64') === hash;
  }
  const pats = field.split(',').map((p) => (p.startsWith('!') ? { neg: true, re: globToRegExp(p.slice(1)) } : { neg: false, re: globToRegExp(p) }));
  return (name) => {
    let matched = false;
    for (const p of pats) {
      if (p.re.test(name)) {
        if (p.neg) return false;
        matched = true;
      }
    }
    return matched;
  };
}

interface KnownLine {
  marker: string | undefined;
  type: string;
  b64: string;
  line: number;
}

/**
 * One known_hosts file, parsed once for all the hosts of a run: lines naming plain hosts are
 * indexed by name, the others (wildcards, negations, hashed names) keep a compiled matcher.
 * Reading and matching the whole file for every connection grew as hosts x lines: 200 hosts
 * with one known_hosts line each meant 80,000 pattern compilations per run.
 */
interface ParsedFile {
  byName: Map<string, KnownLine[]>;
  others: { matches: (name: string) => boolean; entry: KnownLine }[];
}

/** By path: the file's stamp when read, and its parse (shared while it is still being read). */
const parsedFiles = new Map<string, { stamp: string; parsed: Promise<ParsedFile | undefined> }>();

function parseKnownHosts(text: string): ParsedFile {
  const parsed: ParsedFile = { byName: new Map(), others: [] };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    let marker: string | undefined;
    if (parts[0]!.startsWith('@')) marker = parts.shift();
    if (marker === '@cert-authority') continue;
    const [hosts, type, b64] = parts;
    if (!hosts || !type || !b64) continue;
    const entry: KnownLine = { marker, type, b64, line: i + 1 };
    if (/^[^*?!|,]+(,[^*?!|,]+)*$/.test(hosts)) {
      // Plain names only: OpenSSH compares them without regard to case.
      for (const h of hosts.toLowerCase().split(',')) {
        const list = parsed.byName.get(h);
        if (list) list.push(entry);
        else parsed.byName.set(h, [entry]);
      }
    } else parsed.others.push({ matches: compileField(hosts), entry });
  }
  return parsed;
}

/** The file parsed, again only when it changed (size or mtime: an added key appends to it). */
async function knownHostsFile(file: string): Promise<ParsedFile | undefined> {
  let st;
  try {
    st = await stat(file);
  } catch {
    parsedFiles.delete(file);
    return undefined;
  }
  const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
  const cached = parsedFiles.get(file);
  if (cached?.stamp === stamp) return cached.parsed;
  const parsed = readFile(file, 'utf8').then(parseKnownHosts, () => undefined);
  parsedFiles.set(file, { stamp, parsed });
  return parsed;
}

export async function readKnownHosts(files: string[], name: string): Promise<{ keys: KnownKey[]; revoked: KnownKey[] }> {
  const keys: KnownKey[] = [];
  const revoked: KnownKey[] = [];
  for (const file of files) {
    const parsed = await knownHostsFile(file);
    if (!parsed) continue;
    const hits = [...(parsed.byName.get(name.toLowerCase()) ?? []), ...parsed.others.filter((o) => o.matches(name)).map((o) => o.entry)];
    // In file order, as OpenSSH reads them (the first matching key of a type names the line).
    hits.sort((a, b) => a.line - b.line);
    for (const e of hits) {
      const k = { type: e.type, blob: Buffer.from(e.b64, 'base64'), file, line: e.line };
      (e.marker === '@revoked' ? revoked : keys).push(k);
    }
  }
  return { keys, revoked };
}

export async function checkHostKey(files: string[], name: string, blob: Buffer): Promise<HostKeyVerdict> {
  const { keys, revoked } = await readKnownHosts(files, name);
  const rev = revoked.find((k) => k.blob.equals(blob));
  if (rev) return { status: 'revoked', known: rev };
  if (keys.some((k) => k.blob.equals(blob))) return { status: 'match' };
  const type = blobType(blob);
  // Only a known key of the same type makes this a "changed" key (OpenSSH does the same).
  const sameType = keys.find((k) => k.type === type);
  if (sameType) return { status: 'changed', known: sameType };
  return { status: 'unknown' };
}

/** StrictHostKeyChecking=accept-new / no: record a new key, hashed like HashKnownHosts=yes. */
export async function addKnownHost(file: string, name: string, blob: Buffer): Promise<void> {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(name).digest('base64');
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `|1|${salt.toString('base64')}|${hash} ${blobType(blob)} ${blob.toString('base64')}\n`, { mode: 0o600 });
}

/** Key types already known for a host, so the server is asked for one of those first (as OpenSSH orders them). */
export async function knownKeyTypes(files: string[], name: string): Promise<string[]> {
  const { keys } = await readKnownHosts(files, name);
  return [...new Set(keys.map((k) => k.type))];
}
