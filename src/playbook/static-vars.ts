/**
 * Templating of names that Ansible resolves while loading (import_tasks and import_role
 * targets, role names, import_playbook files). Only variables known before the play runs
 * are available: extra vars, play vars, playbook_dir, role_name/role_path.
 */
import { PhiloteError, type SourceLocation } from '../errors.js';
import type { Templar } from '../template/types.js';

export type StaticRender = (text: string, vars: Record<string, unknown>, loc: SourceLocation | undefined) => string;

const isTemplate = (s: string) => s.includes('{{') || s.includes('{%');

function undefinedError(text: string, loc: SourceLocation | undefined, cause?: unknown): PhiloteError {
  return new PhiloteError(
    'parse',
    `Error when evaluating variable in import path: ${text}. When using static imports, ensure that any variables used in their names are defined in vars/vars_files or extra-vars passed in from the command line. Static imports cannot use variables from facts or inventory sources like group or host vars.`,
    { location: loc, cause, hint: 'use include_tasks / include_role to name the file with run-time variables' },
  );
}

/** `{{ name }}` and `{{ a.b }}` lookups only; used when the template engine is not loaded. */
function plainRender(text: string, vars: Record<string, unknown>, loc: SourceLocation | undefined): string {
  const out = text.replace(/\{\{\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\}\}/g, (_m, path: string) => {
    let cur: unknown = vars;
    for (const part of path.split('.')) {
      if (cur === null || typeof cur !== 'object' || !(part in cur)) throw undefinedError(text, loc);
      cur = (cur as Record<string, unknown>)[part];
    }
    return String(cur);
  });
  if (isTemplate(out)) throw undefinedError(text, loc);
  return out;
}

export function makeStaticRender(templar: Templar | undefined): StaticRender {
  return (text, vars, loc) => {
    if (!isTemplate(text)) return text;
    if (!templar) return plainRender(text, vars, loc);
    try {
      return String(templar.render(text, { vars, location: loc }));
    } catch (e) {
      throw undefinedError(text, loc, e);
    }
  };
}

/** Loads the template engine if it is there; the loader still works without it. */
export async function loadTemplar(): Promise<Templar | undefined> {
  try {
    const mod = (await import('../template/index.js' as string)) as { createTemplar?: () => Templar };
    return mod.createTemplar?.();
  } catch {
    return undefined;
  }
}
