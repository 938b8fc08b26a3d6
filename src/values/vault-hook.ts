/**
 * The one place where Ansible Vault data meets the YAML loader. Without secrets the default hook
 * refuses a whole encrypted file and keeps a `!vault` value encrypted until it is used; vault
 * support (src/vault/) installs its own hook with `setVaultHook` and every loader (playbooks, vars
 * files, inventories) follows.
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
  // No secrets at all: the value stays encrypted and fails where it is used, as in ansible-core.
  decryptTag(ciphertext) {
    return new PendingVault(ciphertext, 'Attempting to decrypt but no vault secrets found');
  },
};

/**
 * A `!vault` value that no secret of this run could open. ansible-core keeps such a value
 * encrypted (AnsibleVaultEncryptedUnicode) and only fails where it is used, so a play that never
 * touches it runs without the password. Using it (as text, a number, JSON, a module argument, in a
 * template) throws the decryption error; `is defined` and `is vault_encrypted` look at it without
 * opening it.
 */
export class PendingVault {
  constructor(
    readonly ciphertext: string,
    private readonly message: string,
  ) {}
  fail(): never {
    throw new PhiloteError('runtime', this.message);
  }
  toString(): string {
    return this.fail();
  }
  valueOf(): never {
    return this.fail();
  }
  toJSON(): never {
    return this.fail();
  }
}

let hook: VaultHook = refusing;

/** Installs vault decryption for every YAML load; `undefined` restores the refusal. */
export function setVaultHook(h: VaultHook | undefined): void {
  hook = h ?? refusing;
}

export function vaultHook(): VaultHook {
  return hook;
}
