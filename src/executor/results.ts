/** Shapes of results that the executor itself produces, as ansible-core words them. */
import type { HostStatus } from '../output/events.js';
import type { ModuleResult } from '../modules/types.js';

export const CENSORED = "the output has been hidden due to the fact that 'no_log: true' was specified for this result";

/**
 * ansible-core 2.14 says only why (2.15 added `false_condition`, the condition's text; the
 * callers still pass it, but 2.14's -v output and registered results have no such key).
 */
export function skippedResult(reason = 'Conditional result was False', _falseCondition?: string): ModuleResult {
  return { changed: false, skip_reason: reason, skipped: true };
}

export function failedResult(msg: string, extra: Record<string, unknown> = {}): ModuleResult {
  return { failed: true, msg, changed: false, ...extra };
}

export function statusOf(r: ModuleResult): HostStatus {
  if (r.unreachable) return 'unreachable';
  if (isFailed(r)) return 'failed';
  if (r.skipped) return 'skipped';
  return r.changed ? 'changed' : 'ok';
}

/** What callbacks see for a no_log result (TaskResult.clean_copy). */
export function censor(r: ModuleResult): ModuleResult {
  const out: ModuleResult = { censored: CENSORED, changed: Boolean(r.changed) };
  if (r['attempts'] !== undefined) out['attempts'] = r['attempts'];
  if (r['retries'] !== undefined) out['retries'] = r['retries'];
  if (r.failed) out.failed = true;
  if (r.skipped) out.skipped = true;
  if (r.unreachable) out.unreachable = true;
  return out;
}

/**
 * TaskResult.is_failed: where failed_when was evaluated (on the result or on an item), its
 * verdict decides, not `failed`; so `failed_when: false` keeps a task whose retries ran out ok.
 */
export function isFailed(r: ModuleResult): boolean {
  const items = Array.isArray(r['results']) ? (r['results'] as unknown[]).filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object') : [];
  const key = 'failed_when_result' in r || items.some((x) => 'failed_when_result' in x) ? 'failed_when_result' : 'failed';
  if (key in r) return Boolean(r[key]);
  return items.some((x) => Boolean(x[key]));
}
