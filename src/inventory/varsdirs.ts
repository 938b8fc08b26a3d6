/**
 * group_vars/ and host_vars/ beside an inventory source or a playbook, as Ansible's
 * host_group_vars plugin finds them: `<dir>/group_vars/<name>` with no extension,
 * .yml, .yaml or .json (the first that exists), or a directory of such files read
 * recursively in sorted order, skipping hidden and backup (~) files.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { PhiloteError } from '../errors.js';
import { loadDataFile } from '../values/yaml.js';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

export interface VarsLayer {
  dir: string;
  group(name: string): Record<string, unknown>;
  host(name: string): Record<string, unknown>;
}

export function varsLayer(dir: string): VarsLayer {
  const cache = new Map<string, Record<string, unknown>>();
  const get = (kind: 'group_vars' | 'host_vars', name: string) => {
    const key = `${kind}/${name}`;
    let v = cache.get(key);
    if (!v) {
      v = loadVarsFor(join(dir, kind), name);
      cache.set(key, v);
    }
    return v;
  };
  return { dir, group: (n) => get('group_vars', n), host: (n) => get('host_vars', n) };
}

function loadVarsFor(base: string, name: string): Record<string, unknown> {
  if (!existsSync(base)) return {};
  const out: Record<string, unknown> = {};
  for (const file of findVarsFiles(base, name)) Object.assign(out, readVarsFile(file));
  return out;
}

export function findVarsFiles(base: string, name: string): string[] {
  for (const ext of EXTENSIONS) {
    const p = join(base, name + ext);
    if (!existsSync(p)) continue;
    return statSync(p).isDirectory() ? dirFiles(p) : [p];
  }
  return [];
}

function dirFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const full = join(dir, entry);
    const ext = extname(entry);
    const st = statSync(full);
    if (st.isDirectory() && !ext) out.push(...dirFiles(full));
    else if (st.isFile() && EXTENSIONS.includes(ext)) out.push(full);
  }
  return out;
}

export function readVarsFile(file: string): Record<string, unknown> {
  const data = loadDataFile(readFileSync(file, 'utf8'), file);
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new PhiloteError('parse', `Invalid vars file: expected a dictionary of variables, got ${Array.isArray(data) ? 'a list' : typeof data}`, {
      location: { file, line: 1, column: 1 },
    });
  }
  return data as Record<string, unknown>;
}
