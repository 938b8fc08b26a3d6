/**
 * Vault support: installs decryption into the one YAML loader (src/values/vault-hook.ts), so
 * every file Ansible reads through it (playbooks, vars_files, include_vars, group_vars/host_vars,
 * inventories, roles' vars/defaults) opens whole vault-encrypted files and `!vault` values.
 *
 * A `!vault` value becomes its plaintext string; the plaintext is remembered (only in this
 * process) so that the `vault_encrypted` test can say it came from a vault, as Ansible's
 * AnsibleVaultEncryptedUnicode does.
 */
import { PendingVault, setVaultHook } from '../values/vault-hook.js';
import { collectSecrets, VaultKeyring, type SecretSources } from './secrets.js';

const vaulted = new Set<string>();

/** Whether a value is the plaintext of a `!vault` value loaded in this run. */
export function isVaultedValue(v: unknown): boolean {
  return v instanceof PendingVault || (typeof v === 'string' && vaulted.has(v));
}

let current: VaultKeyring | undefined;

export function installKeyring(keyring: VaultKeyring): void {
  current = keyring;
  setVaultHook({
    decryptFile: (text, location) => keyring.decrypt(text, location).toString('utf8'),
    decryptTag: (ciphertext) => {
      let plain: string;
      try {
        plain = keyring.decrypt(ciphertext).toString('utf8');
      } catch (e) {
        // Opened where it is used, as ansible-core does: unused, it needs no secret.
        return new PendingVault(ciphertext, (e as Error).message);
      }
      vaulted.add(plain);
      return plain;
    },
  });
}

/** The keyring of this run (for controller files read outside the YAML loader: copy/template src). */
export function currentKeyring(): VaultKeyring | undefined {
  return current;
}

/** Collect the run's secrets from the command line and configuration and install them. */
export async function setupVault(src: SecretSources): Promise<VaultKeyring> {
  const keyring = new VaultKeyring(await collectSecrets(src));
  installKeyring(keyring);
  return keyring;
}

export { VaultKeyring } from './secrets.js';
export { encrypt, decryptWith, isVaultText } from './cipher.js';

/**
 * A controller file's bytes as Ansible's action plugins read them (copy/template src with
 * decrypt: true): vault-encrypted files are opened with the run's secrets.
 */
export function decryptIfVault(data: Buffer, file: string): Buffer {
  if (!data.subarray(0, 64).toString('latin1').trimStart().startsWith('$ANSIBLE_VAULT;')) return data;
  const keyring = current ?? new VaultKeyring([]);
  return keyring.decrypt(data.toString('utf8'), { file, line: 1, column: 1 });
}
