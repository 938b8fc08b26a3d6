/**
 * Load-time check of module arguments. When a task's arguments hold no template, a
 * wrong argument is certain before anything runs, so it is reported with the task's
 * location. Missing required arguments are left to run time: module_defaults may add them.
 */
import { toPlain } from '../template/runtime/values.js';
import type { $ZodIssue } from 'zod/v4/core';
import { didYouMean, type SourceLocation } from '../errors.js';
import type { AnyModuleDefinition } from '../modules/types.js';
import { fail } from './keywords.js';
import { hasTemplate } from './values.js';
import { keyLocationOf } from '../values/yaml.js';

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function schemaKeys(def: AnyModuleDefinition): string[] {
  const shape = (def.schema as unknown as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape && typeof shape === 'object' ? Object.keys(shape).filter((k) => !k.startsWith('_')) : [];
}

/** Python's name for a value's type, as AnsibleModule's messages print it. */
function pyType(v: unknown): string {
  if (v === null) return "<class 'NoneType'>";
  if (typeof v === 'string') return "<class 'str'>";
  if (typeof v === 'boolean') return "<class 'bool'>";
  if (typeof v === 'number') return Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>";
  if (Array.isArray(v)) return "<class 'list'>";
  return "<class 'dict'>";
}

const PY_EXPECTED: Record<string, string> = { number: 'int', int: 'int', boolean: 'bool', string: 'str', array: 'list', object: 'dict', record: 'dict' };

function pyValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** AnsibleModule's argument_spec messages, where zod's issue says the same thing. */
function describe(issue: $ZodIssue, args: Record<string, unknown>, def: AnyModuleDefinition): string | undefined {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.filter((k) => !k.startsWith('_ansible_'));
    if (!keys.length) return undefined;
    const where = issue.path.length ? ` in '${path}'` : '';
    const known = issue.path.length ? [] : schemaKeys(def).sort();
    return `Unsupported parameters for (${def.name}) module${where}: ${keys.join(', ')}.${known.length ? ` Supported parameters include: ${known.join(', ')}.` : ''}`;
  }
  const v = valueAt(args, issue.path);
  if (v === undefined) return undefined;
  if (issue.code === 'invalid_value' && Array.isArray((issue as { values?: unknown[] }).values)) {
    const values = (issue as { values: unknown[] }).values.map(pyValue);
    return `value of ${path} must be one of: ${values.join(', ')}, got: ${pyValue(v)}`;
  }
  if (issue.code === 'invalid_type') {
    const expected = PY_EXPECTED[String((issue as { expected?: string }).expected)] ?? String((issue as { expected?: string }).expected);
    return `argument '${path}' is of type ${pyType(v)} and we were unable to convert to ${expected}: ${pyValue(v)} is not a valid ${expected}`;
  }
  if (issue.code === 'invalid_union' || issue.code === 'too_small' || issue.code === 'too_big' || issue.code === 'invalid_format' || issue.code === 'invalid_value') {
    return `argument '${path}' of module ${def.name}: ${issue.message} (got ${JSON.stringify(v)})`;
  }
  return undefined;
}

/**
 * `loc` is the module's key; `source`, the mapping as written (when it was one), lets the
 * message point at the argument at fault.
 */
export function validateArgsAtLoad(def: AnyModuleDefinition, written: string, args: Record<string, unknown>, loc: SourceLocation, source?: unknown): void {
  if (!def.schema || hasTemplate(args) || '_variable_params' in args) return;
  // As the run gives them (task-runner): a whole-number float is a plain number unless the module keeps floats.
  const r = def.schema.safeParse(def.keepsFloats ? args : toPlain(args));
  if (r.success) return;
  for (const issue of r.error.issues as $ZodIssue[]) {
    const msg = describe(issue, args, def);
    if (!msg) continue;
    const hint = issue.code === 'unrecognized_keys' ? didYouMean(issue.keys[0]!, schemaKeys(def)) : undefined;
    const first = issue.code === 'unrecognized_keys' && issue.path.length === 0 ? issue.keys[0] : issue.path[0];
    const at = source !== null && typeof source === 'object' && !Array.isArray(source) && typeof first === 'string' ? keyLocationOf(source, first) : undefined;
    fail(`${written}: ${msg}`, at ?? loc, hint);
  }
}
