/**
 * known_hosts checking as OpenSSH does it: plain and hashed (|1|salt|hash) host patterns,
 * `[host]:port` for non-22 ports, wildcards and negation, @revoked; @cert-authority lines
 * are skipped (not supported yet).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
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

function patternMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return false;
    const h = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return h === hash;
  }
  let matched = false;
  for (const p of field.split(',')) {
    if (p.startsWith('!')) {
      if (globToRegExp(p.slice(1)).test(name)) return false;
    } else if (globToRegExp(p).test(name)) matched = true;
  }
  return matched;
}

export async function readKnownHosts(files: string[], name: string): Promise<{ keys: KnownKey[]; revoked: KnownKey[] }> {
  const keys: KnownKey[] = [];
  const revoked: KnownKey[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (!line || line.startsWith('#')) continue;
      const parts = line.split(/\s+/);
      let marker: string | undefined;
      if (parts[0]!.startsWith('@')) marker = parts.shift();
      if (marker === '@cert-authority') continue;
      const [hosts, type, b64] = parts;
      if (!hosts || !type || !b64 || !patternMatches(hosts, name)) continue;
      const k = { type, blob: Buffer.from(b64, 'base64'), file, line: i + 1 };
      (marker === '@revoked' ? revoked : keys).push(k);
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
