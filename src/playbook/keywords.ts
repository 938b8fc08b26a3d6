/**
 * The keywords Ansible 2.14 accepts on plays, blocks, tasks, handlers and role entries
 * (taken from the FieldAttributes of ansible.playbook.*), and the checks that turn a
 * keyword's YAML value into the typed value philote keeps.
 */
import { PhiloteError, didYouMean, type SourceLocation } from '../errors.js';
import { parseBoolean } from '../values/booleans.js';
import { isIdentifier } from '../values/identifier.js';
import { keyLocationOf } from '../values/yaml.js';
import { UnsafeText } from '../template/unsafe.js';
import { PyFloat } from '../template/runtime/values.js';

/** Keywords shared by plays, blocks, roles and tasks (ansible.playbook.base.Base and mixins). */
export const BASE_KEYWORDS = [
  'name', 'connection', 'port', 'remote_user', 'vars', 'module_defaults', 'environment', 'no_log', 'run_once',
  'ignore_errors', 'ignore_unreachable', 'check_mode', 'diff', 'any_errors_fatal', 'throttle', 'timeout', 'debugger',
  'become', 'become_method', 'become_user', 'become_flags', 'become_exe', 'collections', 'tags',
] as const;

export const TASK_KEYWORDS = [
  ...BASE_KEYWORDS, 'when', 'action', 'local_action', 'args', 'async', 'poll', 'changed_when', 'delay', 'delegate_to',
  'delegate_facts', 'failed_when', 'loop', 'loop_control', 'notify', 'register', 'retries', 'until',
] as const;

export const HANDLER_KEYWORDS = [...TASK_KEYWORDS, 'listen'] as const;

export const BLOCK_KEYWORDS = [
  ...BASE_KEYWORDS, 'when', 'block', 'rescue', 'always', 'delegate_to', 'delegate_facts', 'notify',
] as const;

export const PLAY_KEYWORDS = [
  ...BASE_KEYWORDS, 'hosts', 'gather_facts', 'gather_subset', 'gather_timeout', 'fact_path', 'vars_files', 'vars_prompt',
  'roles', 'pre_tasks', 'tasks', 'post_tasks', 'handlers', 'serial', 'strategy', 'max_fail_percentage', 'order',
  'force_handlers',
] as const;

/** Keys of a `roles:` entry besides role params (RoleInclude attributes). */
export const ROLE_ENTRY_KEYWORDS = [...BASE_KEYWORDS, 'when', 'role', 'delegate_to', 'delegate_facts'] as const;

export const IMPORT_PLAYBOOK_KEYWORDS = ['import_playbook', 'ansible.builtin.import_playbook', 'ansible.legacy.import_playbook', 'name', 'vars', 'tags', 'when', 'collections'] as const;

export function fail(message: string, location: SourceLocation | undefined, hint?: string): never {
  throw new PhiloteError('parse', message, { location, hint });
}

export function unknownKeyword(key: string, where: string, valid: readonly string[], location: SourceLocation | undefined): never {
  fail(`'${key}' is not a valid attribute for a ${where}`, location, didYouMean(key, valid));
}

/**
 * A whole-number float from YAML (`1.0`, kept a float for templates) as a keyword reads it: its
 * text "1.0" where the keyword is text, its number where it is a number.
 */
const asText = (v: unknown): unknown => (v instanceof PyFloat ? String(v) : v);

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyFloat) return 'float';
  if (typeof v === 'object') return 'dict';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

function wrongType(key: string, value: unknown, expected: string, location: SourceLocation | undefined): never {
  fail(`the field '${key}' has an invalid value (${typeName(value)} ${JSON.stringify(value)}): expected ${expected}`, location);
}

/** A boolean keyword: true/false, yes/no strings, or a template evaluated at run time. */
export function asBoolish(key: string, v: unknown, loc?: SourceLocation): boolean | string {
  // FieldAttribute(isa='bool'): boolean(value, strict=True) once templates are rendered.
  const b = parseBoolean(v instanceof PyFloat ? v.value : v);
  if (b !== undefined) return b;
  if (typeof v === 'string' && (v.includes('{{') || v.includes('{%'))) return v;
  wrongType(key, v, 'a boolean (yes/no, true/false) or a template', loc);
}

/** A plain boolean (force_handlers and other keywords Ansible does not template). */
export function asBool(key: string, v: unknown, loc?: SourceLocation): boolean {
  const b = asBoolish(key, v, loc);
  if (typeof b === 'string') wrongType(key, v, 'a boolean', loc);
  return b;
}

/** An integer keyword (retries, delay, throttle, timeout, port): a number, digits, or a template. */
export function asIntish(key: string, v: unknown, loc?: SourceLocation): number | string {
  if (v instanceof PyFloat) v = v.value;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string') {
    if (/^\s*-?\d+\s*$/.test(v)) return parseInt(v, 10);
    if (v.includes('{{') || v.includes('{%')) return v;
  }
  wrongType(key, v, 'an integer or a template', loc);
}

