/**
 * Expands a role (from `roles:`, a meta dependency, import_role or include_role) into an
 * implicit Block: its dependencies' blocks first, then its tasks, every item tagged with
 * the RoleInstance. Keywords written on the role entry (when, tags, become...) sit on the
 * block so that they apply to all of the role's tasks, dependencies included.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import type { SourceLocation } from '../errors.js';
import { readInheritable } from './inheritable.js';
import { ROLE_ENTRY_KEYWORDS, asBool, asString, fail } from './keywords.js';
import type { ParseContext } from './parse-context.js';
import type { StaticRender } from './static-vars.js';
import { findRole, roleDir, roleFile } from './role-files.js';
import { readRoleArgSpecs, roleArgSpecFile, roleValidationTask } from './role-argspec.js';
import { parseTaskList } from './task.js';
import { isMapping } from './values.js';
import type { Block, InheritableKeywords, RoleInstance, TaskBase, TaskItem } from './types.js';
import { itemLocationOf, keyLocationOf, locationOf, readYamlFile } from '../values/yaml.js';

/** A role reference as written: name, params and the keywords that apply to its tasks. */
export interface RoleEntry {
  name: string;
  params: Record<string, unknown>;
  keywords: InheritableKeywords;
  loc: SourceLocation;
}

export interface RoleFiles {
  tasks_from?: string;
  vars_from?: string;
  defaults_from?: string;
  handlers_from?: string;
  allow_duplicates?: boolean;
  /** include_role/import_role's `rolespec_validate` (default true): run the argument spec task. */
  rolespec_validate?: boolean;
  /** Loaded by include_role/import_role: the role has no params of its own (its vars are task vars). */
  fromInclude?: boolean;
}

export interface ExpandedRole {
  role: RoleInstance;
  block: Block;
  handlers: TaskItem[];
}

const ENTRY_KEYS = new Set<string>(ROLE_ENTRY_KEYWORDS);

/** `- common`, `- role: common`, `- name: common`, `- {role: x, param: 1, tags: [a]}`. */
export function parseRoleEntry(entry: unknown, fallback: SourceLocation): RoleEntry {
  const loc = locationOf(entry) ?? fallback;
  if (typeof entry === 'string') return { name: entry.trim(), params: {}, keywords: {}, loc };
  if (!isMapping(entry)) fail(`role definitions must contain a role name, got a ${Array.isArray(entry) ? 'list' : typeof entry}`, loc);
  // Galaxy-style dependencies name the role by `src` (optionally "src,version").
  const src = typeof entry['src'] === 'string' ? entry['src'].split(',')[0]!.trim() : undefined;
  const nameValue = entry['role'] ?? entry['name'] ?? (src && !src.includes('://') ? src.replace(/\.git$/, '').split('/').pop() : undefined);
  if (nameValue === undefined || nameValue === null) fail('role definitions must contain a role name', loc);
  const name = asString('role', nameValue, keyLocationOf(entry, 'role' in entry ? 'role' : 'name')).trim();
  const params: Record<string, unknown> = {};
  const kw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) {
    if (k === 'role' || k === 'name' || (src !== undefined && (k === 'src' || k === 'version' || k === 'scm'))) continue;
    if (ENTRY_KEYS.has(k)) kw[k] = v;
    else params[k] = v;
  }
  const keywords: InheritableKeywords = {};
  readInheritable(kw, keywords, loc, 'RoleInclude');
  // readInheritable looks up key locations on the map it is given; keep the entry's.
  return { name, params, keywords, loc };
}

function readDict(file: string | undefined, what: string): Record<string, unknown> {
  if (!file) return {};
  if (statSync(file).isDirectory()) {
    // vars/main/ and defaults/main/ as directories: every YAML file in name order, merged.
    const out: Record<string, unknown> = {};
    for (const f of readdirSync(file).filter((n) => /\.(ya?ml|json)$/.test(n)).sort()) Object.assign(out, readDict(join(file, f), what));
    return out;
  }
  const data = readYamlFile(file);
  if (data === null || data === undefined) return {};
  if (!isMapping(data)) fail(`the ${what} file must contain a dictionary of variables`, locationOf(data) ?? { file, line: 1, column: 1 });
  return data;
}

export interface RoleExpander {
  rolesPath: string[];
  collectionsPaths: string[];
  render: StaticRender;
  /** Builds the context for reading a task/handler file of a role. */
  contextFor(file: string, role: RoleInstance, tasksDir: string, handlers: boolean, parent: ParseContext): ParseContext;
}

let duplicateCounter = 0;

/** The argument spec check ansible-core puts before the role's own tasks (role-argspec.ts). */
function validationTasks(
  found: { name: string; path: string; collection?: string },
  files: RoleFiles,
  entry: RoleEntry,
  meta: Record<string, unknown>,
  role: RoleInstance,
  expander: RoleExpander,
  parent: ParseContext,
): TaskItem[] {
  const task = roleValidationTask({
    roleName: found.collection ? found.name.slice(found.collection.length + 1) : found.name,
    rolePath: found.path,
    specs: readRoleArgSpecs(found.path, meta),
    entryPoint: files.tasks_from !== undefined ? basename(files.tasks_from) : 'main',
    params: files.fromInclude ? {} : entry.params,
  });
  if (!task) return [];
  const file = roleArgSpecFile(found.path)!;
  return parseTaskList([task], expander.contextFor(file, role, join(found.path, 'tasks'), false, parent), `argument spec of role '${found.name}'`, { file, line: 1, column: 1 });
}

