/**
 * Reading variable files on the controller: vars_files, include_vars, and the
 * group_vars/ host_vars/ directories that sit beside a playbook. Parsing is src/values/yaml.ts
 * (Ansible's loader, so `flag: off` is false and `0755` is 493 as in a playbook); this file only
 * decides which files to read and in what order.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PhiloteError } from '../errors.js';
import { readYamlFile } from '../values/yaml.js';
import { pyStr, typeName } from '../template/runtime/values.js';

const VAR_EXTENSIONS = ['', '.yml', '.yaml', '.json'];

/** Parse one YAML/JSON file that must hold a mapping (or nothing). */
export function readVarsFile(path: string): Record<string, unknown> {
  const data = readYamlFile(path);
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new PhiloteError('parse', `${path} must contain a dictionary of variables, got ${Array.isArray(data) ? 'a list' : typeof data}`);
  }
  return data as Record<string, unknown>;
}

/**
 * A vars_files file: a mapping, or a list of mappings merged in order (preprocess_vars); anything
 * else is refused with ansible-core's words.
 */
export function readVarsFilesEntry(path: string): Record<string, unknown> {
  const data = readYamlFile(path);
  if (data === null || data === undefined) return {};
  const items = Array.isArray(data) ? data : [data];
  const out: Record<string, unknown> = {};
  for (const item of items) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new PhiloteError('runtime', `variable files must contain either a dictionary of variables, or a list of dictionaries. Got: ${pyStr(data)} (<class '${Array.isArray(data) ? 'list' : typeName(data)}'>)`, { location: { file: path, line: 1, column: 1 } });
    }
    Object.assign(out, item);
  }
  return out;
}

/** Files of a vars directory in Ansible's order: sorted by name, recursively, only var extensions. */
export function listVarsDir(dir: string, opts: { depth?: number; ignoreFiles?: string[] } = {}): string[] {
  const out: string[] = [];
  const walk = (d: string, level: number) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        if (opts.depth === undefined || opts.depth === 0 || level < opts.depth) walk(p, level + 1);
      } else if (/\.(ya?ml|json)$/.test(name) && !(opts.ignoreFiles ?? []).includes(name)) {
        out.push(p);
      }
    }
  };
  walk(dir, 1);
  return out;
}

/** Load the vars of `<dir>/<name>` where name may be a file (with or without extension) or a directory. */
export function loadNamedVars(dir: string, name: string): Record<string, unknown> | undefined {
  for (const ext of VAR_EXTENSIONS) {
    const p = join(dir, name + ext);
    if (!existsSync(p)) continue;
    if (statSync(p).isDirectory()) {
      const merged: Record<string, unknown> = {};
      for (const f of listVarsDir(p)) Object.assign(merged, readVarsFile(f));
      return merged;
    }
    if (ext === '' && !/\.(ya?ml|json)$/.test(name) && existsSync(p + '.yml')) continue;
    return readVarsFile(p);
  }
  return undefined;
}
