/**
 * vault / unvault filters (ansible.builtin): encrypt a string into Ansible Vault text with a given
 * secret (vault id 'filter_default', so format 1.2; `salt` makes it deterministic), and open such
 * text again. The cipher is src/vault's (the same bytes as ansible-core).
 */
import type { FilterFn } from '../runtime/env.js';
import { TemplateRuntimeError } from '../runtime/env.js';
import { failUndefined, pyStr, typeName, Undefined } from '../runtime/values.js';
import { decryptWith, encrypt, isVaultText } from '../../vault/cipher.js';
import { PendingVault } from '../../values/vault-hook.js';

const vault: FilterFn = (_s, data, args, kwargs) => {
  const secret = args[0] ?? kwargs['secret'];
  const salt = args[1] ?? kwargs['salt'];
  const vaultid = args[2] ?? kwargs['vaultid'] ?? 'filter_default';
  for (const v of [data, secret]) if (v instanceof Undefined) failUndefined(v);
  if (typeof secret !== 'string') throw new TemplateRuntimeError(`Secret passed is required to be a string, instead we got: <class '${typeName(secret)}'>`);
  if (typeof data !== 'string') throw new TemplateRuntimeError(`Can only vault strings, instead we got: <class '${typeName(data)}'>`);
  try {
    const s = salt === undefined || salt === null ? undefined : Buffer.from(pyStr(salt), 'utf8');
    if (s !== undefined && !s.length) throw new Error('Empty or invalid salt passed to encrypt()');
    return encrypt(data, Buffer.from(secret, 'utf8'), pyStr(vaultid), s);
  } catch (e) {
    throw new TemplateRuntimeError(`Unable to encrypt: ${(e as Error).message}`);
  }
};

const unvault: FilterFn = (_s, text, args, kwargs) => {
  const secret = args[0] ?? kwargs['secret'];
  for (const v of [text, secret]) if (v instanceof Undefined) failUndefined(v);
  if (typeof secret !== 'string') throw new TemplateRuntimeError(`Secret passed is required to be as string, instead we got: <class '${typeName(secret)}'>`);
  // A `!vault` value no secret of the run opened: its ciphertext, opened with this secret.
  if (text instanceof PendingVault) text = text.ciphertext;
  if (typeof text !== 'string') throw new TemplateRuntimeError(`Vault should be in the form of a string, instead we got: <class '${typeName(text)}'>`);
  if (!isVaultText(text)) return text;
  try {
    return decryptWith(text, Buffer.from(secret, 'utf8')).toString('utf8');
  } catch {
    throw new TemplateRuntimeError('Unable to decrypt: Decryption failed (no vault secrets were found that could decrypt)');
  }
};

export const VAULT_FILTERS: Record<string, FilterFn> = { vault, unvault };
