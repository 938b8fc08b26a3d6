/**
 * Finds the module of a task as ModuleArgsParser does: `module: args`, `action:` and
 * `local_action:` (old style), `args:` merged under the module's own arguments, free-form
 * text for command/shell/raw/script, and the refusals Ansible makes (two modules, extra
 * params on a module that takes none, an unknown name).
 */
import type { SourceLocation } from '../errors.js';
import { isExecutorAction, resolveModule } from '../modules/registry.js';
import type { AnyModuleDefinition } from '../modules/types.js';
import { HANDLER_KEYWORDS, TASK_KEYWORDS, fail } from './keywords.js';
import { parseKeyValues, splitModuleString } from '../values/kv.js';
import { isUnimplementedModule, unknownAction } from './module-hints.js';
import type { ParseContext } from './parse-context.js';
import { hasTemplate, isMapping, kindOf } from './values.js';
import { keyLocationOf, setValueLocations, valueLocationOf } from '../values/yaml.js';
import { isUnsafeContainer, wrapUnsafe } from '../template/unsafe.js';

/** Modules whose free-form text is kept as `_raw_params` (Ansible's MODULE_REQUIRE_ARGS). */
const FREE_FORM_ACTIONS = new Set(['command', 'shell', 'raw', 'script', 'win_command', 'win_shell']);
/** Actions that accept `_raw_params` (RAW_PARAM_MODULES). */
const RAW_PARAM_ACTIONS = new Set([...FREE_FORM_ACTIONS, 'include', 'include_vars', 'include_tasks', 'include_role', 'import_tasks', 'import_role', 'add_host', 'group_by', 'set_fact', 'meta']);

export interface ResolvedAction {
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
function knownAction(name: string): { canonical: string; def?: AnyModuleDefinition; unimplemented?: true } | undefined {
  if (isExecutorAction(name)) return { canonical: canonicalExecutorAction(name) };
  const short = canonicalExecutorAction(name);
  if (short === 'include') return { canonical: 'include' };
  const def = resolveModule(name);
  if (def) return { canonical: def.name, def };
  if (isUnimplementedModule(name)) return { canonical: name.replace(/^ansible\.(builtin|legacy)\./, ''), unimplemented: true };
  return undefined;
}

/** Module arguments from `module: <thing>` (new style): a dict, k=v text, or nothing. */
/**
 * A copy of an argument mapping. The copy is a new, unmarked object: the values of an `!unsafe`
 * mapping are wrapped one by one so that they stay unsafe (never templated) in it.
 */
function copyArgs(m: Record<string, unknown>): Record<string, unknown> {
  if (!isUnsafeContainer(m)) return { ...m };
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, wrapUnsafe(v)]));
}

function newStyleArgs(thing: unknown, canonical: string, loc: SourceLocation): Record<string, unknown> {
  if (thing === null || thing === undefined) return {};
  if (isMapping(thing)) return copyArgs(thing);
  if (typeof thing === 'string') return parseKeyValues(thing, FREE_FORM_ACTIONS.has(canonical), loc);
  if (typeof thing === 'number' || typeof thing === 'boolean') return parseKeyValues(String(thing), FREE_FORM_ACTIONS.has(canonical), loc);
  fail(`unexpected parameter type in action: ${kindOf(thing)}`, loc);
}

/** Where each argument's value was written, the module's own mapping over `args:`. */
function argValueLocations(...sources: unknown[]): Map<string, SourceLocation> {
  const out = new Map<string, SourceLocation>();
  for (const m of sources) {
    if (!isMapping(m)) continue;
    for (const k of Object.keys(m)) {
      const l = valueLocationOf(m, k);
      if (l) out.set(k, l);
    }
  }
  return out;
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
    const args = { ...thing };
    delete args['module'];
    return { written: name, args: { ...args, ...parseKeyValues(rest, FREE_FORM_ACTIONS.has(canonical), loc) } };
  }
  fail(`unexpected parameter type in ${key}: expected "module arg=value..." or a mapping with 'module', got a ${kindOf(thing)}`, loc);
}

export function resolveAction(ds: Record<string, unknown>, ctx: ParseContext, loc: SourceLocation): ResolvedAction {
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
  // Keys that are not keywords are all taken for actions: two of them is ansible-core's
  // "conflicting action statements" (a misspelt keyword beside a module lands here).
  if ('listen' in ds && !ctx.handlers) fail(`'listen' is not a valid attribute for a Task`, keyLocationOf(ds, 'listen') ?? loc, 'listen is only valid on handlers');
  const candidates = Object.keys(ds).filter((key) => !validKeys.includes(key) && !key.startsWith('with_') && key !== 'action' && key !== 'local_action');
  if (candidates.length + (found ? 1 : 0) > 1) {
    const names = found ? [found.written, candidates[0]!] : candidates.slice(0, 2);
    const unknown = candidates.find((k) => !knownAction(k));
    const at = keyLocationOf(ds, unknown ?? names[1]!) ?? loc;
    const hint = unknown ? unknownAction(unknown, validKeys).hint : undefined;
    fail(`conflicting action statements: ${names[0]}, ${names[1]}`, at, hint);
  }
  for (const key of Object.keys(ds)) {
    if (validKeys.includes(key) || key.startsWith('with_')) continue;
    const kl = keyLocationOf(ds, key) ?? loc;
    const known = knownAction(key);
    if (!known) {
      const { message, hint } = unknownAction(key, validKeys);
      fail(message, kl, hint);
    }
    if (found) fail(`conflicting action statements: ${found.written}, ${key}`, kl);
    found = { written: key, args: newStyleArgs(ds[key], known.canonical, kl), key };
  }
  if (!found) fail('no module/action detected in task.', loc);
  const kl = keyLocationOf(ds, found.key) ?? loc;
  // `action: "{{ name }} k=v"`: the module is known only when the task runs (its name is templated
  // then, as Task.post_validate does); until then its arguments are plain key=value pairs.
  const known = knownAction(found.written) ?? (found.key !== found.written && hasTemplate(found.written) ? { canonical: found.written, unimplemented: true as const } : undefined);
  if (!known) {
    const { message, hint } = unknownAction(found.written, []);
    fail(message, kl, hint);
  }
  // `args:` supplies defaults that the module's own arguments override.
  let args: Record<string, unknown> = {};
  if ('args' in ds && ds['args'] !== null) {
    const extra = ds['args'];
    const al = keyLocationOf(ds, 'args') ?? loc;
    if (isMapping(extra)) args = copyArgs(extra);
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
  if (typeof raw === 'string' && raw !== '' && !RAW_PARAM_ACTIONS.has(known.canonical) && !known.def?.freeForm && !known.unimplemented) {
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
  setValueLocations(args, argValueLocations(ds['args'], ds[found.key]));
  const out: ResolvedAction = { written: found.written, canonical: known.canonical, args, delegateToLocalhost };
  if (known.def) out.def = known.def;
  return out;
}

