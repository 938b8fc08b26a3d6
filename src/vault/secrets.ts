/**
 * Vault secrets as ansible-playbook collects them, and decryption with them:
 * - `--vault-password-file FILE` (repeatable; ANSIBLE_VAULT_PASSWORD_FILE / [defaults]
 *   vault_password_file): vault id "default";
 * - `--vault-id [ID@]SOURCE` (repeatable): SOURCE is a file, or `prompt`;
 * - `--ask-vault-pass`: one prompted secret with id "default".
 * A password file holds the password (surrounding whitespace removed); an executable file is run
 * and its stdout is the password (a "*-client" script gets `--vault-id ID`). Passwords stay in
 * Buffers inside this process: never on a command line, in the environment, or in any output.
 *
 * Decryption tries the secret whose id the envelope names first, then every other secret (as
 * ansible-core with vault_id_match off); none fits: "Decryption failed (no vault secrets were
 * found that could decrypt) on FILE".
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { PhiloteError, type SourceLocation } from '../errors.js';
import { decryptWith, encrypt, isVaultText, parseEnvelope, VaultFormatError, VaultWrongSecret } from './cipher.js';

export interface VaultSecret {
  id: string;
  password: Buffer;
}

export interface SecretSources {
  passwordFiles?: string[];
  vaultIds?: string[];
  askVaultPass?: boolean;
  cwd: string;
  prompt: (label: string) => Promise<string>;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The secret of a password file or script, as get_file_vault_secret reads it. */
export function secretFromFile(file: string, id: string, cwd: string): VaultSecret {
  const p = resolve(cwd, file);
  try {
    statSync(p);
  } catch {
    throw new PhiloteError('not-found', `The vault password file ${p} was not found`);
  }
  let raw: Buffer;
  if (isExecutable(p)) {
    const client = basename(p, extname(p)).endsWith('-client');
    const r = spawnSync(p, client ? ['--vault-id', id] : [], { stdio: ['inherit', 'pipe', 'pipe'] });
    if (r.error) throw new PhiloteError('option', `Problem running vault password script ${p} (${r.error.message}). If this is not a script, remove the executable bit from the file.`);
    if (client && r.status === 2) throw new PhiloteError('option', `Vault password client script ${p} did not find a secret for vault-id=${id}: ${String(r.stderr).trim()}`);
    if (r.status !== 0) throw new PhiloteError('option', `Vault password script ${p} returned non-zero (${r.status}): ${String(r.stderr).trim()}`);
    raw = r.stdout;
  } else {
    try {
      raw = readFileSync(p);
    } catch (e) {
      throw new PhiloteError('option', `Could not read vault password file ${p}: ${(e as Error).message}`);
    }
  }
  const password = Buffer.from(raw.toString('utf8').trim().replace(/^[\r\n]+|[\r\n]+$/g, ''), 'utf8');
  if (!password.length) throw new PhiloteError('option', `Invalid vault password was provided from ${isExecutable(p) ? 'script' : 'file'} (${p})`);
  return { id, password };
}

/** All secrets the command line and configuration name, in Ansible's order (vault ids, then files, then the prompt). */
export async function collectSecrets(src: SecretSources): Promise<VaultSecret[]> {
  const out: VaultSecret[] = [];
  const add = async (id: string, source: string): Promise<void> => {
    if (source === 'prompt' || source === '') {
      const pw = await src.prompt(id === 'default' ? 'Vault password: ' : `Vault password (${id}): `);
      if (!pw) throw new PhiloteError('option', 'Invalid vault password was provided from prompt');
      out.push({ id, password: Buffer.from(pw, 'utf8') });
    } else out.push(secretFromFile(source, id, src.cwd));
  };
  for (const v of src.vaultIds ?? []) {
    const at = v.indexOf('@');
    if (at < 0) await add('default', v);
    else await add(v.slice(0, at), v.slice(at + 1));
  }
  for (const f of src.passwordFiles ?? []) await add('default', f);
  if (src.askVaultPass && !out.some((s) => s.id === 'default')) await add('default', 'prompt');
  return out;
}

/** The secrets of this run, with decrypt/encrypt as VaultLib offers them. */
export class VaultKeyring {
  constructor(readonly secrets: VaultSecret[]) {}

  decrypt(text: string, location?: SourceLocation): Buffer {
    const where = location?.file ? ` on ${location.file}` : '';
    if (!this.secrets.length) {
      throw new PhiloteError('parse', `Attempting to decrypt but no vault secrets found${where}`, { ...(location ? { location } : {}), hint: 'give the password with --vault-password-file, --vault-id or --ask-vault-pass' });
    }
    let env;
    try {
      env = parseEnvelope(text);
    } catch (e) {
      throw new PhiloteError('parse', `${(e as Error).message}${where}`, location ? { location } : {});
    }
    const ordered = [...this.secrets.filter((s) => s.id === env.vaultId), ...this.secrets.filter((s) => s.id !== env.vaultId)];
    for (const s of ordered) {
      try {
        return decryptWith(text, s.password);
      } catch (e) {
        if (e instanceof VaultWrongSecret) continue;
        if (e instanceof VaultFormatError) throw new PhiloteError('parse', `There was a vault format error${where}: ${e.message}`, location ? { location } : {});
        throw e;
      }
    }
    throw new PhiloteError('parse', `Decryption failed (no vault secrets were found that could decrypt)${where}`, location ? { location } : {});
  }

  encrypt(plaintext: string, vaultId?: string): string {
    const s = (vaultId !== undefined ? this.secrets.find((x) => x.id === vaultId) : undefined) ?? this.secrets[0];
    if (!s) throw new PhiloteError('option', 'A vault password must be specified to encrypt data');
    return encrypt(plaintext, s.password, vaultId ?? s.id);
  }
}

export { isVaultText };
