/**
 * One entry of a task list → Task, Block or IncludeItem, as Ansible's load_list_of_tasks
 * and ModuleArgsParser do: blocks, module name resolution (short, FQCN, action:,
 * local_action:), key=value arguments, `with_<lookup>` loops, keyword types, and static
 * import_tasks / import_role expansion.
 */
import { didYouMean, type SourceLocation } from '../errors.js';
import { resolveAction } from './action.js';
import { INCLUDE_KEYWORDS, includeFileArg, normalizeIncludeArgs, rememberIncludeOrigin } from './includes.js';
import { readInheritable } from './inheritable.js';
import { BLOCK_KEYWORDS, asBoolish, asConditions, asIntish, asString, asStringList, fail, unknownKeyword } from './keywords.js';
import type { ParseContext } from './parse-context.js';
import type { Block, IncludeItem, LoopControl, Task, TaskItem } from './types.js';
import { validateArgsAtLoad } from './validate-args.js';
import { hasTemplate, isMapping, kindOf } from './values.js';
import { keyLocationOf, locationOf } from '../values/yaml.js';
import { isIdentifier } from '../values/identifier.js';

const LOOP_CONTROL_KEYS = ['loop_var', 'index_var', 'label', 'pause', 'extended', 'extended_allitems'];

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

function parseBlock(ds: Record<string, unknown>, outer: ParseContext): Block {
  const loc = locationOf(ds) ?? { file: outer.file, line: 1, column: 1 };
  // A handler list (or a file a handler includes) is read as blocks, so a block there is its
  // implicit block; one inside it is refused, as load_list_of_tasks(use_handlers=True) does.
  if ((outer.handlers || outer.handlerFile) && outer.inBlock) fail('Using a block as a handler is not supported.', loc);
  const ctx: ParseContext = { ...outer, inBlock: true };
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
  readInheritable(ds, block, loc, 'Block');
  if (ctx.role) block.role = ctx.role.instance;
  // Tasks inherit a block's notify (Block is Notifiable in 2.14).
  inheritNotify(ds, block);
  return block;
}

const LEGACY_INCLUDE_DEPRECATION =
  '"include" is deprecated, use include_tasks/import_tasks instead. See https://docs.ansible.com/ansible-core/2.14/user_guide/playbooks_reuse_includes.html for details. ' +
  'This feature will be removed in version 2.16. Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.';

function isStaticLegacyInclude(args: Record<string, unknown>, ds: Record<string, unknown>, ctx: ParseContext): boolean {
  const file = args['_raw_params'] ?? args['file'];
  if (typeof file !== 'string' || hasTemplate(file) || ctx.dynamic) return false;
  return !('loop' in ds) && !Object.keys(ds).some((k) => k.startsWith('with_'));
}

/** A `notify` on a block or an import_tasks statement goes to the tasks under it that have none. */
function inheritNotify(ds: Record<string, unknown>, block: Block): void {
  if (ds['notify'] === undefined || ds['notify'] === null) return;
  const notify = asStringList('notify', ds['notify'], keyLocationOf(ds, 'notify'));
  const push = (items: TaskItem[]) => {
    for (const it of items) {
      if (it.kind === 'task') it.notify ??= notify;
      else if (it.kind === 'block') [it.block, it.rescue, it.always].forEach(push);
    }
  };
  [block.block, block.rescue, block.always].forEach(push);
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

/** meta actions of ansible-core 2.14. */
const META_ACTIONS = ['noop', 'flush_handlers', 'refresh_inventory', 'clear_facts', 'clear_host_errors', 'end_play', 'end_host', 'end_batch', 'reset_connection', 'role_complete'];

/** Ansible only finds a wrong meta action when it runs; a literal one can be checked now. */
function checkMeta(args: Record<string, unknown>, loc: SourceLocation): void {
  const what = args['_raw_params'];
  if (typeof what !== 'string' || hasTemplate(what)) return;
  if (!META_ACTIONS.includes(what.trim())) fail(`invalid meta action requested: ${what}`, loc, didYouMean(what.trim(), META_ACTIONS));
}

function registerName(v: unknown, loc: SourceLocation): string {
  const name = asString('register', v, loc);
  if (!isIdentifier(name.trim()) && !hasTemplate(name)) fail(`Invalid variable name in 'register' specified: '${name}'`, loc);
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
      case 'async': case 'poll': task[k] = asIntish(k, v, at(k)); break;
    }
  }
}

function parseTask(ds: Record<string, unknown>, ctx: ParseContext): TaskItem {
  const loc = locationOf(ds) ?? { file: ctx.file, line: 1, column: 1 };
  const action = resolveAction(ds, ctx, loc);
  const c = action.canonical;
  // The class ansible-core loads this task as, which its vars error names.
  const owner = c === 'include_role' || c === 'import_role' ? 'IncludeRole'
    : c === 'include_tasks' || c === 'import_tasks' || c === 'include' ? (ctx.handlers ? 'HandlerTaskInclude' : 'TaskInclude')
    : ctx.handlers ? 'Handler' : 'Task';
  const common = (item: Task | IncludeItem | Block) => {
    // The strategy shows to_text(template(name), nonstring='empty'): a name that is no text (yes, 5)
    // is shown as the action's.
    if (ds['name'] !== null && ds['name'] !== undefined && typeof ds['name'] !== 'boolean' && typeof ds['name'] !== 'number') item.name = asString('name', ds['name'], keyLocationOf(ds, 'name'));
    readInheritable(ds, item, loc, owner);
    if (action.delegateToLocalhost) item.delegate_to = 'localhost';
    if (ctx.role) item.role = ctx.role.instance;
  };
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
      // The imported tasks' parent is the import statement: its notify is theirs.
      inheritNotify(ds, wrapper);
      return wrapper;
    }
    return ctx.importRole(action.args, ctx, wrapper);
  }
  if (c === 'include') ctx.deprecate?.(LEGACY_INCLUDE_DEPRECATION);
  if (c === 'include' && isStaticLegacyInclude(action.args, ds, ctx)) {
    // The old `include:` is an import when its file is no template, it has no loop and no dynamic
    // include above it (helpers.load_list_of_tasks); its k=v pairs are the imported tasks' vars.
    const { _raw_params: file, file: fileArg, ...kv } = action.args;
    const wrapper: Block = { kind: 'block', loc, block: [], rescue: [], always: [], implicit: true };
    common(wrapper);
    // Measured on 2.14: its `vars:` win over set_fact (include params), its k=v pairs do not (task vars).
    if (wrapper.vars) wrapper.includeParams = wrapper.vars;
    wrapper.vars = Object.keys(kv).length ? kv : undefined;
    if (!wrapper.vars) delete wrapper.vars;
    wrapper.block = ctx.importTasks(String(file ?? fileArg), ctx, loc);
    inheritNotify(ds, wrapper);
    return wrapper;
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
      if (Object.keys(vars).length) inc.legacyParams = vars;
    }
    readTaskKeywords(ds, inc, loc);
    rememberIncludeOrigin(inc, ctx);
    return inc;
  }
  if (c === 'meta') checkMeta(action.args, keyLocationOf(ds, action.written) ?? loc);
  const task: Task = { kind: 'task', action: c, actionAsWritten: action.written, args: action.args, loc };
  common(task);
  readTaskKeywords(ds, task, loc);
  if (ctx.handlers) task.isHandler = true;
  if (action.def) validateArgsAtLoad(action.def, action.written, task.args, keyLocationOf(ds, action.written) ?? loc, ds[action.written]);
  return task;
}

