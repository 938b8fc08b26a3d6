/** Registry lines of the net modules: one import and one array entry per module file. */
import type { AnyModuleDefinition } from '../types.js';

export const netModules: AnyModuleDefinition[] = [];
