/**
 * include_vars (an executor action, see EXECUTOR_ACTIONS): loads a vars file or directory
 * at run time. The loaded variables land at include_vars precedence, not as facts.
 *
 * Follows ansible-core 2.14's action plugin, quirks included: a directory is relative to the
 * role's vars/ (or to the task file's folder outside a role); `depth` counts the folders of the
 * sorted walk, not levels; failures are reported under `message`, not `msg`.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join } from 'node:path';
import type { ModuleResult } from '../modules/types.js';
import type { RoleInstance } from '../playbook/types.js';
import { searchStack } from '../template/lookups/search.js';
import { readVarsFile } from '../vars/files.js';
import { mergeDicts } from '../template/filters/lists.js';
import { failedResult } from './results.js';

const DIR_ARGS = ['dir', 'depth', 'files_matching', 'ignore_files', 'extensions', 'ignore_unknown_extensions'];
const FILE_ARGS = ['file', '_raw_params'];
const ALL_ARGS = ['name', 'hash_behaviour'];

export interface IncludeVarsPlace {
  role: RoleInstance | undefined;
  playbookDir: string;
  /** The file the task was written in (its folder is the base of `dir` outside a role). */
  taskFile: string;
  /** ansible_search_path of the task: where `file` is looked for. */
  searchPath: string[];
  warn(message: string): void;
  /** The task's variables, for hash_behaviour: merge. */
  taskVars: Record<string, unknown>;
}

function isDict(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function runIncludeVars(args: Record<string, unknown>, place: IncludeVarsPlace): ModuleResult {
  let dirs = 0;
  let files = 0;
  for (const k of Object.keys(args)) {
    if (DIR_ARGS.includes(k)) dirs++;
    else if (FILE_ARGS.includes(k)) files++;
    else if (!ALL_ARGS.includes(k)) return failedResult(`${k} is not a valid option in include_vars`);
  }
  if (dirs && files) return failedResult('You are mixing file only and dir only arguments, these are incompatible');
  const name = args['name'] as string | undefined;
  let extensions = args['extensions'] ?? ['yaml', 'yml', 'json'];
  if (typeof extensions === 'string') extensions = [...extensions];
  if (!Array.isArray(extensions)) return failedResult('Invalid type for "extensions" option, it must be a list');

  const included: string[] = [];
  let loaded: Record<string, unknown> = {};
  let error: string | undefined;
  const dir = args['dir'] as string | undefined;
  if (dir) {
    // On a failure, the folders loaded before the failing one stay in the (unused) result.
    const r = loadDir(String(dir), args, extensions.map(String), place, included);
    error = r.error;
    loaded = r.data;
  } else {
    const given = args['file'] || args['_raw_params'];
    const file = given === undefined || given === null || given === '' ? undefined : String(given).replace(/\n+$/, '');
    const { found, searched } = file === undefined ? { found: undefined, searched: [] } : searchStack(place.searchPath, 'vars', file, place.playbookDir);
    if (file === undefined) {
      place.warn('Invalid request to find a file that matches a "null" value');
      error = 'Could not find file on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option';
    } else if (!found) {
      error = `Could not find or access '${file}'\nSearched in:\n\t${searched.join('\n\t')} on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option`;
    } else {
      const r = loadFile(found, included);
      if (typeof r === 'string') error = r;
      else loaded = r;
    }
  }
  let facts: Record<string, unknown> = name ? { [name]: loaded } : loaded;
  // hash_behaviour: merge folds each loaded dict into the value the task already sees (combine_vars).
  if (!error && args['hash_behaviour'] === 'merge') {
    facts = Object.fromEntries(
      Object.entries(facts).map(([k, v]) => {
        const old = place.taskVars[k];
        return [k, isDict(old) && isDict(v) ? mergeDicts(old, v, true, 'replace') : v];
      }),
    );
  }
  const out: ModuleResult = { ansible_facts: facts, ansible_included_var_files: included, changed: false };
  if (error) {
    out.failed = true;
    out['message'] = error;
  }
  return out;
}

function loadFile(path: string, included: string[]): Record<string, unknown> | string {
  let data: Record<string, unknown>;
  try {
    data = readVarsFile(path);
  } catch (e) {
    const m = (e as Error).message;
    return /must contain a dictionary/.test(m) ? `${path} must be stored as a dictionary/hash` : m;
  }
  included.push(path);
  return data;
}

function loadDir(dir: string, args: Record<string, unknown>, extensions: string[], place: IncludeVarsPlace, included: string[]): { data: Record<string, unknown>; error?: string } {
  const result: Record<string, unknown> = {};
  const error = loadDirInto(result, dir, args, extensions, place, included);
  return error === undefined ? { data: result } : { data: result, error };
}

function loadDirInto(result: Record<string, unknown>, dir: string, args: Record<string, unknown>, extensions: string[], place: IncludeVarsPlace, included: string[]): string | undefined {
  let root: string;
  if (place.role) {
    const inVars = join(place.role.path, dir);
    root = dir.split('/')[0] === 'vars' ? (existsSync(inVars) ? inVars : dir) : join(place.role.path, 'vars', dir);
  } else root = join(isAbsolute(place.taskFile) ? dirname(place.taskFile) : place.playbookDir, dir);
  if (!existsSync(root)) return `${root} directory does not exist`;
  if (!statSync(root).isDirectory()) return `${root} is not a directory`;

  const depth = Number(args['depth'] ?? 0) || 0;
  let matcher: RegExp | undefined;
  let ignores: RegExp[];
  try {
    matcher = args['files_matching'] ? new RegExp(String(args['files_matching'])) : undefined;
  } catch {
    return `Invalid regular expression: ${String(args['files_matching'])}`;
  }
  const ig = args['ignore_files'] ?? [];
  if (ig !== null && typeof ig === 'object' && !Array.isArray(ig)) return `${JSON.stringify(ig)} must be a list`;
  const igList = typeof ig === 'string' ? ig.split(/\s+/).filter(Boolean) : (ig as unknown[]).map(String);
  try {
    ignores = igList.map((p) => new RegExp(`${p}$`));
  } catch {
    return `Invalid regular expression: ${igList.join(', ')}`;
  }
  const ignoreUnknown = ['true', 'yes', 'on', '1'].includes(String(args['ignore_unknown_extensions'] ?? false).toLowerCase());
  const validExt = (f: string) => extensions.includes(extname(f).slice(1));

  let count = 0;
  for (const [folder, names] of sortedWalk(root)) {
    count++;
    if (depth !== 0 && count > depth) break;
    const inFolder: Record<string, unknown> = {};
    for (const f of names.sort()) {
      if (matcher && !matcher.test(f)) continue;
      const path = join(folder, f);
      if (ignores.some((r) => r.test(f))) continue;
      if (ignoreUnknown && !validExt(f)) continue;
      if (!validExt(f)) return `${path} does not have a valid extension: ${extensions.join(', ')}`;
      const r = loadFile(path, included);
      if (typeof r === 'string') return r;
      Object.assign(inFolder, r);
    }
    Object.assign(result, inFolder);
  }
  return undefined;
}

/** os.walk's (folder, files) pairs sorted by folder path, as the action plugin sorts them. */
function sortedWalk(root: string): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  const visit = (d: string) => {
    const files: string[] = [];
    const subdirs: string[] = [];
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const n of entries) {
      const p = join(d, n);
      try {
        if (statSync(p).isDirectory()) subdirs.push(p);
        else files.push(n);
      } catch {
        files.push(n);
      }
    }
    out.push([d, files]);
    for (const s of subdirs) visit(s);
  };
  visit(root);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
