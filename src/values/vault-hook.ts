/**
 * The one place where Ansible Vault data meets the YAML loader. philote cannot decrypt vault data
 * yet, so the default hook refuses with a clear message; vault support (src/vault/) installs its
 * own hook with `setVaultHook` and every loader (playbooks, vars files, inventories) follows.
 */
import { PhiloteError, type SourceLocation } from '../errors.js';

/** The refusal for a whole vault-encrypted file. */
export function vaultFileMessage(file: string): string {
  return `'${file}' is vault-encrypted: philote cannot decrypt Ansible Vault data yet (decrypt it with ansible-vault, or move the secret to an environment variable)`;
}

export interface VaultHook {
  /** A whole file that starts with `$ANSIBLE_VAULT;`: returns the decrypted YAML text. */
  decryptFile(text: string, location: SourceLocation): string;
  /** A `!vault` (or `!vault-encrypted`) tagged scalar: returns the value to use in its place. */
  decryptTag(ciphertext: string, location: SourceLocation): unknown;
}

const refusing: VaultHook = {
  decryptFile(_text, location) {
    throw new PhiloteError('parse', vaultFileMessage(location.file), { location });
  },
  decryptTag(_ciphertext, location) {
    throw new PhiloteError('parse', 'vault-encrypted values (!vault) are not supported by philote yet', {
      location,
      hint: 'decrypt it with ansible-vault decrypt, or pass the value with -e',
    });
  },
};

let hook: VaultHook = refusing;

/** Installs vault decryption for every YAML load; `undefined` restores the refusal. */
export function setVaultHook(h: VaultHook | undefined): void {
  hook = h ?? refusing;
}

export function vaultHook(): VaultHook {
  return hook;
}
