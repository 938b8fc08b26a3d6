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
  if (r.failed) return 'failed';
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
