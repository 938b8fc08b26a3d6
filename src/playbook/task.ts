/**
 * One entry of a task list → Task, Block or IncludeItem, as Ansible's load_list_of_tasks
 * and ModuleArgsParser do: blocks, module name resolution (short, FQCN, action:,
 * local_action:), key=value arguments, `with_<lookup>` loops, keyword types, and static
 * import_tasks / import_role expansion.
 */
import { isAbsolute, join } from 'node:path';
import { didYouMean, type SourceLocation } from '../errors.js';
import { isExecutorAction, resolveModule } from '../modules/registry.js';
import { unknownAction } from './module-hints.js';
import type { AnyModuleDefinition } from '../modules/types.js';
import { readInheritable } from './inheritable.js';
import { BLOCK_KEYWORDS, HANDLER_KEYWORDS, TASK_KEYWORDS, asBoolish, asConditions, asIntish, asString, asStringList, fail, unknownKeyword } from './keywords.js';
import { parseKeyValues, splitModuleString } from './kv.js';
import type { ParseContext } from './parse-context.js';
import type { Block, IncludeItem, InheritableKeywords, LoopControl, Task, TaskItem } from './types.js';
import { validateArgsAtLoad } from './validate-args.js';
import { keyLocationOf, locationOf } from './yaml-source.js';

/** Modules whose free-form text is kept as `_raw_params` (Ansible's MODULE_REQUIRE_ARGS). */
const FREE_FORM_ACTIONS = new Set(['command', 'shell', 'raw', 'script', 'win_command', 'win_shell']);
/** Actions that accept `_raw_params` (RAW_PARAM_MODULES). */
const RAW_PARAM_ACTIONS = new Set([...FREE_FORM_ACTIONS, 'include', 'include_vars', 'include_tasks', 'include_role', 'import_tasks', 'import_role', 'add_host', 'group_by', 'set_fact', 'meta']);
/** Keywords an include_tasks/include_role accepts (TaskInclude.VALID_INCLUDE_KEYWORDS). */
const INCLUDE_KEYWORDS = ['action', 'args', 'collections', 'debugger', 'ignore_errors', 'loop', 'loop_control', 'name', 'no_log', 'register', 'run_once', 'tags', 'timeout', 'vars', 'when'];
const LOOP_CONTROL_KEYS = ['loop_var', 'index_var', 'label', 'pause', 'extended', 'extended_allitems'];

export function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'dict' : typeof v;
}

function hasTemplate(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('{{') || v.includes('{%');
  if (Array.isArray(v)) return v.some(hasTemplate);
  if (isMapping(v)) return Object.values(v).some(hasTemplate);
  return false;
}

/** A list of task entries (tasks:, block:, a task file). `null` is an empty list. */
export function parseTaskList(value: unknown, ctx: ParseContext, what: string, loc: SourceLocation | undefined): TaskItem[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) fail(`A malformed block was encountered while loading ${what}: expected a list of tasks, got a ${kindOf(value)}`, locationOf(value) ?? loc);
  return value.map((entry) => {
    if (!isMapping(entry)) fail(`A malformed task was found in ${what}: each task must be a mapping of keywords, got a ${kindOf(entry)} (${JSON.stringify(entry)})`, locationOf(value) ?? loc);
    return parseTaskItem(entry, ctx);
  });
}

export function parseTaskItem(ds: Record<string, unknown>, ctx: ParseContext): TaskItem {
  if ('block' in ds || 'rescue' in ds || 'always' in ds) return parseBlock(ds, ctx);
  return parseTask(ds, ctx);
}

