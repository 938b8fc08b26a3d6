/**
 * Load-time check of module arguments. When a task's arguments hold no template, a
 * wrong argument is certain before anything runs, so it is reported with the task's
 * location. Missing required arguments are left to run time: module_defaults may add them.
 */
import type { $ZodIssue } from 'zod/v4/core';
import { didYouMean, type SourceLocation } from '../errors.js';
import type { AnyModuleDefinition } from '../modules/types.js';
import { fail } from './keywords.js';
import { hasTemplate } from './values.js';

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

function describe(issue: $ZodIssue, args: Record<string, unknown>, def: AnyModuleDefinition): string | undefined {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.filter((k) => !k.startsWith('_ansible_'));
    if (!keys.length) return undefined;
    const where = issue.path.length ? ` in '${path}'` : '';
    return `Unsupported parameters for (${def.name}) module${where}: ${keys.join(', ')}`;
  }
  if (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union' || issue.code === 'too_small' || issue.code === 'too_big' || issue.code === 'invalid_format') {
    const v = valueAt(args, issue.path);
    if (v === undefined) return undefined;
    return `argument '${path}' of module ${def.name}: ${issue.message} (got ${JSON.stringify(v)})`;
  }
  return undefined;
}

export function validateArgsAtLoad(def: AnyModuleDefinition, written: string, args: Record<string, unknown>, loc: SourceLocation): void {
  if (!def.schema || hasTemplate(args) || '_variable_params' in args) return;
  const r = def.schema.safeParse(args);
  if (r.success) return;
  for (const issue of r.error.issues as $ZodIssue[]) {
    const msg = describe(issue, args, def);
    if (!msg) continue;
    const hint = issue.code === 'unrecognized_keys' ? didYouMean(issue.keys[0]!, schemaKeys(def)) : undefined;
    fail(`${written}: ${msg}`, loc, hint);
  }
}
