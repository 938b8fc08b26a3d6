/**
 * Ansible Vault format 1.1/1.2 with the AES256 cipher, byte for byte as ansible-core writes it:
 *
 *   $ANSIBLE_VAULT;1.1;AES256            (1.2 adds ";<vault id>")
 *   hex( hex(salt) "\n" hex(hmac) "\n" hex(ciphertext) ) in lines of 80 characters
 *
 * Keys: PBKDF2-HMAC-SHA256(password, salt 32 bytes, 10000 rounds, 80 bytes) = AES key (32) +
 * HMAC key (32) + CTR counter block (16). The plaintext is PKCS#7-padded to 16 bytes, encrypted
 * with AES-256-CTR, and the ciphertext is authenticated with HMAC-SHA256 (checked in constant
 * time before decrypting). Node's crypto does all of it: no dependency needed.
 */
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export const VAULT_HEADER = '$ANSIBLE_VAULT';

/** Why data could not be read as vault data (format) or opened with a password (wrong secret). */
export class VaultFormatError extends Error {}
export class VaultWrongSecret extends Error {}

export interface Envelope {
  version: string;
  cipher: string;
  /** The vault id of a 1.2 envelope. */
  vaultId?: string;
  /** The hex payload (lines joined). */
  payload: string;
}

export function isVaultText(text: string | Buffer): boolean {
  return String(text).trimStart().startsWith(`${VAULT_HEADER};`);
}

export function parseEnvelope(text: string): Envelope {
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0]!.trim().split(';');
  if (header[0] !== VAULT_HEADER || header.length < 3) throw new VaultFormatError('Vault envelope format error: invalid header');
  const payload = lines.slice(1).map((l) => l.trim()).join('');
  return { version: header[1]!.trim(), cipher: header[2]!.trim(), ...(header.length >= 4 ? { vaultId: header[3]!.trim() } : {}), payload };
}

function unhex(s: string): Buffer {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new VaultFormatError('Vault format unhexlify error: Non-hexadecimal digit found');
  return Buffer.from(s, 'hex');
}

function deriveKeys(password: Buffer, salt: Buffer): { aesKey: Buffer; hmacKey: Buffer; iv: Buffer } {
  const d = pbkdf2Sync(password, salt, 10000, 80, 'sha256');
  return { aesKey: d.subarray(0, 32), hmacKey: d.subarray(32, 64), iv: d.subarray(64, 80) };
}

/** Decrypt a whole vault text with one password; VaultWrongSecret when the HMAC does not match. */
export function decryptWith(text: string, password: Buffer): Buffer {
  const env = parseEnvelope(text);
  if (env.cipher !== 'AES256') throw new VaultFormatError(`${env.cipher} cipher could not be found`);
  const inner = unhex(env.payload).toString('latin1').split('\n');
  if (inner.length < 3) throw new VaultFormatError('Vault vaulttext format error: not enough values to unpack');
  const salt = unhex(inner[0]!);
  const hmac = unhex(inner[1]!);
  const ciphertext = unhex(inner.slice(2).join('\n'));
  const k = deriveKeys(password, salt);
  const want = createHmac('sha256', k.hmacKey).update(ciphertext).digest();
  if (want.length !== hmac.length || !timingSafeEqual(want, hmac)) throw new VaultWrongSecret('HMAC verification failed');
  const d = createDecipheriv('aes-256-ctr', k.aesKey, k.iv);
  const padded = Buffer.concat([d.update(ciphertext), d.final()]);
  const pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > 16 || padded.length < pad) throw new VaultWrongSecret('bad padding');
  return padded.subarray(0, padded.length - pad);
}

/** Encrypt as ansible-core does: 1.1 without a vault id (or 'default'), 1.2 with one. */
export function encrypt(plaintext: string | Buffer, password: Buffer, vaultId?: string, salt?: Buffer): string {
  const data = Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext, 'utf8');
  if (isVaultText(data.toString('utf8'))) throw new VaultFormatError('input is already encrypted');
  const s = salt ?? randomBytes(32);
  const k = deriveKeys(password, s);
  const pad = 16 - (data.length % 16);
  const c = createCipheriv('aes-256-ctr', k.aesKey, k.iv);
  const ciphertext = Buffer.concat([c.update(Buffer.concat([data, Buffer.alloc(pad, pad)])), c.final()]);
  const hmac = createHmac('sha256', k.hmacKey).update(ciphertext).digest();
  const inner = Buffer.from([s.toString('hex'), hmac.toString('hex'), ciphertext.toString('hex')].join('\n'), 'latin1').toString('hex');
  const withId = vaultId !== undefined && vaultId !== '' && vaultId !== 'default';
  const header = withId ? `${VAULT_HEADER};1.2;AES256;${vaultId}` : `${VAULT_HEADER};1.1;AES256`;
  const lines = [header];
  for (let i = 0; i < inner.length; i += 80) lines.push(inner.slice(i, i + 80));
  return lines.join('\n') + '\n';
}