function parseBlock(ds: Record<string, unknown>, ctx: ParseContext): Block {
  const loc = locationOf(ds) ?? { file: ctx.file, line: 1, column: 1 };
  for (const key of Object.keys(ds)) {
    if (!(BLOCK_KEYWORDS as readonly string[]).includes(key)) unknownKeyword(key, 'Block', BLOCK_KEYWORDS, keyLocationOf(ds, key));
  }
  const block: Block = {
    kind: 'block',
    loc,
    block: parseTaskList(ds['block'], ctx, 'a block', keyLocationOf(ds, 'block')),
    rescue: parseTaskList(ds['rescue'], ctx, 'a rescue section', keyLocationOf(ds, 'rescue')),
    always: parseTaskList(ds['always'], ctx, 'an always section', keyLocationOf(ds, 'always')),
  };
  if (ds['name'] !== null && ds['name'] !== undefined) block.name = asString('name', ds['name'], keyLocationOf(ds, 'name'));
  readInheritable(ds, block, loc);
  if (ctx.role) block.role = ctx.role.instance;
  if (ds['notify'] !== undefined && ds['notify'] !== null) {
    // Tasks inherit a block's notify (Block is Notifiable in 2.14).
    const notify = asStringList('notify', ds['notify'], keyLocationOf(ds, 'notify'));
    const push = (items: TaskItem[]) => {
      for (const it of items) {
        if (it.kind === 'task') it.notify ??= notify;
        else if (it.kind === 'block') [it.block, it.rescue, it.always].forEach(push);
      }
    };
    [block.block, block.rescue, block.always].forEach(push);
  }
  return block;
}

interface ResolvedAction {
  /** As written, e.g. 'ansible.builtin.copy'. */
  written: string;
  /** Canonical short name. */
  canonical: string;
  def?: AnyModuleDefinition;
  args: Record<string, unknown>;
  delegateToLocalhost: boolean;
}

function canonicalExecutorAction(name: string): string {
  return name.replace(/^ansible\.(builtin|legacy)\./, '');
}

/** Whether a task key names something runnable: a module, an executor action, or the old `include`. */
function knownAction(name: string): { canonical: string; def?: AnyModuleDefinition } | undefined {
  if (isExecutorAction(name)) return { canonical: canonicalExecutorAction(name) };
  const short = canonicalExecutorAction(name);
  if (short === 'include') return { canonical: 'include' };
  const def = resolveModule(name);
  if (def) return { canonical: def.name, def };
  return undefined;
}

/** Module arguments from `module: <thing>` (new style): a dict, k=v text, or nothing. */
function newStyleArgs(thing: unknown, canonical: string, loc: SourceLocation): Record<string, unknown> {
  if (thing === null || thing === undefined) return {};
  if (isMapping(thing)) return { ...thing };
  if (typeof thing === 'string') return parseKeyValues(thing, FREE_FORM_ACTIONS.has(canonical), loc);
  if (typeof thing === 'number' || typeof thing === 'boolean') return parseKeyValues(String(thing), FREE_FORM_ACTIONS.has(canonical), loc);
  fail(`unexpected parameter type in action: ${kindOf(thing)}`, loc);
}

/** `action:` / `local_action:` (old style): "copy src=a" or {module: copy, src: a}. */
function oldStyleAction(thing: unknown, key: string, loc: SourceLocation): { written: string; args: Record<string, unknown> } {
  if (typeof thing === 'string') {
    const [name, rest] = splitModuleString(thing, loc);
    const canonical = knownAction(name)?.canonical ?? name;
    return { written: name, args: parseKeyValues(rest, FREE_FORM_ACTIONS.has(canonical), loc) };
  }
  if (isMapping(thing) && typeof thing['module'] === 'string') {
    const [name, rest] = splitModuleString(thing['module'], loc);
    const canonical = knownAction(name)?.canonical ?? name;
    const { module: _m, ...args } = thing;
    void _m;
    return { written: name, args: { ...args, ...parseKeyValues(rest, FREE_FORM_ACTIONS.has(canonical), loc) } };
  }
  fail(`unexpected parameter type in ${key}: expected "module arg=value..." or a mapping with 'module', got a ${kindOf(thing)}`, loc);
}

