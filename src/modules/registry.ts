/**
 * Resolves module names as users write them (short, FQCN, legacy) to definitions.
 * Each folder keeps its own list so adding a module is a new file plus one line there.
 */
import { didYouMean } from '../errors.js';
import type { AnyModuleDefinition } from './types.js';
import { controllerModules } from './controller/index.js';
import { nodeModules } from './node/index.js';
import { netModules } from './net/index.js';
import { k8sModules } from './k8s/index.js';

/** Task keywords and actions handled by the executor itself rather than a module file. */
export const EXECUTOR_ACTIONS = [
  'meta',
  'include_tasks',
  'import_tasks',
  'include_role',
  'import_role',
  'import_playbook',
  'include_vars',
] as const;

let table: Map<string, AnyModuleDefinition> | undefined;

function build(): Map<string, AnyModuleDefinition> {
  const t = new Map<string, AnyModuleDefinition>();
  for (const m of [...controllerModules, ...nodeModules, ...netModules, ...k8sModules]) {
    for (const n of [m.name, ...m.aliases]) t.set(n, m);
  }
  return t;
}

export function allModules(): Map<string, AnyModuleDefinition> {
  table ??= build();
  return table;
}

/** Strip ansible.builtin./ansible.legacy. and known collection prefixes to find the module. */
export function resolveModule(name: string): AnyModuleDefinition | undefined {
  const t = allModules();
  return t.get(name) ?? t.get(name.replace(/^ansible\.(builtin|legacy)\./, ''));
}

export function isExecutorAction(name: string): boolean {
  const short = name.replace(/^ansible\.(builtin|legacy)\./, '');
  return (EXECUTOR_ACTIONS as readonly string[]).includes(short);
}

export function suggestModule(name: string): string | undefined {
  return didYouMean(name, [...allModules().keys(), ...EXECUTOR_ACTIONS]);
}
