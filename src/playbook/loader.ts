/**
 * The playbook loader: files → Playbook (plays with import_playbook flattened, roles and
 * static imports expanded), and the run-time half used by the executor for include_tasks
 * and include_role. Everything is parsed before anything runs, so every mistake in the
 * static part of a playbook is reported up front with its location.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { PhiloteError, type SourceLocation } from '../errors.js';
import { loadTemplar, makeStaticRender, type StaticRender } from './static-vars.js';
import { IMPORT_PLAYBOOK_KEYWORDS, asBool, asConditions, asString, asTags, asVars, fail, unknownKeyword } from './keywords.js';
import type { ParseContext } from './parse-context.js';
import { parsePlay, type PlayParseHooks } from './play.js';
import { expandRole, parseRoleEntry, type RoleFiles } from './roles.js';
import { includeOriginOf, taskFileCandidates } from './includes.js';
import { parseTaskList } from './task.js';
import { isMapping } from './values.js';
import type { Block, IncludeItem, Play, Playbook, PlaybookLoader, RoleInstance, TaskItem } from './types.js';
import { keyLocationOf, locationOf, readYamlFile, valueLocationOf } from '../values/yaml.js';

export interface LoaderOptions {
  /** roles_path from ansible.cfg / ANSIBLE_ROLES_PATH, searched after <playbook dir>/roles. */
  rolesPath: string[];
  /** -e vars: they may name imported files and roles. */
  extraVars?: Record<string, unknown>;
  /** collections_paths, for `ns.collection.role` names. */
  collectionsPaths?: string[];
}

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

export class Loader implements PlaybookLoader, PlayParseHooks {
  readonly rolesPath: string[];
  readonly collectionsPaths: string[];
  readonly extraVars: Record<string, unknown>;
  /** Renders import names; plain {{ var }} lookups until `prepare()` loads the template engine. */
  render: StaticRender = makeStaticRender(undefined);
  private prepared = false;

  constructor(opts: LoaderOptions) {
    this.rolesPath = opts.rolesPath;
    this.collectionsPaths = opts.collectionsPaths ?? [];
    this.extraVars = opts.extraVars ?? {};
  }

  /** Loads the template engine for import names (optional: without it only plain {{ var }} works). */
  async prepare(): Promise<void> {
    if (this.prepared) return;
    this.prepared = true;
    this.render = makeStaticRender(await loadTemplar());
  }

  async loadPlaybook(file: string): Promise<Playbook> {
    await this.prepare();
    return this.loadPlaybookSync(file);
  }

  loadPlaybookSync(file: string): Playbook {
    const abs = resolve(file);
    return { file, plays: this.readPlays(abs, []) };
  }

  private readPlays(file: string, stack: string[], importLoc?: SourceLocation): Play[] {
    if (stack.includes(file)) fail(`import_playbook loop: ${[...stack, file].join(' -> ')}`, importLoc);
    if (!isFile(file)) fail(`Could not find or access '${file}'`, importLoc);
    const data = readYamlFile(file);
    const loc = locationOf(data) ?? { file, line: 1, column: 1 };
    if (data === null || data === undefined) fail('Empty playbook, nothing to do', loc);
    if (!Array.isArray(data)) fail(`A playbook must be a list of plays, got a ${isMapping(data) ? 'dict' : typeof data} instead`, loc);
    const plays: Play[] = [];
    const dir = dirname(file);
    for (const entry of data) {
      if (!isMapping(entry)) fail(`playbook entries must be either valid plays or 'import_playbook' statements, got ${JSON.stringify(entry)}`, loc);
      const importKey = Object.keys(entry).find((k) => k === 'import_playbook' || k === 'ansible.builtin.import_playbook' || k === 'ansible.legacy.import_playbook' || k === 'include');
      if (importKey) plays.push(...this.importPlaybook(entry, importKey, dir, [...stack, file]));
      else plays.push(parsePlay(entry, file, dir, this));
    }
    return plays;
  }

