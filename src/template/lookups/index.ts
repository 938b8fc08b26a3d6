/**
 * Lookup plugins. Each takes the list of terms (as Ansible's LookupBase.run does) and returns a list;
 * `lookup()` joins a list of strings with "," (or unwraps a single non-string), `query()` keeps the list.
 */
import type { EvalState } from '../runtime/env.js';
import { FinalTemplateError, LookupError, PythonClassError, TemplateRuntimeError } from '../runtime/env.js';
import { failUndefined, pyStr, truthy, Undefined, UndefinedUse, type Dict } from '../runtime/values.js';
import { CONFIG_LOOKUPS } from './config.js';
import { DATA_LOOKUPS } from './data.js';
import { FILE_LOOKUPS } from './files.js';
import { k8sLookup } from './k8s.js';
import { mergeVariables } from './merge-variables.js';

export type LookupFn = (s: EvalState, terms: unknown[], kwargs: Dict) => unknown[];

export const LOOKUPS: Record<string, LookupFn> = { ...DATA_LOOKUPS, ...FILE_LOOKUPS, ...CONFIG_LOOKUPS, merge_variables: mergeVariables, k8s: k8sLookup };

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
    // As Templar._lookup: options errors are raised as they are; lookup errors and any other
    // failure obey errors=ignore/warn; any other failure is worded as an unhandled exception.
    if (e instanceof UndefinedUse || (e instanceof TemplateRuntimeError && /^lookup plugin \(/.test(e.message))) throw e;
    if (e instanceof LookupError && e.kind === 'options') throw new FinalTemplateError(e.message);
    const mode = errors === undefined ? 'strict' : pyStr(errors);
    if (mode === 'ignore' || mode === 'warn') return want ? [] : null;
    if (e instanceof LookupError) throw new FinalTemplateError(e.message);
    const m = e instanceof Error ? e.message : String(e);
    const cls = e instanceof PythonClassError ? e.pyClass : 'ansible.errors.AnsibleError';
    throw new FinalTemplateError(`An unhandled exception occurred while running the lookup plugin '${name}'. Error was a <class '${cls}'>, original message: ${m}. ${m}`);
  }
  // As Templar._lookup: a result is unsafe unless the call says allow_unsafe=True, and only such a
  // non-empty result is joined ("a,b") or unpacked (one non-string item); otherwise the list is kept.
  const unsafe = !(allow_unsafe !== undefined && truthy(allow_unsafe));
  if (!ran.length || !unsafe) return ran;
  s.unsafe = true;
  if (want) return ran;
  if (ran.every((x) => typeof x === 'string')) return ran.join(',');
  return ran.length === 1 ? ran[0] : ran;
}
