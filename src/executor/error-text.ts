/**
 * Run-time error messages worded as ansible-core 2.14 words them: its Templar raises
 * AnsibleUndefinedVariable(e, orig_exc=e), so the reason appears twice ("'x' is undefined.
 * 'x' is undefined"), and an error raised with the task as its object ends with the task's
 * position and the offending lines (errors.ts `errorContext`).
 */
import { readFileSync } from 'node:fs';
import { errorContext, PhiloteError, type SourceLocation } from '../errors.js';

const lineCache = new Map<string, string[] | undefined>();

function readLines(file: string): string[] | undefined {
  if (!lineCache.has(file)) {
    let lines: string[] | undefined;
    try {
      lines = readFileSync(file, 'utf8').split('\n');
    } catch {
      lines = undefined;
    }
    lineCache.set(file, lines);
  }
  return lineCache.get(file);
}

export function isUndefinedError(e: unknown): boolean {
  return e instanceof PhiloteError && e.kind === 'undefined';
}

/** The reason as Ansible's str(AnsibleError) gives it: doubled for an undefined variable. */
export function reasonOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return isUndefinedError(e) ? `${m}. ${m}` : m;
}

/** `msg` followed by the task's position, as AnsibleError(obj=task_ds) prints it. */
export function withTaskContext(msg: string, loc: SourceLocation | undefined): string {
  if (!loc || !loc.file || loc.line < 1) return msg;
  return `${msg}\n\n${errorContext(loc, readLines)}`;
}

/** The message of a conditional (when, changed_when, failed_when, until) that could not be evaluated. */
export function conditionalText(condition: unknown, e: unknown): string {
  const c = Array.isArray(condition) ? condition.map(String).join(' and ') : String(condition);
  // Only an undefined variable is wrapped in "error while evaluating conditional" (Conditional._check_conditional).
  if (isUndefinedError(e)) return `The conditional check '${c}' failed. The error was: error while evaluating conditional (${c}): ${reasonOf(e)}`;
  return `The conditional check '${c}' failed. The error was: ${e instanceof Error ? e.message : String(e)}`;
}
