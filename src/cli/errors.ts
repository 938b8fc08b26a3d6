/** "ERROR! ..." as Ansible prints it, with the offending line when the error has a location; and exit codes. */
import { existsSync, readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { PhiloteError } from '../errors.js';

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
    msg += `\n\nThe error appears to be in '${loc.file}': line ${loc.line}, column ${loc.column}, but may\nbe elsewhere in the file depending on the exact syntax problem.\n`;
    const lines = readFileSync(loc.file, 'utf8').split('\n');
    const target = lines[loc.line - 1];
    if (target !== undefined) {
      msg += '\nThe offending line appears to be:\n\n';
      const prev = lines[loc.line - 2];
      if (prev !== undefined && loc.line > 1) msg += `${prev}\n`;
      msg += `${target}\n${' '.repeat(Math.max(0, loc.column - 1))}^ here\n`;
    }
  } else if (loc) {
    msg += `\n\nThe error appears to be in '${loc.file}': line ${loc.line}, column ${loc.column}.`;
  }
  return msg;
}