function resolveAction(ds: Record<string, unknown>, ctx: ParseContext, loc: SourceLocation): ResolvedAction {
  const validKeys: readonly string[] = ctx.handlers ? HANDLER_KEYWORDS : TASK_KEYWORDS;
  let found: { written: string; args: Record<string, unknown>; key: string } | undefined;
  let delegateToLocalhost = false;
  for (const key of ['action', 'local_action']) {
    if (!(key in ds)) continue;
    const kl = keyLocationOf(ds, key) ?? loc;
    if (found) fail('action and local_action are mutually exclusive', kl);
    const old = oldStyleAction(ds[key], key, kl);
    found = { ...old, key };
    if (key === 'local_action') delegateToLocalhost = true;
  }
  for (const key of Object.keys(ds)) {
    if (validKeys.includes(key) || key.startsWith('with_')) continue;
    const kl = keyLocationOf(ds, key) ?? loc;
    const known = knownAction(key);
    if (!known) {
      if (key === 'listen' && !ctx.handlers) fail(`'listen' is only valid on handlers`, kl);
      const { message, hint } = unknownAction(key, validKeys);
      fail(message, kl, hint);
    }
    if (found) fail(`conflicting action statements: ${found.written}, ${key}`, kl);
    found = { written: key, args: newStyleArgs(ds[key], known.canonical, kl), key };
  }
  if (!found) fail('no module/action detected in task.', loc);
  const kl = keyLocationOf(ds, found.key) ?? loc;
  const known = knownAction(found.written);
  if (!known) {
    const { message, hint } = unknownAction(found.written, []);
    fail(message, kl, hint);
  }
  // `args:` supplies defaults that the module's own arguments override.
  let args: Record<string, unknown> = {};
  if ('args' in ds && ds['args'] !== null) {
    const extra = ds['args'];
    const al = keyLocationOf(ds, 'args') ?? loc;
    if (isMapping(extra)) args = { ...extra };
    else if (typeof extra === 'string' && hasTemplate(extra)) args = { _variable_params: extra };
    else if (typeof extra === 'string') fail("Complex args containing variables cannot use bare variables (without Jinja2 delimiters), and must use the full variable style ('{{var_name}}')", al);
    else fail('Complex args must be a dictionary or variable string ("{{var}}").', al);
  }
  if ('args' in found.args && found.key !== found.written) {
    // `action: {module: x, args: {...}}`
    const inner = found.args['args'];
    delete found.args['args'];
    if (isMapping(inner)) Object.assign(found.args, inner);
    else if (typeof inner === 'string') Object.assign(found.args, parseKeyValues(inner, false, kl));
  }
  Object.assign(args, found.args);
  const raw = args['_raw_params'];
  if (typeof raw === 'string' && raw !== '' && !RAW_PARAM_ACTIONS.has(known.canonical) && !known.def?.freeForm) {
    if (hasTemplate(raw)) {
      delete args['_raw_params'];
      args['_variable_params'] = raw;
    } else {
      fail(`this task '${found.written}' has extra params, which is only allowed in the following modules: ${[...RAW_PARAM_ACTIONS].join(', ')}`, kl);
    }
  }
  if (!FREE_FORM_ACTIONS.has(known.canonical)) {
    for (const a of Object.keys(args)) if (a.startsWith('_ansible_')) fail(`invalid parameter specified for action '${found.written}': '${a}'`, kl);
  }
  const out: ResolvedAction = { written: found.written, canonical: known.canonical, args, delegateToLocalhost };
  if (known.def) out.def = known.def;
  return out;
}

function parseLoopControl(v: unknown, loc: SourceLocation): LoopControl {
  if (!isMapping(v)) fail(`the field 'loop_control' must be a dictionary, got a ${kindOf(v)}`, loc);
  const lc: LoopControl = {};
  for (const [k, val] of Object.entries(v)) {
    const kl = keyLocationOf(v, k) ?? loc;
    if (!LOOP_CONTROL_KEYS.includes(k)) unknownKeyword(k, 'LoopControl', LOOP_CONTROL_KEYS, kl);
    if (val === null || val === undefined) continue;
    if (k === 'loop_var' || k === 'index_var' || k === 'label') lc[k] = k === 'label' ? (typeof val === 'string' ? val : JSON.stringify(val)) : asString(k, val, kl);
    else if (k === 'pause') lc.pause = typeof val === 'number' ? val : asIntish(k, val, kl);
    else if (k === 'extended' || k === 'extended_allitems') lc[k] = asBoolish(k, val, kl);
  }
  return lc;
}