export function asString(key: string, v: unknown, loc?: SourceLocation): string {
  v = asText(v);
  if (typeof v === 'string') return v;
  // `!unsafe` text is still text for a keyword (a task name); its content is kept as written.
  if (v instanceof UnsafeText) return v.text;
  // A string FieldAttribute takes to_text() of a scalar: `name: yes` is the task "True".
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  wrongType(key, v, 'a string', loc);
}

/** A string or a list of strings → string[] (notify, listen, collections, gather_subset). */
export function asStringList(key: string, v: unknown, loc?: SourceLocation): string[] {
  v = Array.isArray(v) ? v.map(asText) : asText(v);
  if (v === null || v === undefined) return [];
  if (typeof v === 'string') return [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v)) {
    return v.map((x) => {
      if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') return String(x);
      wrongType(key, v, 'a string or a list of strings', loc);
    });
  }
  wrongType(key, v, 'a string or a list of strings', loc);
}

/** tags: "a,b" or [a, b] or a number → trimmed strings, as Taggable._load_tags. */
export function asTags(v: unknown, loc?: SourceLocation): string[] {
  v = Array.isArray(v) ? v.map(asText) : asText(v);
  if (v === null || v === undefined) return [];
  if (typeof v === 'string') return v.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const t of v) {
      if (typeof t === 'string' || typeof t === 'number' || typeof t === 'boolean') out.push(String(t));
      else wrongType('tags', v, 'a string or a list of strings', loc);
    }
    return out;
  }
  wrongType('tags', v, 'a string or a list of strings', loc);
}

/** when/changed_when/failed_when: string, bool, or list of them → array. */
export function asConditions(key: string, v: unknown, loc?: SourceLocation): Array<string | boolean> {
  v = Array.isArray(v) ? v.map(asText) : asText(v);
  if (v === null || v === undefined) return [];
  if (typeof v === 'string' || typeof v === 'boolean') return [v];
  if (typeof v === 'number') return [String(v)];
  if (Array.isArray(v)) {
    return v.map((c) => {
      if (typeof c === 'string' || typeof c === 'boolean') return c;
      if (typeof c === 'number') return String(c);
      wrongType(key, v, 'a conditional (string or bool) or a list of them', loc);
    });
  }
  wrongType(key, v, 'a conditional (string or bool) or a list of them', loc);
}

export function asDict(key: string, v: unknown, loc?: SourceLocation): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  if (typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  wrongType(key, v, 'a dictionary', loc);
}

/**
 * vars: a dict, or a list of dicts merged in order (Base._load_vars), every name a valid
 * variable name. `owner` is the class ansible-core names in its error (Play, Block, Task,
 * TaskInclude, IncludeRole, Handler, HandlerTaskInclude, RoleInclude, PlaybookInclude).
 */
export function asVars(v: unknown, loc: SourceLocation | undefined, owner: string): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  const checked = (d: Record<string, unknown>) => {
    for (const name of Object.keys(d)) {
      if (!isIdentifier(name)) fail(`Invalid variable name in vars specified for ${owner}: '${name}' is not a valid variable name`, keyLocationOf(d, name) ?? loc);
    }
    return d;
  };
  if (Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (const d of v) {
      if (!d || typeof d !== 'object' || Array.isArray(d)) fail(`Vars in a Base must be specified as a dictionary, or a list of dictionaries`, loc);
      Object.assign(out, checked(d as Record<string, unknown>));
    }
    return out;
  }
  if (typeof v === 'object') return checked(v as Record<string, unknown>);
  fail(`Vars in a Base must be specified as a dictionary, or a list of dictionaries`, loc);
}

export function asEnvironment(v: unknown, loc?: SourceLocation): Record<string, unknown> | string | Array<Record<string, unknown> | string> {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) {
    return v.map((e) => {
      if (typeof e === 'string' || (e && typeof e === 'object' && !Array.isArray(e))) return e as Record<string, unknown> | string;
      wrongType('environment', v, 'a dictionary, a template, or a list of them', loc);
    });
  }
  if (v && typeof v === 'object') return v as Record<string, unknown>;
  wrongType('environment', v, 'a dictionary, a template, or a list of them', loc);
}

export function asModuleDefaults(v: unknown, loc?: SourceLocation): Record<string, Record<string, unknown>> {
  const list = Array.isArray(v) ? v : [v];
  const out: Record<string, Record<string, unknown>> = {};
  for (const d of list) {
    if (!d || typeof d !== 'object' || Array.isArray(d)) wrongType('module_defaults', v, 'a dictionary of module names to dictionaries', loc);
    for (const [k, args] of Object.entries(d as Record<string, unknown>)) {
      if (!args || typeof args !== 'object' || Array.isArray(args)) wrongType('module_defaults', v, 'a dictionary of module names to dictionaries', loc);
      out[k] = { ...(out[k] ?? {}), ...(args as Record<string, unknown>) };
    }
  }
  return out;
}
