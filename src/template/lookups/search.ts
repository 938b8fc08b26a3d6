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
  return searchStack(searchBases(ctx), subdir, name).found;
}

/** The folders lookups search: the context's, else the task's ansible_search_path, else the working folder. */
export function searchBases(ctx: TemplateContext): string[] {
  const fromVars = ctx.vars['ansible_search_path'];
  return ctx.searchPaths?.length ? ctx.searchPaths : Array.isArray(fromVars) && fromVars.length ? fromVars.map(String) : [process.cwd()];
}

/**
 * path_dwim_relative_stack's candidates, in order, and the first that exists. `basedir` (the
 * playbook's folder) is tried last, as the loader's basedir; the candidates also make the
 * "Searched in" list of a not-found error.
 */
export function searchStack(bases: string[], subdir: string, name: string, basedir?: string): { found?: string; searched: string[] } {
  if (name.startsWith('~') || path.isAbsolute(name)) {
    const p = name.startsWith('~') ? path.join(process.env['HOME'] ?? '/', name.slice(1)) : name;
    return fs.existsSync(p) ? { found: p, searched: [] } : { searched: [] };
  }
  const withSubdir = name.split('/')[0] !== subdir;
  const searched: string[] = [];
  for (const base of basedir === undefined ? bases : [...bases, basedir]) {
    if (withSubdir) searched.push(path.join(base, subdir, name));
    searched.push(path.join(base, name));
  }
  return { found: searched.find((c) => fs.existsSync(c)), searched };
}
