/**
 * Ansible's load_extra_vars for -e: `k=v k2="x y"` (parse_kv, values stay strings), YAML/JSON
 * text starting with { or [, and @file (YAML/JSON), read by the one loader and splitter in
 * src/values.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PhiloteError } from '../errors.js';
import { parseKeyValues } from '../values/kv.js';
import { loadYaml } from '../values/yaml.js';

export function parseExtraVars(values: string[], cwd: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of values) {
    let data: unknown;
    if (v.startsWith('@')) {
      const file = resolve(cwd, v.slice(1));
      // AnsibleFileNotFound is a runtime error in ansible-core: exit 1, not 5.
      if (!existsSync(file)) throw new PhiloteError('not-found', `Unable to retrieve file contents\nCould not find or access '${file}' on the Ansible Controller.`);
      data = loadYaml(readFileSync(file, 'utf8'), file);
    } else if (v[0] === '/' || v[0] === '.') {
      throw new PhiloteError('option', `Please prepend extra_vars filename '${v}' with '@'`);
    } else if (v[0] === '{' || v[0] === '[') {
      data = loadYaml(v, '<extra vars>');
    } else {
      // A word without `=` lands in `_raw_params`, which ansible-core keeps as an extra var.
      data = parseKeyValues(v);
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      if (v.trim() === '') continue;
      throw new PhiloteError('option', `Invalid extra vars data supplied. '${v}' could not be made into a dictionary`);
    }
    Object.assign(out, data);
  }
  return out;
}