/** Loads a role and its dependencies. `stack` holds the role paths being expanded, to stop cycles. */
export function expandRole(
  entry: RoleEntry,
  files: RoleFiles,
  parent: ParseContext,
  expander: RoleExpander,
  parentRolePath: string | undefined,
  stack: string[] = [],
  parentRole?: { role: RoleInstance; via: 'dependency' | 'include' },
): ExpandedRole {
  // Role names are templated with the variables known at load time, as RoleDefinition does.
  const roleName = expander.render(entry.name, parent.vars, entry.loc);
  const found = findRole(roleName, parent.playbookDir, expander.rolesPath, parentRolePath ? dirname(parentRolePath) : undefined, entry.loc, expander.collectionsPaths);
  if (stack.includes(found.path)) {
    fail(`the role '${found.name}' depends on itself (${[...stack, found.path].map((p) => p.split('/').pop()).join(' -> ')})`, entry.loc);
  }
  const metaFile = roleFile(found.path, 'meta', 'main');
  const meta = readDict(metaFile, 'meta/main');
  const allowDuplicates = files.allow_duplicates ?? (meta['allow_duplicates'] !== undefined ? asBool('allow_duplicates', meta['allow_duplicates'], keyLocationOf(meta, 'allow_duplicates')) : false);
  const pick = (sub: string, from: string | undefined): string | undefined => {
    const subDir = join(found.path, sub);
    // os.path.join: an absolute *_from replaces the role's folder, and is then refused unless it
    // lies inside it (as is one that climbs out with '..').
    if (from !== undefined && (isAbsolute(from) || from.split('/').includes('..'))) {
      const f = roleFile(isAbsolute(from) ? dirname(from) : subDir, '', isAbsolute(from) ? basename(from) : from);
      if (f && relative(subDir, f).startsWith('..')) fail(`Failed loading '${f}' for role (${found.name}) as it is not inside the expected role path: '${subDir}'`, entry.loc);
    }
    const f = roleFile(found.path, sub, from ?? 'main');
    if (from !== undefined && !f && !roleDir(found.path, sub, from)) fail(`Could not find specified file in role: ${sub}/${from}`, entry.loc);
    return f;
  };
  const defaultsFile = pick('defaults', files.defaults_from) ?? roleDir(found.path, 'defaults', files.defaults_from);
  const varsFile = pick('vars', files.vars_from) ?? roleDir(found.path, 'vars', files.vars_from);
  const tasksFile = pick('tasks', files.tasks_from);
  const handlersFile = pick('handlers', files.handlers_from);
  // The role cache key of Role.load: params, when, tags, vars and the *_from files.
  const { vars: entryVars, when: entryWhen, tags: entryTags } = entry.keywords as { vars?: unknown; when?: unknown; tags?: unknown };
  const idParts = [found.path, JSON.stringify(entry.params), JSON.stringify([entryVars, entryWhen, entryTags]), files.tasks_from ?? '', files.vars_from ?? '', files.defaults_from ?? '', files.handlers_from ?? ''];
  if (allowDuplicates) idParts.push(`dup${++duplicateCounter}`);
  const role: RoleInstance = {
    name: found.name,
    path: found.path,
    defaults: readDict(defaultsFile, 'defaults'),
    vars: readDict(varsFile, 'vars'),
    params: entry.params,
    id: idParts.join('|'),
    ...(found.collection ? { collection: found.collection } : {}),
    ...(parentRole ? { parent: parentRole } : {}),
  };
  const inner = [...stack, found.path];
  // The entry's keywords as its handlers inherit them (its tasks get them from the role's block).
  const entryScope: TaskBase = { ...entry.keywords, loc: entry.loc };
  // Handlers keep their identity (notify and dedup compare objects) where the entry has no keywords.
  const underEntry = (h: TaskItem): TaskItem => (Object.keys(entry.keywords).length ? { ...h, handlerParents: [entryScope, ...(h.handlerParents ?? [])] } : h);
  const depBlocks: Block[] = [];
  const handlers: TaskItem[] = [];
  const deps = meta['dependencies'];
  if (deps !== undefined && deps !== null) {
    const depsLoc = keyLocationOf(meta, 'dependencies') ?? { file: metaFile ?? found.path, line: 1, column: 1 };
    if (!Array.isArray(deps)) fail('role dependencies must be a list', depsLoc);
    for (const [i, d] of deps.entries()) {
      const depEntry = parseRoleEntry(d, itemLocationOf(deps, i) ?? depsLoc);
      const dep = expandRole(depEntry, {}, parent, expander, found.path, inner, { role, via: 'dependency' });
      (role.dependencies ??= []).push(dep.role);
      depBlocks.push({ ...dep.block, roleDependency: true });
      handlers.push(...dep.handlers.map(underEntry));
    }
  }
  const tasksDir = join(found.path, 'tasks');
  const tasks = tasksFile
    ? parseTaskList(readYamlFile(tasksFile), expander.contextFor(tasksFile, role, tasksDir, false, parent), `tasks of role '${found.name}'`, { file: tasksFile, line: 1, column: 1 })
    : [];
  if (files.rolespec_validate !== false) tasks.unshift(...validationTasks(found, files, entry, meta, role, expander, parent));
  if (handlersFile) {
    const hctx = expander.contextFor(handlersFile, role, join(found.path, 'handlers'), true, parent);
    const own = parseTaskList(readYamlFile(handlersFile), hctx, `handlers of role '${found.name}'`, { file: handlersFile, line: 1, column: 1 });
    handlers.push(...own.map(underEntry));
  }
  const block: Block = { ...entry.keywords, kind: 'block', loc: entry.loc, block: [...depBlocks, ...tasks], rescue: [], always: [], implicit: true, role };
  return { role, block, handlers };
}
