/** Registry lines of the node modules: one import and one array entry per module file. */
import type { AnyModuleDefinition } from '../types.js';

export const nodeModules: AnyModuleDefinition[] = [];
