/** Where lookups find controller files: absolute paths, else each search path (and its files/ or templates/ subdir). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TemplateContext } from '../types.js';

export function findFile(ctx: TemplateContext, name: string, subdir: 'files' | 'templates' | 'vars'): string | undefined {
  if (path.isAbsolute(name)) return fs.existsSync(name) ? name : undefined;
  const bases = ctx.searchPaths?.length ? ctx.searchPaths : [process.cwd()];
  for (const base of bases) {
    for (const cand of [path.join(base, subdir, name), path.join(base, name)]) {
      if (fs.existsSync(cand)) return cand;
    }
  }
  return undefined;
}
