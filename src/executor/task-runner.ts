/**
 * Runs one task for one host: conditionals, loops, the module call (with delegation,
 * become, environment, check mode, timeout), until/retries, changed_when/failed_when.
 * It emits per-item events; the caller records stats, registers and applies facts.
 */
import { applyInventoryResult } from './inventory-changes.js';
import { loopVarsFor, resolveLoopControl, type ResolvedLoopControl } from './loop-control.js';
import { runAsync } from '../async/run.js';
import { dirname } from 'node:path';
import type { Connection } from '../connection/types.js';
import { ActionError, PhiloteError, UnreachableError } from '../errors.js';
import type { HostStatus, TaskInfo } from '../output/events.js';
import type { Task } from '../playbook/types.js';
import { resolveModule } from '../modules/registry.js';
import { unwrapUnsafe, wrapUnsafe, wrapUnsafeFresh } from '../template/unsafe.js';
import { namespaceFacts } from '../vars/manager.js';
import type { ModuleContext, ModuleResult } from '../modules/types.js';
import { OMIT, type Vars } from '../template/types.js';
import { toPlain } from '../template/runtime/values.js';
import { loadLookupForLoop } from './bridges.js';
import { becomeApplies, buildBecomeSpec, buildConnectionSpec, type ConnectionKeywords } from './connection-spec.js';
import type { HostRun, PlayRun, Scope } from './context.js';
import { displayName, inherited } from './context.js';
import { findFile } from './find-file.js';
import { runIncludeVars } from './include-vars.js';
import { pyStr } from '../output/pystr.js';
import { conditionalText, isUndefinedError, reasonOf, withTaskContext } from './error-text.js';
import { censor, failedResult, isFailed, skippedResult, statusOf } from './results.js';
import { boolean } from '../values/booleans.js';

export interface HostOutcome {
  host: HostRun;
  status: HostStatus;
  /** The full result, as registered. */
  result: ModuleResult;
  ignored: boolean;
  delegatedTo?: string;
  noLog: boolean;
  /** The task's `diff:` keyword, evaluated, when it has one. */
  diffMode?: boolean;
  /** The handler names `notify:` gives for this host, templated (a changed result only). */
  notify?: string[];
  /**
   * An included file that could not be loaded: the strategy counts a failure and sends the host
   * to the block's rescue, with no "rescued" count and no ansible_failed_task (_load_included_file).
   */
  includeLoadFailure?: boolean;
}

/** vars of enclosing blocks (not the play: play vars are already in the host's base) and of the task. */
export function varLayers(scope: Scope, item: { vars?: Record<string, unknown> }): Array<Record<string, unknown> | undefined> {
  const out: Array<Record<string, unknown> | undefined> = [];
  for (let i = 1; i < scope.chain.length; i++) out.push(scope.chain[i]!.vars);
  out.push(item.vars);
  return out;
}

export function whenChain(scope: Scope, item: { when?: Array<string | boolean> }): Array<string | boolean> {
  const out: Array<string | boolean> = [];
  for (const c of scope.chain) if (c.when) out.push(...c.when);
  if (item.when) out.push(...item.when);
  return out;
}

/** Evaluate ANDed conditions; returns the first false one, or undefined when all hold. */
/** Warned (task position, host, condition): a worker process of ansible-core warns once per task and host. */
const warnedConditionals = new WeakMap<PlayRun, Set<string>>();

export function firstFalse(pr: PlayRun, conds: Array<string | boolean>, vars: Vars, task: { loc: Task['loc'] }): string | boolean | undefined {
  for (const c of conds) {
    if (typeof c === 'string' && pr.run.templar.isTemplated(c)) {
      const seen = warnedConditionals.get(pr) ?? new Set<string>();
      warnedConditionals.set(pr, seen);
      const key = `${task.loc.file}:${task.loc.line}:${String(vars['inventory_hostname'])}:${c}`;
      if (!seen.has(key)) {
        seen.add(key);
        pr.run.output.emit({ type: 'warning', everyTime: true, message: `conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: ${c}` });
      }
    }
    let holds: boolean;
    try {
      holds = pr.run.templar.evaluateConditional(c, { vars, location: task.loc });
    } catch (e) {
      throw new ConditionalError(c, e, task.loc);
    }
    if (!holds) return c;
  }
  return undefined;
}

