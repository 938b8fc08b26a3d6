/**
 * The playbook loader's entry point (see types.ts for the objects it produces).
 *
 *   const loader = createLoader({ rolesPath, extraVars });
 *   const pb = await loader.loadPlaybook('site.yml');          // throws PhiloteError('parse') with file:line:col
 *   await loader.loadIncludedTasks(file, includeItem);          // include_tasks at run time
 *   await loader.loadIncludedRole({ name, tasks_from }, item);  // include_role at run time
 *
 * The --syntax-check / --list-* text is in listing.ts (syntaxCheck, runListing).
 */
import { Loader, type LoaderOptions } from './loader.js';
import type { PlaybookLoader } from './types.js';

export function createLoader(opts: LoaderOptions): PlaybookLoader & { loadPlaybookSync: Loader['loadPlaybookSync'] } {
  return new Loader(opts);
}

export { Loader } from './loader.js';
export type { LoaderOptions } from './loader.js';
export { parseKeyValues, splitArgs } from '../values/kv.js';
export type * from './types.js';
