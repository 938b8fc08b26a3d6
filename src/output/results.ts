/** How Ansible's callbacks clean a result before printing it (_clean_results, _dump_results). */
import { PyFloat } from '../template/runtime/values.js';
import type { ModuleResult } from '../modules/types.js';
import { pyJson } from './pyjson.js';

const DEBUG_ACTIONS = new Set(['debug', 'ansible.builtin.debug', 'ansible.legacy.debug']);
const DEBUG_ALLOWED_KEYS = new Set(['msg', 'exception', 'warnings', 'deprecations']);
const HIDE_IN_DEBUG = ['changed', 'failed', 'skipped', 'invocation', 'skip_reason'];

export function isDebug(action: string): boolean {
  return DEBUG_ACTIONS.has(action);
}

/** debug shows only its msg (or var) and is always printed in full, even without -v. */
export function cleanResult(result: ModuleResult, action: string): Record<string, unknown> {
  const r: Record<string, unknown> = { ...result };
  if (isDebug(action)) {
    if ('msg' in r) {
      for (const k of Object.keys(r)) if (!DEBUG_ALLOWED_KEYS.has(k) && !k.startsWith('_')) delete r[k];
    } else for (const k of HIDE_IN_DEBUG) delete r[k];
  }
  return r;
}

/**
 * debug's action plugin sets _ansible_verbose_always on its results; assume it when the executor
 * did not, except for a failure, which comes from before the action ran (an undefined variable).
 */
export function verboseAlways(result: ModuleResult, action: string): boolean {
  if (result._ansible_verbose_always === true) return true;
  return isDebug(action) && result._ansible_verbose_always !== false && result.skipped !== true && result.failed !== true && !('results' in result);
}

export function isVerbose(result: ModuleResult, action: string, verbosity: number, above = 0): boolean {
  return (verbosity > above || verboseAlways(result, action)) && result._ansible_verbose_override !== true;
}

/** strip_internal_keys: drops the _ansible_* keys at every level. */
export function stripInternal(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripInternal);
  if (v !== null && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v) && !(v instanceof PyFloat)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!k.startsWith('_ansible_')) out[k] = stripInternal(x);
    return out;
  }
  return v;
}

export function dumpResult(result: Record<string, unknown>, verbosity: number, opts: { indent?: number; verboseAlways?: boolean } = {}): string {
  const r = stripInternal(result) as Record<string, unknown>;
  if (verbosity < 3) {
    delete r.invocation;
    delete r.diff;
  }
  delete r.exception;
  // TaskResult.clean_copy() drops these before callbacks see the result.
  delete r.failed;
  delete r.skipped;
  delete r.warnings;
  delete r.deprecations;
  const indent = opts.indent ?? (opts.verboseAlways || verbosity > 2 ? 4 : undefined);
  return pyJson(r, indent);
}