function registerName(v: unknown, loc: SourceLocation): string {
  const name = asString('register', v, loc);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name.trim()) && !hasTemplate(name)) fail(`'${name}' is not a valid variable name for register`, loc);
  return name.trim();
}

/** Keywords specific to tasks (not inheritable): register, loop, until, retries... */
function readTaskKeywords(ds: Record<string, unknown>, task: Task | IncludeItem, loc: SourceLocation): void {
  const at = (k: string) => keyLocationOf(ds, k) ?? loc;
  const withKeys = Object.keys(ds).filter((k) => k.startsWith('with_'));
  if (withKeys.length > 1) fail(`only one of ${withKeys.join(', ')} may be used on a task`, at(withKeys[1]!));
  if (withKeys.length && 'loop' in ds) fail(`the 'loop' and '${withKeys[0]}' keywords cannot be used together`, at(withKeys[0]!));
  if ('loop' in ds) task.loop = ds['loop'];
  if (withKeys.length) {
    const key = withKeys[0]!;
    const lookup = key.slice('with_'.length);
    if (!/^[A-Za-z_][\w.]*$/.test(lookup)) fail(`invalid loop keyword '${key}'`, at(key));
    task.loop = ds[key];
    task.loopWith = lookup;
  }
  if (ds['loop_control'] !== undefined && ds['loop_control'] !== null) task.loop_control = parseLoopControl(ds['loop_control'], at('loop_control'));
  if (task.kind !== 'task') {
    if (ds['register'] !== undefined && ds['register'] !== null) task.register = registerName(ds['register'], at('register'));
    return;
  }
  for (const [k, v] of Object.entries(ds)) {
    if (v === null || v === undefined) continue;
    switch (k) {
      case 'register': task.register = registerName(v, at(k)); break;
      case 'retries': case 'delay': task[k] = asIntish(k, v, at(k)); break;
      case 'until': {
        const c = asConditions(k, v, at(k));
        task.until = Array.isArray(v) ? c : c[0]!;
        break;
      }
      case 'changed_when': case 'failed_when': task[k] = asConditions(k, v, at(k)); break;
      case 'notify': task.notify = asStringList(k, v, at(k)); break;
      case 'listen': task.listen = asStringList(k, v, at(k)); break;
      case 'async':
        if (v !== 0 && v !== '0') fail("'async' is not supported by philote yet: run the task without async (or use a shell command with nohup)", at(k));
        break;
      case 'poll': asIntish(k, v, at(k)); break;
    }
  }
}

