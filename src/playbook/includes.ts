/** include_tasks / include_role / import_tasks arguments, and where included task files are found. */
import { isAbsolute, join } from 'node:path';
import { didYouMean, type SourceLocation } from '../errors.js';
import { readInheritable } from './inheritable.js';
import { BLOCK_KEYWORDS, fail, unknownKeyword } from './keywords.js';
import type { ParseContext } from './parse-context.js';
import type { IncludeItem, InheritableKeywords } from './types.js';
import { isMapping, kindOf } from './values.js';
import { keyLocationOf } from '../values/yaml.js';

/** Keywords an include_tasks/include_role accepts (TaskInclude.VALID_INCLUDE_KEYWORDS). */
export const INCLUDE_KEYWORDS = ['action', 'args', 'collections', 'debugger', 'ignore_errors', 'loop', 'loop_control', 'name', 'no_log', 'register', 'run_once', 'tags', 'timeout', 'vars', 'when'];

/** The file (or role name) argument of an include/import: free form or `file:` / `name:`. */
export function includeFileArg(args: Record<string, unknown>, written: string, loc: SourceLocation): string {
  const v = args['file'] ?? args['_raw_params'] ?? args['name'];
  if (typeof v !== 'string' || v.trim() === '') fail(`No file specified for ${written}`, loc);
  return v.trim();
}

const INCLUDE_TASKS_ARGS = ['file', '_raw_params', 'apply'];
const ROLE_ARGS = ['name', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'allow_duplicates', 'public', 'rolespec_validate', 'apply'];

export function normalizeIncludeArgs(args: Record<string, unknown>, canonical: string, written: string, loc: SourceLocation): Record<string, unknown> {
  const valid = canonical === 'include_role' ? ROLE_ARGS : canonical === 'include' ? [...INCLUDE_TASKS_ARGS] : INCLUDE_TASKS_ARGS;
  if (canonical === 'include') return args; // old `include:` takes k=v vars too
  for (const k of Object.keys(args)) {
    if (!valid.includes(k)) fail(`Invalid options for ${written}: ${k}`, loc, didYouMean(k, valid));
  }
  if (canonical === 'include_role') {
    if (typeof args['name'] !== 'string' || !args['name']) fail(`'name' is a required field for ${written}.`, loc);
  } else includeFileArg(args, written, loc);
  if ('apply' in args) {
    const apply = args['apply'];
    if (!isMapping(apply)) fail(`Expected a dict for apply but got ${kindOf(apply)} instead`, loc);
    // `apply` becomes a parent Block of the included tasks: block keywords, typed like one.
    const typed: InheritableKeywords = {};
    for (const k of Object.keys(apply)) {
      if (k === 'block' || k === 'rescue' || k === 'always' || !(BLOCK_KEYWORDS as readonly string[]).includes(k)) unknownKeyword(k, 'Block (in apply)', BLOCK_KEYWORDS, keyLocationOf(apply, k) ?? loc);
    }
    readInheritable(apply, typed, loc, 'Block');
    // notify is a Block keyword too: the included tasks without their own notify inherit it.
    const notify = apply['notify'];
    if (notify !== undefined && notify !== null) (typed as { notify?: string[] }).notify = (Array.isArray(notify) ? notify : [notify]).map(String);
    return { ...args, apply: typed };
  }
  return args;
}

export interface IncludeOrigin {
  playbookDir: string;
  roleTasksDir?: string;
  importStack: string[];
  /** The include is a handler (or inside a file a handler included). */
  fromHandler?: boolean;
}

const includeOrigins = new WeakMap<IncludeItem, IncludeOrigin>();

export function rememberIncludeOrigin(inc: IncludeItem, ctx: ParseContext): void {
  const o: IncludeOrigin = { playbookDir: ctx.playbookDir, importStack: ctx.importStack };
  if (ctx.handlers || ctx.handlerFile) o.fromHandler = true;
  if (ctx.role) o.roleTasksDir = ctx.role.tasksDir;
  includeOrigins.set(inc, o);
}

export function includeOriginOf(inc: IncludeItem): IncludeOrigin | undefined {
  return includeOrigins.get(inc);
}

/** Candidate paths of a task file named in an include/import, in Ansible's order. */
export function taskFileCandidates(name: string, dir: string, roleTasksDir: string | undefined, playbookDir: string): string[] {
  if (isAbsolute(name)) return [name];
  const out = [join(dir, name)];
  // A role's handlers include from the role's tasks/ folder, as IncludedFile does for any role task.
  if (roleTasksDir) out.push(join(roleTasksDir, name), join(roleTasksDir, '..', 'tasks', name), join(roleTasksDir, '..', name));
  out.push(join(playbookDir, name));
  return [...new Set(out)];
}