/** A `when` that could not be evaluated; worded like Ansible's message, with the task's position. */
export class ConditionalError extends PhiloteError {
  constructor(readonly condition: string | boolean, cause: unknown, loc?: Task['loc']) {
    super('template', withTaskContext(conditionalText(condition, cause), loc), { cause });
  }
}

/** Render a keyword value that may be a template ("{{ x }}") to a boolean. */
export function kwBool(pr: PlayRun, v: unknown, vars: Vars): boolean {
  if (v === undefined) return false;
  if (typeof v === 'string' && pr.run.templar.isTemplated(v)) return boolean(pr.run.templar.render(v, { vars }), false);
  return boolean(v, false);
}

/**
 * The facts a result sets: its ansible_facts, except a debug result's, which may only be
 * showing a variable named ansible_facts (ansible-core #74060, C._ACTION_DEBUG).
 */
export function resultFacts(action: string, result: ModuleResult): ModuleResult['ansible_facts'] {
  return action === 'debug' ? undefined : result.ansible_facts;
}

type KeywordText = 'connection' | 'remote_user' | 'become_user' | 'become_method' | 'become_flags' | 'become_exe';

/**
 * A keyword's value as the task sees it, its own or inherited, rendered. A level whose template
 * renders to omit counts as unset and the next one out applies: Base.post_validate puts such a
 * keyword back to its default, so `become: '{{ omit }}'` keeps the play's become (omit target).
 */
function renderedKeyword(pr: PlayRun, scope: Scope, task: Task, key: 'check_mode' | 'diff' | 'become' | 'port' | 'timeout' | KeywordText, vars: Vars): unknown {
  const levels = [task[key], ...scope.chain.map((c) => c[key]).reverse()];
  for (const v of levels) {
    if (v === undefined || v === null) continue;
    const r = typeof v === 'string' && pr.run.templar.isTemplated(v) ? pr.run.templar.render(v, { vars }) : v;
    if (r !== OMIT) return r;
  }
  return undefined;
}

function kwNumber(pr: PlayRun, v: unknown, vars: Vars): number | undefined {
  if (v === undefined || v === null) return undefined;
  const r = typeof v === 'string' ? pr.run.templar.render(v, { vars }) : v;
  const n = Number(r);
  return Number.isFinite(n) ? n : undefined;
}

function errorResult(e: unknown): ModuleResult {
  if (e instanceof UnreachableError) return { unreachable: true, changed: false, msg: e.message };
  if (e instanceof ActionError) return { failed: true, msg: e.message };
  if (e instanceof PhiloteError) return failedResult(reasonOf(e));
  if (e instanceof Error) return failedResult(e.message, { exception: e.stack });
  return failedResult(String(e));
}

function conditionalError(cond: unknown, e: unknown): ModuleResult {
  return failedResult(conditionalText(cond, e));
}

/** Environment keyword(s), outermost first, rendered and flattened to strings. */
function environmentFor(pr: PlayRun, scope: Scope, task: Task, vars: Vars): Record<string, string> | undefined {
  const layers = [...scope.chain.map((c) => c.environment), task.environment].filter((e) => e !== undefined);
  if (!layers.length) return undefined;
  const env: Record<string, string> = {};
  for (const layer of layers) {
    const list = Array.isArray(layer) ? layer : [layer];
    for (const e of list) {
      const rendered = pr.run.templar.render(e, { vars, location: task.loc });
      if (rendered && typeof rendered === 'object') {
        for (const [k, v] of Object.entries(rendered as Record<string, unknown>)) // The shell plugin's env_prefix writes text_type(v): None is 'None', a dict its Python repr.
        env[k] = v === undefined ? '' : pyStr(unwrapUnsafe(v));
      }
    }
  }
  return env;
}

/**
 * The connection's own variables that a task sees when its inventory does not set them
 * (PlayContext.update_vars): the address, the connection type, the timeout, the shell.
 */
function withConnectionMagic(pr: PlayRun, vars: Vars): Vars {
  // Runs for every host-task: plain assignments, no temporary object.
  const address = vars['ansible_host'] ?? vars['ansible_ssh_host'] ?? vars['inventory_hostname'];
  const timeout = pr.run.options.timeoutSec;
  if (!('ansible_ssh_host' in vars)) vars['ansible_ssh_host'] = address;
  if (!('ansible_host' in vars)) vars['ansible_host'] = address;
  if (timeout !== undefined && !('ansible_ssh_timeout' in vars)) vars['ansible_ssh_timeout'] = timeout;
  if (timeout !== undefined && !('ansible_timeout' in vars)) vars['ansible_timeout'] = timeout;
  if (!('ansible_ssh_pipelining' in vars)) vars['ansible_ssh_pipelining'] = false;
  if (!('ansible_pipelining' in vars)) vars['ansible_pipelining'] = false;
  if (!('ansible_shell_executable' in vars)) vars['ansible_shell_executable'] = '/bin/sh';
  if (!('ansible_module_compression' in vars)) vars['ansible_module_compression'] = 'ZIP_DEFLATED';
  return vars;
}

