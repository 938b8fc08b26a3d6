/**
 * Ansible's parse_kv / load_extra_vars for -e and -a: `k=v k2="x y"` (values stay strings),
 * YAML/JSON text starting with { or [, and @file (YAML/JSON).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PhiloteError } from '../errors.js';
import { loadYaml } from '../inventory/yamlload.js';

/** Split on whitespace outside quotes, keeping the quotes (Ansible's split_args). */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && i + 1 < text.length) {
        cur += c + text[++i];
        continue;
      }
      if (c === quote) quote = undefined;
      cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (/\s/.test(c)) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quote) throw new PhiloteError('option', `failed at splitting arguments, either an unbalanced jinja2 block or quotes: ${text}`);
  if (cur) out.push(cur);
  return out;
}

function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) {
    return v.slice(1, -1).replace(/\\(["'\\])/g, '$1');
  }
  return v;
}

/** Args for free-form modules keep these keys out of _raw_params, as parse_kv(check_raw=True) does. */
const RAW_PARAM_KEYS = new Set(['creates', 'removes', 'chdir', 'executable', 'warn', 'stdin', 'stdin_add_newline', 'strip_empty_ends']);

export function parseKv(text: string, checkRaw = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const raw: string[] = [];
  for (const tok of splitArgs(text)) {
    const eq = tok.indexOf('=');
    const key = eq > 0 ? tok.slice(0, eq) : '';
    if (eq > 0 && /^[\w.-]+$/.test(key) && (!checkRaw || RAW_PARAM_KEYS.has(key))) out[key] = unquote(tok.slice(eq + 1));
    else raw.push(tok);
  }
  if (raw.length > 0) out._raw_params = raw.join(' ');
  return out;
}

export function parseExtraVars(values: string[], cwd: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of values) {
    let data: unknown;
    if (v.startsWith('@')) {
      const file = resolve(cwd, v.slice(1));
      // AnsibleFileNotFound is a runtime error in ansible-core: exit 1, not 5.
      if (!existsSync(file)) throw new PhiloteError('internal', `Unable to retrieve file contents\nCould not find or access '${file}' on the Ansible Controller.`);
      data = loadYaml(readFileSync(file, 'utf8'), file);
    } else if (v[0] === '/' || v[0] === '.') {
      throw new PhiloteError('option', `Please prepend extra_vars filename '${v}' with '@'`);
    } else if (v[0] === '{' || v[0] === '[') {
      data = loadYaml(v, '<extra vars>');
    } else {
      // A word without `=` lands in `_raw_params`, which ansible-core keeps as an extra var.
      data = parseKv(v);
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      if (v.trim() === '') continue;
      throw new PhiloteError('option', `Invalid extra vars data supplied. '${v}' could not be made into a dictionary`);
    }
    Object.assign(out, data);
  }
  return out;
}
