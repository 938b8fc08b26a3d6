/** The playbook loader's entry point (see types.ts for the objects it produces). */
import { Loader, type LoaderOptions } from './loader.js';
import type { PlaybookLoader } from './types.js';

export function createLoader(opts: LoaderOptions): PlaybookLoader & { loadPlaybookSync: Loader['loadPlaybookSync'] } {
  return new Loader(opts);
}

export { Loader } from './loader.js';
export type { LoaderOptions } from './loader.js';
export { parseKeyValues, splitArgs } from './kv.js';
export type * from './types.js';