  private importPlaybook(entry: Record<string, unknown>, key: string, dir: string, stack: string[]): Play[] {
    const loc = locationOf(entry) ?? { file: stack[stack.length - 1]!, line: 1, column: 1 };
    const at = (k: string) => keyLocationOf(entry, k) ?? loc;
    if (key === 'include') fail("'include' is not a valid attribute for a Play", at(key), "a playbook is included with 'import_playbook'");
    for (const k of Object.keys(entry)) {
      if (!(IMPORT_PLAYBOOK_KEYWORDS as readonly string[]).includes(k)) unknownKeyword(k, 'PlaybookInclude', IMPORT_PLAYBOOK_KEYWORDS, at(k));
    }
    const vars = entry['vars'] !== undefined ? asVars(entry['vars'], at('vars'), 'PlaybookInclude') : {};
    const name = this.render(asString(key, entry[key], at(key)).trim(), { ...vars, ...this.extraVars, playbook_dir: dir }, at(key));
    const target = isAbsolute(name) ? name : join(dir, name);
    // The import's vars are the imported plays' vars while they are parsed too (static
    // import_role names, import_tasks files); an outer import's win over an inner one's.
    const outer = this.importVars;
    this.importVars = { ...vars, ...outer };
    let plays: Play[];
    try {
      plays = this.readPlays(target, stack, at(key));
    } finally {
      this.importVars = outer;
    }
    const when = entry['when'] !== undefined ? asConditions('when', entry['when'], at('when')) : [];
    const tags = entry['tags'] !== undefined ? asTags(entry['tags'], at('tags')) : [];
    for (const p of plays) {
      // As PlaybookInclude.load_data: the import's vars win, tags are added, `when` guards every task.
      if (Object.keys(vars).length) p.vars = { ...(p.vars ?? {}), ...vars };
      if (tags.length) p.tags = [...new Set([...(p.tags ?? []), ...tags])];
      if (when.length) p.when = [...when, ...(p.when ?? [])];
    }
    return plays;
  }

  // ---- parse contexts ----------------------------------------------------------------

  /** The vars of the import_playbook statements being expanded (PlaybookInclude.load_data). */
  private importVars: Record<string, unknown> = {};

  playContext(file: string, playbookDir: string, playVars: Record<string, unknown>): ParseContext {
    const vars = { ...playVars, ...this.importVars, ...this.extraVars, playbook_dir: playbookDir };
    return this.makeContext({ file, dir: dirname(file), playbookDir, handlers: false, vars, importStack: [file], roleHandlers: [] });
  }

  contextFor(file: string, role: RoleInstance, tasksDir: string, handlers: boolean, parent: ParseContext): ParseContext {
    return this.makeContext({
      file,
      dir: dirname(file),
      playbookDir: parent.playbookDir,
      role: { instance: role, tasksDir },
      handlers,
      vars: { ...role.defaults, ...parent.vars, ...role.vars, ...role.params, ...this.extraVars, role_name: role.name, role_path: role.path },
      importStack: [...parent.importStack, file],
      roleHandlers: parent.roleHandlers,
      ...(parent.dynamic ? { dynamic: true } : {}),
    });
  }

  private readonly deprecations = new Set<string>();
  private deprecationsTaken = new Set<string>();

  takeDeprecations(): string[] {
    const fresh = [...this.deprecations].filter((m) => !this.deprecationsTaken.has(m));
    for (const m of fresh) this.deprecationsTaken.add(m);
    return fresh;
  }

  private makeContext(base: Omit<ParseContext, 'importRole' | 'importTasks'>): ParseContext {
    return {
      deprecate: (m: string) => this.deprecations.add(m),
      ...base,
      importTasks: (name, ctx, loc) => this.importTasks(name, ctx, loc),
      importRole: (args, ctx, wrapper) => this.importRole(args, ctx, wrapper),
    };
  }

  private findTaskFile(name: string, ctx: { dir: string; roleTasksDir?: string; playbookDir: string }, loc: SourceLocation | undefined): string {
    const candidates = taskFileCandidates(name, ctx.dir, ctx.roleTasksDir, ctx.playbookDir);
    const hit = candidates.find(isFile);
    // A missing file is 'not-found': at run time it fails the include for the host, where a
    // malformed one ends the run.
    if (!hit) throw new PhiloteError('not-found', `Could not find or access '${name}' (looked in ${candidates.join(', ')})`, { location: loc });
    return hit;
  }

  private importTasks(written: string, ctx: ParseContext, loc: SourceLocation): TaskItem[] {
    const name = this.render(written, ctx.vars, loc);
    const file = this.findTaskFile(name, { dir: ctx.dir, roleTasksDir: ctx.role?.tasksDir, playbookDir: ctx.playbookDir }, loc);
    if (ctx.importStack.includes(file)) fail(`import_tasks loop: ${[...ctx.importStack, file].join(' -> ')}`, loc);
    // The imported file's top level is a list of blocks again (a block there is not nested).
    const inner: ParseContext = { ...ctx, file, dir: dirname(file), importStack: [...ctx.importStack, file], inBlock: false };
    return parseTaskList(readYamlFile(file), inner, `'${name}'`, { file, line: 1, column: 1 });
  }

