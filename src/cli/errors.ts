/** "ERROR! ..." as Ansible prints it, with the offending line when the error has a location; and exit codes. */
import { existsSync, readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { errorContext, PhiloteError } from '../errors.js';

function readLines(file: string): string[] | undefined {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch {
    return undefined;
  }
}

/** ansible-playbook: 4 for parser errors, 5 for AnsibleOptionsError, 2 for argparse usage errors, else 1. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
  if (e instanceof PhiloteError) {
    if (e.kind === 'parse' || e.kind === 'module-args') return 4;
    if (e.kind === 'option') return 5;
  }
  return 1;
}

export function formatError(e: unknown): string {
  if (!(e instanceof PhiloteError)) return `ERROR! ${e instanceof Error ? e.message : String(e)}`;
  let msg = `ERROR! ${e.message}${e.hint ? ` (${e.hint})` : ''}`;
  const loc = e.location;
  if (loc && loc.file && existsSync(loc.file)) {
    msg += `\n\n${errorContext(loc, readLines)}`;
  } else if (loc) {
    msg += `\n\nThe error appears to be in '${loc.file}': line ${loc.line}, column ${loc.column}.`;
  }
  return msg;
}
