/**
 * Lookup plugins. Each takes the list of terms (as Ansible's LookupBase.run does) and returns a list;
 * `lookup()` joins a list of strings with "," (or unwraps a single non-string), `query()` keeps the list.
 */
import type { EvalState } from '../runtime/env.js';
import { TemplateRuntimeError } from '../runtime/env.js';
import { failUndefined, pyStr, truthy, Undefined, type Dict } from '../runtime/values.js';
import { DATA_LOOKUPS } from './data.js';
import { FILE_LOOKUPS } from './files.js';
import { k8sLookup } from './k8s.js';
import { mergeVariables } from './merge-variables.js';

export type LookupFn = (s: EvalState, terms: unknown[], kwargs: Dict) => unknown[];

export const LOOKUPS: Record<string, LookupFn> = { ...DATA_LOOKUPS, ...FILE_LOOKUPS, merge_variables: mergeVariables, k8s: k8sLookup };

export function getLookup(name: string): LookupFn {
  const short = name.replace(/^(ansible\.builtin|community\.general|ansible\.utils|kubernetes\.core)\./, '');
  const fn = LOOKUPS[short];
  if (!fn) throw new TemplateRuntimeError(`lookup plugin (${name}) not found`);
  return fn;
}

export function runLookup(s: EvalState, name: string, terms: unknown[], kwargs: Dict, wantlistDefault: boolean): unknown {
  const { wantlist, errors, allow_unsafe, ...rest } = kwargs;
  const want = wantlist === undefined ? wantlistDefault : truthy(wantlist);
  for (const t of terms) if (t instanceof Undefined) failUndefined(t);
  let ran: unknown[];
  try {
    ran = getLookup(name)(s, terms, rest);
  } catch (e) {
    const mode = errors === undefined ? 'strict' : pyStr(errors);
    if (mode === 'ignore' || mode === 'warn') return want ? [] : null;
    throw e;
  }
  // A lookup's result is unsafe unless the call says allow_unsafe=True (Templar._lookup).
  if (ran.length && !(allow_unsafe !== undefined && truthy(allow_unsafe))) s.unsafe = true;
  if (want) return ran;
  if (ran.every((x) => typeof x === 'string')) return ran.join(',');
  return ran.length === 1 ? ran[0] : ran;
}
