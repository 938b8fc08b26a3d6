/**
 * YAML as Ansible's loader reads it (PyYAML, YAML 1.1: yes/no/on/off are booleans,
 * 0755 is octal), with source positions in errors, and a clear refusal of Ansible Vault
 * data, which philote cannot decrypt yet.
 */
import { parseDocument, type ScalarTag } from 'yaml';
import { PhiloteError } from '../errors.js';
import { UnsafeText } from '../template/unsafe.js';

export const VAULT_MESSAGE =
  'this file contains Ansible Vault data, which philote cannot decrypt yet (vault support is deferred; decrypt it with ansible-vault or move the secret to an environment variable)';

const vaultTag: ScalarTag = {
  tag: '!vault',
  resolve(_value: string, onError: (msg: string) => void) {
    onError(VAULT_MESSAGE);
    return '';
  },
};
const unsafeTag: ScalarTag = { tag: '!unsafe', resolve: (value: string) => new UnsafeText(value) as unknown as string };

/** PyYAML's bool resolver: not y/n, which YAML 1.1 libraries sometimes include. */
const pyBool: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  test: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  resolve: (s: string) => /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(s),
};

export function loadYaml(text: string, file: string): unknown {
  if (text.trimStart().startsWith('$ANSIBLE_VAULT;')) {
    throw new PhiloteError('parse', VAULT_MESSAGE, { location: { file, line: 1, column: 1 } });
  }
  const doc = parseDocument(text, {
    version: '1.1',
    customTags: (tags) => [pyBool, ...tags.filter((t) => (t as ScalarTag).tag !== 'tag:yaml.org,2002:bool'), vaultTag, unsafeTag],
    uniqueKeys: false,
    prettyErrors: false,
  });
  const err = doc.errors[0];
  if (err) {
    const offset = Math.min(err.pos[0], text.length);
    const before = text.slice(0, offset).split('\n');
    const pos = { line: before.length, col: before[before.length - 1]!.length + 1 };
    throw new PhiloteError('parse', `Syntax Error while loading YAML: ${err.message.split('\n')[0]}`, {
      location: { file, line: pos?.line ?? 1, column: pos?.col ?? 1 },
    });
  }
  return doc.toJS({ maxAliasCount: -1 }) ?? null;
}