function parseTask(ds: Record<string, unknown>, ctx: ParseContext): TaskItem {
  const loc = locationOf(ds) ?? { file: ctx.file, line: 1, column: 1 };
  const action = resolveAction(ds, ctx, loc);
  const common = (item: Task | IncludeItem | Block) => {
    if (ds['name'] !== null && ds['name'] !== undefined) item.name = asString('name', ds['name'], keyLocationOf(ds, 'name'));
    readInheritable(ds, item, loc);
    if (action.delegateToLocalhost) item.delegate_to = 'localhost';
    if (ctx.role) item.role = ctx.role.instance;
  };
  const c = action.canonical;
  if (c === 'import_tasks' || c === 'import_role') {
    if (ctx.handlers && c === 'import_role') fail(`Using '${action.written}' as a handler is not supported.`, loc);
    if ('loop' in ds || Object.keys(ds).some((k) => k.startsWith('with_'))) {
      fail(`You cannot use loops on '${action.written}' statements. You should use '${c.replace('import', 'include')}' instead.`, loc);
    }
    const wrapper: Block = { kind: 'block', loc, block: [], rescue: [], always: [], implicit: true };
    common(wrapper);
    if (c === 'import_tasks') {
      const file = includeFileArg(action.args, action.written, loc);
      wrapper.block = ctx.importTasks(file, ctx, loc);
      return wrapper;
    }
    return ctx.importRole(action.args, ctx, wrapper);
  }
  if (c === 'include_tasks' || c === 'include_role' || c === 'include') {
    if (ctx.handlers && c === 'include_role') fail(`Using '${action.written}' as a handler is not supported.`, loc);
    if (c !== 'include') {
      // TaskInclude.VALID_INCLUDE_KEYWORDS: other keywords are refused on include_tasks/include_role.
      for (const k of Object.keys(ds)) {
        if (k === action.written || k.startsWith('with_') || INCLUDE_KEYWORDS.includes(k)) continue;
        const cls = c === 'include_role' ? 'IncludeRole' : 'TaskInclude';
        fail(`'${k}' is not a valid attribute for a ${cls}`, keyLocationOf(ds, k) ?? loc, k === 'become' || k === 'delegate_to' || k === 'environment' ? `put '${k}' in 'apply:' or on the included tasks` : didYouMean(k, INCLUDE_KEYWORDS));
      }
    }
    const inc: IncludeItem = {
      kind: 'include',
      action: c === 'include_role' ? 'include_role' : 'include_tasks',
      actionAsWritten: action.written,
      args: normalizeIncludeArgs(action.args, c, action.written, loc),
      loc,
      baseDir: ctx.dir,
    };
    common(inc);
    if (c === 'include') {
      // The old `include: file.yml a=1` passes its k=v pairs as variables of the included tasks.
      const { _raw_params: file, file: fileArg, ...vars } = inc.args;
      inc.args = { _raw_params: file ?? fileArg };
      if (Object.keys(vars).length) inc.vars = { ...vars, ...(inc.vars ?? {}) };
    }
    readTaskKeywords(ds, inc, loc);
    rememberIncludeOrigin(inc, ctx);
    return inc;
  }
  const task: Task = { kind: 'task', action: c, actionAsWritten: action.written, args: action.args, loc };
  common(task);
  readTaskKeywords(ds, task, loc);
  if (ctx.handlers) task.isHandler = true;
  if (action.def) validateArgsAtLoad(action.def, action.written, task.args, keyLocationOf(ds, action.written) ?? loc);
  return task;
}

/** The file (or role name) argument of an include/import: free form or `file:` / `name:`. */
export function includeFileArg(args: Record<string, unknown>, written: string, loc: SourceLocation): string {
  const v = args['file'] ?? args['_raw_params'] ?? args['name'];
  if (typeof v !== 'string' || v.trim() === '') fail(`No file specified for ${written}`, loc);
  return v.trim();
}

const INCLUDE_TASKS_ARGS = ['file', '_raw_params', 'apply'];
const ROLE_ARGS = ['name', 'tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'allow_duplicates', 'public', 'rolespec_validate', 'apply'];

function normalizeIncludeArgs(args: Record<string, unknown>, canonical: string, written: string, loc: SourceLocation): Record<string, unknown> {
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
    readInheritable(apply, typed, loc);
    return { ...args, apply: typed };
  }
  return args;
}

export interface IncludeOrigin {
  playbookDir: string;
  roleTasksDir?: string;
  importStack: string[];
}

const includeOrigins = new WeakMap<IncludeItem, IncludeOrigin>();

function rememberIncludeOrigin(inc: IncludeItem, ctx: ParseContext): void {
  const o: IncludeOrigin = { playbookDir: ctx.playbookDir, importStack: ctx.importStack };
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
  if (roleTasksDir) out.push(join(roleTasksDir, name), join(roleTasksDir, '..', name));
  out.push(join(playbookDir, name));
  return [...new Set(out)];
}