  private roleFiles(args: Record<string, unknown>, loc: SourceLocation): RoleFiles {
    const files: RoleFiles = {};
    for (const k of ['tasks_from', 'vars_from', 'defaults_from', 'handlers_from'] as const) {
      if (args[k] !== undefined && args[k] !== null) files[k] = asString(k, args[k], loc);
    }
    if (args['allow_duplicates'] !== undefined) files.allow_duplicates = asBool('allow_duplicates', args['allow_duplicates'], loc);
    if (args['rolespec_validate'] !== undefined) files.rolespec_validate = asBool('rolespec_validate', args['rolespec_validate'], loc);
    files.fromInclude = true;
    return files;
  }

  private importRole(args: Record<string, unknown>, ctx: ParseContext, wrapper: Block): Block {
    const loc = wrapper.loc;
    const name = this.render(asString('name', args['name'] ?? args['_raw_params'], loc), ctx.vars, loc);
    const entry = parseRoleEntry(name, loc);
    entry.loc = roleNameLocation(args) ?? loc;
    entry.params = { ...(wrapper.vars ?? {}) };
    const from = ctx.role?.instance;
    const expanded = expandRole(entry, this.roleFiles(args, loc), ctx, this, from?.path, [], from ? { role: from, via: 'include' } : undefined);
    expanded.role.imported = true;
    if (!ctx.roleHandlers.some((h) => h.role?.id === expanded.role.id)) ctx.roleHandlers.push(...expanded.handlers);
    // The wrapper carries the import's keywords; the role block inside carries the role.
    wrapper.block = [expanded.block];
    return wrapper;
  }

  // ---- run time ----------------------------------------------------------------------

  includedTaskPath(file: string, from: IncludeItem): string {
    const origin = includeOriginOf(from);
    const roleTasksDir = origin?.roleTasksDir ?? (from.role ? join(from.role.path, 'tasks') : undefined);
    return this.findTaskFile(file, { dir: from.baseDir, roleTasksDir, playbookDir: origin?.playbookDir ?? from.baseDir }, from.loc);
  }

  async loadIncludedTasks(file: string, from: IncludeItem): Promise<TaskItem[]> {
    const origin = includeOriginOf(from);
    const roleTasksDir = origin?.roleTasksDir ?? (from.role ? join(from.role.path, 'tasks') : undefined);
    const playbookDir = origin?.playbookDir ?? from.baseDir;
    const path = this.findTaskFile(file, { dir: from.baseDir, roleTasksDir, playbookDir }, from.loc);
    const stack = origin?.importStack ?? [];
    await this.prepare();
    const ctx = this.makeContext({ file: path, dir: dirname(path), playbookDir, handlers: false, vars: { ...this.extraVars, playbook_dir: playbookDir }, importStack: [...stack, path], roleHandlers: [] });
    if (from.role && roleTasksDir) ctx.role = { instance: from.role, tasksDir: roleTasksDir };
    if (origin?.fromHandler) ctx.handlerFile = true;
    ctx.dynamic = true;
    return parseTaskList(readYamlFile(path), ctx, `'${file}'`, { file: path, line: 1, column: 1 });
  }

  async loadIncludedRole(
    args: { name: string; tasks_from?: string; vars_from?: string; defaults_from?: string; handlers_from?: string },
    from: IncludeItem,
  ): Promise<{ role: RoleInstance; block: Block; handlers: TaskItem[] }> {
    const origin = includeOriginOf(from);
    const playbookDir = origin?.playbookDir ?? from.baseDir;
    await this.prepare();
    const ctx = this.makeContext({ file: from.loc.file, dir: from.baseDir, playbookDir, handlers: false, vars: { ...this.extraVars, playbook_dir: playbookDir }, importStack: origin?.importStack ?? [], roleHandlers: [] });
    ctx.dynamic = true;
    const entry = parseRoleEntry(args.name, from.loc);
    entry.loc = roleNameLocation(from.args) ?? from.loc;
    const rawArgs = args as Record<string, unknown>;
    const expanded = expandRole(entry, this.roleFiles(rawArgs, from.loc), ctx, this, from.role?.path, [], from.role ? { role: from.role, via: 'include' } : undefined);
    return { role: expanded.role, block: expanded.block, handlers: [...expanded.handlers, ...ctx.roleHandlers] };
  }
}

/** import_role/include_role: a role not found is reported at its name's value, as ansible-core does. */
function roleNameLocation(args: Record<string, unknown>): SourceLocation | undefined {
  return valueLocationOf(args, 'name') ?? valueLocationOf(args, '_raw_params');
}