/** Variables of a connection target (rendered), for ConnectionSpec/BecomeSpec. */
function targetVars(pr: PlayRun, target: string, taskVars: Vars, delegated: boolean): Record<string, unknown> {
  const src = delegated ? (pr.run.vm.inventory.getHost(target) ? pr.run.vm.hostVarsOf(target) : target === 'localhost' || target === '127.0.0.1' ? { ansible_connection: 'local' } : {}) : taskVars;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(src)) {
    if (!k.startsWith('ansible_') && k !== 'host_key_checking') continue;
    if (k === 'ansible_facts' || k.startsWith('ansible_play') || k === 'ansible_version' || k === 'ansible_loop') continue;
    const v = (src as Record<string, unknown>)[k];
    out[k] = typeof v === 'string' && pr.run.templar.isTemplated(v) ? pr.run.templar.render(v, { vars: delegated ? (src as Vars) : taskVars }) : v;
  }
  return out;
}

interface Invocation {
  pr: PlayRun;
  task: Task;
  host: HostRun;
  scope: Scope;
  info: TaskInfo;
}

/** One module call (one loop item), with until/retries and changed_when/failed_when. */
async function runOnce(inv: Invocation, vars: Vars, delegateTo: string | undefined): Promise<ModuleResult> {
  const { pr, task } = inv;
  const templar = pr.run.templar;
  const until = task.until === undefined ? undefined : Array.isArray(task.until) ? task.until : [task.until];
  // ansible-core 2.14.18: `retries: N` makes N + 1 attempts; unset makes 3, zero or less makes
  // one (and then `until` is not evaluated at all).
  let attempts = 1;
  if (until) {
    const r = kwNumber(pr, task.retries, vars);
    attempts = r === undefined ? 3 : r <= 0 ? 1 : r + 1;
  }
  const delay = until ? (kwNumber(pr, task.delay, vars) ?? 5) : 0;
  let result: ModuleResult = {};
  // The arguments are templated once for all attempts, as Task.post_validate does.
  const argsOnce: ArgsCache = {};
  for (let attempt = 1; attempt <= attempts; attempt++) {
    result = await invokeAction(inv, vars, delegateTo, argsOnce);
    // add_host/group_by change the inventory now (the next item sees it), and that decides `changed`.
    if (applyInventoryResult(pr.run.vm.inventory, inv.host.name, result)) pr.run.vm.inventoryChanged();
    // Available early, to changed_when/failed_when too.
    if (until) result['attempts'] = attempt;
    if (task.register) vars[task.register] = wrapUnsafe(result);
    // until/changed_when/failed_when see the attempt's facts (TaskExecutor._execute's vars_copy).
    const facts = resultFacts(task.action, result);
    if (facts && typeof facts === 'object' && !Array.isArray(facts)) {
      if (task.action === 'set_fact' || task.action === 'include_vars') Object.assign(vars, facts);
      else {
        const wrapped = wrapUnsafe(facts) as Record<string, unknown>;
        vars['ansible_facts'] = wrapUnsafeFresh({ ...((vars['ansible_facts'] as Record<string, unknown> | undefined) ?? {}), ...namespaceFacts(wrapped) });
        Object.assign(vars, wrapped);
      }
    }
    if (result.unreachable) return result;
    // ansible-core 2.14 evaluates changed_when, then failed_when, on every result that was
    // not skipped; one that cannot be evaluated fails the task and its message is kept in
    // changed_when_result / failed_when_result, the module's result otherwise unchanged.
    if (!result.skipped && (task.changed_when || task.failed_when)) {
      let name = 'changed';
      try {
        if (task.changed_when) {
          result.changed = task.changed_when.every((c) => templar.evaluateConditional(c, { vars, location: task.loc }));
        }
        name = 'failed';
        if (task.failed_when) {
          // A list of conditions is ANDed, like every conditional keyword.
          const f = task.failed_when.every((c) => templar.evaluateConditional(c, { vars, location: task.loc }));
          result.failed_when_result = f;
          result.failed = f;
          if (!f) delete result.msg_failed;
        }
      } catch (e) {
        result.failed = true;
        result[`${name}_when_result`] = conditionalText(name === 'changed' ? task.changed_when : task.failed_when, e);
      }
      // The registered name is the same dict in Ansible: `until` sees what changed_when/failed_when decided.
      if (task.register) vars[task.register] = wrapUnsafe(result);
    }
    if (!until || attempts <= 1) break;
    let done: boolean;
    try {
      done = until.every((c) => templar.evaluateConditional(c, { vars, location: task.loc }));
    } catch (e) {
      return conditionalError(until, e);
    }
    if (done) break;
    if (attempt < attempts) {
      result['_ansible_retry'] = true;
      pr.run.output.emit({ type: 'retry', task: inv.info, host: inv.host.name, attempt, retriesLeft: attempts - attempt, result: { ...result } });
      delete result['_ansible_retry'];
      if (delay > 0) await sleep(delay * 1000, pr.run.signal);
    } else {
      // Ansible's count after the last attempt is one short (`retries - 1` of its counter).
      result['attempts'] = attempts - 1;
      result.failed = true;
    }
  }
  return result;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

/**
 * Results that end a loop: Ansible templates a task's arguments in post_validate, outside the
 * per-item error handling, so an undefined variable there fails the whole task at that item
 * ("fatal", no item result, the items before it already shown).
 */
const abortsLoop = new WeakSet<ModuleResult>();

/** The module itself: args, validation, connection, timeout. */
/** A task's rendered arguments, kept between the attempts of an until loop. */
interface ArgsCache {
  args?: Record<string, unknown>;
}

/** Where a result of a templated `action:` keeps the module it ran (not enumerable: never copied or shown). */
export const RESOLVED_ACTION = Symbol('philote.resolvedAction');

async function invokeAction(inv: Invocation, vars: Vars, delegateTo: string | undefined, argsOnce: ArgsCache = {}): Promise<ModuleResult> {
  const { pr, scope, host } = inv;
  const run = pr.run;
  const templar = run.templar;
  const task = inv.task;
  // `action: "{{ name }} ..."`: the module is named when the task runs (Task.post_validate).
  if (task.action.includes('{{')) {
    let resolved: Task;
    try {
      const name = String(templar.render(task.action, { vars, location: task.loc }));
      resolved = { ...task, action: resolveModule(name)?.name ?? name.replace(/^ansible\.(builtin|legacy)\./, '') };
    } catch (e) {
      return errorResult(e);
    }
    const r = await invokeAction({ ...inv, task: resolved }, vars, delegateTo, argsOnce);
    // The callbacks see the task with its action templated (debug's result shape).
    Object.defineProperty(r, RESOLVED_ACTION, { value: resolved.action, enumerable: false });
    return r;
  }
  const role = task.role ?? scope.role;
  let args: Record<string, unknown>;
  if (argsOnce.args) args = argsOnce.args;
  else try {
    const moduleDef = resolveModule(task.action);
    const keep = moduleDef?.keepsUnsafeArgs === true;
    const written = withModuleDefaults(scope, task);
    const raw = moduleDef?.untemplatedArgs?.filter((k) => written && typeof written === 'object' && k in (written as Record<string, unknown>)) ?? [];
    const toRender = raw.length ? Object.fromEntries(Object.entries(written as Record<string, unknown>).filter(([k]) => !raw.includes(k))) : written;
    const rendered = (keep ? templar.renderKeepUnsafe : templar.render).call(templar, toRender, { vars, location: task.loc });
    if (!rendered || typeof rendered !== 'object' || Array.isArray(rendered)) return failedResult(`the arguments of '${task.actionAsWritten}' must be a dictionary`);
    args = rendered as Record<string, unknown>;
    for (const k of raw) args[k] = unwrapUnsafe((written as Record<string, unknown>)[k]);
    if ('_variable_params' in args) {
      // `module: "{{ a_dict }}"` (Task._post_validate_args): the dict is the arguments, the others win.
      const { _variable_params: params, ...rest } = args;
      if (params === null || typeof params !== 'object' || Array.isArray(params)) return failedResult(`invalid or malformed argument: '${pyStr(params)}'`);
      pr.run.output.emit({ type: 'warning', message: "Using a variable for a task's 'args' is unsafe in some situations (see https://docs.ansible.com/ansible/devel/reference_appendices/faq.html#argsplat-unsafe)" });
      args = { ...(params as Record<string, unknown>), ...rest };
    }
    // A whole-number float stays a float only for modules that keep values as values.
    if (moduleDef?.keepsFloats !== true) args = toPlain(args) as Record<string, unknown>;
    argsOnce.args = args;
  } catch (e) {
    if (isUndefinedError(e)) {
      const r = failedResult(withTaskContext(`The task includes an option with an undefined variable. The error was: ${reasonOf(e)}`, task.loc));
      // TaskExecutor returns only failed and msg for an argument that fails to template.
      delete r.changed;
      abortsLoop.add(r);
      return r;
    }
    // Raised by TaskExecutor while templating the arguments: the result is only failed and msg.
    const r = failedResult((e as Error).message);
    delete r.changed;
    return r;
  }
  const playbookDir = pr.play.baseDir;
  if (task.action === 'include_vars') {
    const sp = unwrapUnsafe(vars['ansible_search_path']);
    return runIncludeVars(args, { role, playbookDir, taskFile: task.loc.file, searchPath: Array.isArray(sp) ? sp.map(String) : [playbookDir], warn: (message) => pr.run.output.emit({ type: 'warning', message }), taskVars: vars });
  }

  const def = resolveModule(task.action);
  // The loader accepts Ansible modules philote lacks (as an installed collection would be): only running one fails.
  if (!def) return failedResult(`philote does not implement module ${task.actionAsWritten} yet`);
  let validArgs: unknown = args;
  if (def.schema) {
    const parsed = def.schema.safeParse(args);
    if (!parsed.success) {
      const msg = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
      return failedResult(`${def.name}: ${msg}`);
    }
    validArgs = parsed.data;
  }
  // Keywords may be templates ("become_user: '{{ app_user }}'"), rendered with the task's variables.
  const kw = (name: 'check_mode' | 'diff' | 'become' | 'port' | 'timeout' | KeywordText) => renderedKeyword(pr, scope, task, name, vars);
  const checkKw = kw('check_mode');
  const diffKw = kw('diff');
  const checkMode = checkKw === undefined ? run.options.check : boolean(checkKw, false);
  const diffMode = diffKw === undefined ? run.options.diff : boolean(diffKw, false);
  const target = delegateTo ?? host.name;
  const tvars = targetVars(pr, target, vars, delegateTo !== undefined);
  const kwText = (name: KeywordText) => {
    const r = kw(name);
    return r === undefined || r === null || r === '' ? undefined : String(r);
  };
  const kwNum = (name: 'port' | 'timeout') => {
    const r = kw(name);
    const n = r === undefined || r === null || r === '' ? NaN : Number(r);
    return Number.isFinite(n) ? n : undefined;
  };
  const becomeKw = kw('become');
  let become = buildBecomeSpec(
    {
      become: becomeKw === undefined ? undefined : boolean(becomeKw, false),
      become_user: kwText('become_user'),
      become_method: kwText('become_method'),
      become_flags: kwText('become_flags'),
      become_exe: kwText('become_exe'),
    },
    tvars,
    run.options,
  );
  // As PlayContext for a delegated task: the target's own connection and port variables or the
  // defaults, never the play's connection and port keywords; remote_user still applies.
  const connKeywords: ConnectionKeywords = { remote_user: kwText('remote_user') };
  if (delegateTo === undefined) {
    connKeywords.connection = kwText('connection');
    connKeywords.port = kwNum('port');
  }
  const connSpec = buildConnectionSpec(target, tvars, run.options, connKeywords);
  if (become && !becomeApplies(become, connSpec, run.options)) become = undefined;
  const timeoutS = kwNum('timeout');
  const controller = new AbortController();
  // Ctrl-C stops dispatching but lets running tasks finish (or time out); only a pause,
  // which does nothing but wait, ends at once.
  const onAbort = () => {
    if (def.name === 'pause') controller.abort();
  };
  run.signal.addEventListener('abort', onAbort, { once: true });
  let conn: Connection | undefined;
  const warnings: string[] = [];
  const ctx: ModuleContext = {
    hostname: host.name,
    args: validArgs as Record<string, unknown>,
    vars,
    checkMode,
    diffMode,
    verbosity: run.options.verbosity,
    connection: async () => {
      if (conn) return conn;
      conn = await run.pool.get(connSpec);
      return conn;
    },
    templar,
    findFile: (kind, name) => findFile(kind, name, role, playbookDir, dirname(task.loc.file)),
    signal: controller.signal,
    warn: (m) => {
      warnings.push(m);
      run.output.emit({ type: 'warning', message: m });
    },
    displayWarning: (m) => run.output.emit({ type: 'warning', everyTime: true, message: m }),
  };
  if (become) ctx.become = become;
  let env: Record<string, string> | undefined;
  try {
    env = environmentFor(pr, scope, task, vars);
  } catch (e) {
    // The action plugin's AnsibleError: TaskExecutor returns only failed and msg.
    run.signal.removeEventListener('abort', onAbort);
    if (!(e instanceof PhiloteError)) throw e;
    return { failed: true, msg: reasonOf(e) };
  }
  if (env) ctx.environment = env;
  if (timeoutS) ctx.timeoutMs = timeoutS * 1000;
  // A no_log task's arguments may be secrets: its node scripts go on stdin, not in a command line.
  if (kwBool(pr, inherited(scope, task, 'no_log'), vars)) ctx.noLog = true;
  if (checkMode && def.noCheckMode) {
    const named = def.noCheckMode === 'silent' ? undefined : def.noCheckMode === 'named' ? task.actionAsWritten : def.noCheckMode.name;
    // A module's own skip (unlike a `when` skip) is registered with failed: false, as in Ansible.
    return { changed: false, failed: false, skipped: true, ...(named ? { msg: `remote module (${named}) does not support check mode` } : {}) };
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const asyncS = kwNumber(pr, task.async, vars) ?? 0;
    const work = asyncS > 0 ? runAsync(def, ctx, { asyncSeconds: asyncS, poll: kwNumber(pr, task.poll, vars) ?? 15, report: (p) => run.output.emit({ type: 'async_progress', host: host.name, ...p }) }) : def.run(ctx);
    const result = timeoutS
      ? await Promise.race([
          work,
          new Promise<ModuleResult>((resolve) => {
            timer = setTimeout(() => {
              controller.abort();
              resolve(failedResult(`The ${task.action} action failed to execute in the expected time frame (${timeoutS}) and was terminated`));
            }, timeoutS * 1000);
          }),
        ])
      : await work;
    const out: ModuleResult = { ...result, changed: Boolean(result.changed) };
    if (warnings.length) out['warnings'] = warnings;
    if (out['_ansible_reconnect']) await run.pool.drop(target);
    return out;
  } catch (e) {
    const r = errorResult(e);
    if (r.unreachable) await run.pool.drop(target);
    return r;
  } finally {
    if (timer) clearTimeout(timer);
    run.signal.removeEventListener('abort', onAbort);
  }
}

/** module_defaults of the play/blocks/task (inner wins), under the task's own arguments. */
function withModuleDefaults(scope: Scope, task: Task): unknown {
  const layers = [...scope.chain.map((c) => c.module_defaults), task.module_defaults].filter((m) => m !== undefined);
  if (!layers.length || typeof task.args !== 'object' || task.args === null) return task.args;
  const names = new Set([task.action, task.actionAsWritten, `ansible.builtin.${task.action}`, `ansible.legacy.${task.action}`]);
  const merged: Record<string, unknown> = {};
  for (const md of layers) {
    for (const [mod, defaults] of Object.entries(md)) if (names.has(mod) && defaults && typeof defaults === 'object') Object.assign(merged, defaults);
  }
  return Object.keys(merged).length ? { ...merged, ...task.args } : task.args;
}

/** Resolve `loop:` / `with_<lookup>:` to the list of items. */
async function loopItems(pr: PlayRun, task: Task, vars: Vars): Promise<unknown[]> {
  const templar = pr.run.templar;
  if (task.loopWith) {
    const lookup = await loadLookupForLoop();
    if (!lookup) throw new PhiloteError('internal', `with_${task.loopWith} needs the template engine's lookups`, { location: task.loc });
    // The terms go as written: runLookupForLoop templates them once (as listify_lookup_plugin_terms,
    // leniently for first_found). Templating them here too would template data a second time.
    return lookup(task.loopWith, task.loop, { vars, location: task.loc });
  }
  // Items become the loop variable: what came from a node stays data (never templated again).
  const items = templar.renderKeepUnsafe(task.loop, { vars, location: task.loc });
  if (!Array.isArray(items)) {
    throw new PhiloteError('template', `Invalid data passed to 'loop', it requires a list, got this instead: ${JSON.stringify(items)}. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.`, { location: task.loc });
  }
  return items;
}

/**
 * `notify:` as the task's post_validate leaves it: each name templated with the host's vars, a
 * template that gives a list giving its names. A name that does not template stays as written.
 */
function templatedNotify(pr: PlayRun, task: Task, scope: Scope, vars: Vars): string[] {
  const out: string[] = [];
  for (const written of task.notify ?? scope.notify ?? []) {
    let v: unknown = written;
    try {
      v = pr.run.templar.render(written, { vars, location: task.loc });
    } catch {
      v = written;
    }
    for (const name of Array.isArray(v) ? v : [v]) out.push(pyStr(name));
  }
  return out;
}

/** Run `task` for `host`. Per-item lines are emitted here; the final line by the caller. */
export async function runTaskForHost(inv: Invocation): Promise<HostOutcome> {
  const { pr, task, host, scope, info } = inv;
  const vm = pr.run.vm;
  const role = task.role ?? scope.role;
  const layers = varLayers(scope, task);
  const envLayers: unknown[] = [];
  for (const e of [...scope.chain.map((c) => c.environment), task.environment]) {
    if (e === undefined) continue;
    if (Array.isArray(e)) envLayers.push(...e);
    else envLayers.push(e);
  }
  const taskScope = { role, varLayers: layers, includeParams: scope.includeParams, environment: envLayers, taskFile: task.loc.file };
  const baseVars = withConnectionMagic(pr, vm.getVars(host.name, taskScope));
  const noLog = kwBool(pr, inherited(scope, task, 'no_log'), baseVars);
  const conds = whenChain(scope, task);
  const diffKw = inherited(scope, task, 'diff');
  const outcome = (result: ModuleResult, delegatedTo?: string): HostOutcome => {
    const ignoreErrors = isFailed(result) && kwBool(pr, inherited(scope, task, 'ignore_errors'), baseVars);
    const ignoreUnreachable = result.unreachable && kwBool(pr, inherited(scope, task, 'ignore_unreachable'), baseVars);
    const o: HostOutcome = { host, status: statusOf(result), result, ignored: Boolean(ignoreErrors || ignoreUnreachable), noLog };
    if (diffKw !== undefined) o.diffMode = kwBool(pr, diffKw, baseVars);
    if (delegatedTo) o.delegatedTo = delegatedTo;
    if (result.changed && (task.notify ?? scope.notify)?.length) o.notify = templatedNotify(pr, task, scope, baseVars);
    return o;
  };
  let delegateTo: string | undefined;
  const delegateKw = inherited(scope, task, 'delegate_to');
  const resolveDelegate = (vars: Vars) => {
    if (!delegateKw) return undefined;
    const d = pr.run.templar.render(delegateKw, { vars, location: task.loc });
    return d === null || d === undefined || d === '' ? undefined : String(d);
  };

  try {
    if (task.loop === undefined) {
      const f = firstFalse(pr, conds, baseVars, task);
      if (f !== undefined) return outcome(skippedResult('Conditional result was False', typeof f === 'string' ? f : String(f)));
      delegateTo = resolveDelegate(baseVars);
      return outcome(await runOnce(inv, baseVars, delegateTo), delegateTo);
    }
  } catch (e) {
    return outcome(errorResult(e));
  }

  // A loop: `when` is evaluated per item, results collected under `results`.
  let items: unknown[];
  try {
    items = await loopItems(pr, task, baseVars);
  } catch (e) {
    // As TaskExecutor keeps _loop_eval_error: an undefined loop is an error only if the task's
    // `when` (evaluated without the loop variable) holds; if it cannot be evaluated, the loop's
    // error is the one reported.
    if (isUndefinedError(e)) {
      try {
        const f = firstFalse(pr, conds, baseVars, task);
        if (f !== undefined) return outcome(skippedResult('Conditional result was False', typeof f === 'string' ? f : String(f)));
      } catch {
        /* the loop's error below */
      }
    }
    // Raised in TaskExecutor.run, not by a module: the result is only failed and msg.
    const r = errorResult(e);
    delete r.changed;
    return outcome(r);
  }
  let lcr: ResolvedLoopControl;
  try {
    lcr = resolveLoopControl(pr, task.loop_control, baseVars);
  } catch (e) {
    return outcome(errorResult(e));
  }
  const lc = task.loop_control ?? {};
  const loopVar = lcr.loopVar;
  const indexVar = lcr.indexVar;
  const extended = lcr.extended;
  const pause = lcr.pause;
  if (items.length === 0) {
    return outcome({ changed: false, skipped: true, skipped_reason: 'No items in the list', results: [] });
  }
  if (loopVar in baseVars) {
    const name = displayName(task, task.role ?? scope.role, pr.run.templar, {});
    pr.run.output.emit({
      type: 'warning',
      message: `TASK: ${name}: The loop variable '${loopVar}' is already in use. You should set the \`loop_var\` value in the \`loop_control\` option for the task to something else to avoid variable collisions and unexpected behavior.`,
    });
  }
  const results: ModuleResult[] = [];
  for (let i = 0; i < items.length; i++) {
    if (pr.run.signal.aborted) break;
    const item = items[i];
    const loopVars = loopVarsFor(lcr, items, i);
    const vars = withConnectionMagic(pr, vm.getVars(host.name, { ...taskScope, loopVars }));
    let label: unknown = unwrapUnsafe(item);
    let r: ModuleResult;
    try {
      if (lc.label !== undefined) label = pr.run.templar.render(lc.label, { vars, location: task.loc });
      const f = firstFalse(pr, conds, vars, task);
      if (f !== undefined) r = skippedResult('Conditional result was False', typeof f === 'string' ? f : String(f));
      else {
        delegateTo = resolveDelegate(vars);
        r = await runOnce(inv, vars, delegateTo);
      }
    } catch (e) {
      r = errorResult(e);
    }
    if (abortsLoop.has(r)) return outcome(r, delegateTo);
    r[loopVar] = unwrapUnsafe(item);
    r['ansible_loop_var'] = loopVar;
    if (indexVar) {
      r[indexVar] = i;
      r['ansible_index_var'] = indexVar;
    }
    if (extended) r['ansible_loop'] = loopVars['ansible_loop'];
    r['_ansible_item_label'] = label;
    if (!r.skipped && r.failed === undefined) r.failed = false;
    results.push(r);
    // The next item sees what this one set (TaskExecutor._run_loop updates its task vars).
    const itemFacts = r['ansible_facts'];
    if (!r.failed && !r.skipped && itemFacts && typeof itemFacts === 'object' && !delegateTo) {
      if (task.action === 'set_fact') vm.setNonPersistent(host.name, itemFacts as Record<string, unknown>);
      else if (task.action === 'include_vars') vm.setIncludeVars(host.name, itemFacts as Record<string, unknown>);
    }
    const shown = noLog ? censor(r) : r;
    const ev = {
      type: 'host_result' as const,
      task: info,
      host: host.name,
      status: statusOf(r),
      result: shown,
      // The default callback prints "(item=%s)" % label: Python's str() of the value.
      item: { value: noLog ? CENSORED_ITEM : item, label: pyStr(label) },
      ...(diffKw !== undefined ? { diff: kwBool(pr, diffKw, baseVars) } : {}),
    };
    pr.run.output.emit(delegateTo ? { ...ev, delegatedTo: delegateTo } : ev);
    if (r.unreachable) break;
    if (pause > 0 && i < items.length - 1) await sleep(pause * 1000, pr.run.signal);
  }
  const agg: ModuleResult = { changed: results.some((r) => r.changed), msg: 'All items completed', results };
  // TaskExecutor.run accumulates the items' warnings and deprecations on the loop's result (the
  // callback prints them there, once), and removes them from the items.
  // (Copies: the items' events may still hold their results.)
  for (const key of ['warnings', 'deprecations'] as const) {
    results.forEach((r, i) => {
      const v = r[key];
      if (v === undefined || v === null || (Array.isArray(v) && !v.length)) return;
      agg[key] = [...((agg[key] as unknown[] | undefined) ?? []), ...(Array.isArray(v) ? v : [v])];
      const copy = { ...r };
      delete copy[key];
      results[i] = copy;
    });
  }
  if (results.some((r) => r.failed)) {
    agg.failed = true;
    agg.msg = 'One or more items failed';
  }
  if (results.some((r) => r.unreachable)) agg.unreachable = true;
  if (results.every((r) => r.skipped)) {
    agg.skipped = true;
    agg.msg = 'All items skipped';
  }
  return outcome(agg, delegateTo);
}

const CENSORED_ITEM = "(censored due to no_log)";
