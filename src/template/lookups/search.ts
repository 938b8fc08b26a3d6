/**
 * Where lookups find controller files, as DataLoader.path_dwim_relative_stack: an absolute path as
 * it is; else, in each folder of the search path (the context's, or the task's
 * ansible_search_path: role folder, task file's folder, playbook folder), `<dir>/<subdir>/<name>`
 * (unless the name already starts with the subdir) then `<dir>/<name>`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TemplateContext } from '../types.js';

export function findFile(ctx: TemplateContext, name: string, subdir: 'files' | 'templates' | 'vars'): string | undefined {
  if (path.isAbsolute(name)) return fs.existsSync(name) ? name : undefined;
  const fromVars = ctx.vars['ansible_search_path'];
  const bases = ctx.searchPaths?.length ? ctx.searchPaths : Array.isArray(fromVars) && fromVars.length ? fromVars.map(String) : [process.cwd()];
  const withSubdir = name.split('/')[0] !== subdir;
  for (const base of bases) {
    for (const cand of withSubdir ? [path.join(base, subdir, name), path.join(base, name)] : [path.join(base, name)]) {
      if (fs.existsSync(cand)) return cand;
    }
  }
  return undefined;
}
