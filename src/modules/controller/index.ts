/** Registry lines of the controller modules: one import and one array entry per module file. */
import type { AnyModuleDefinition } from '../types.js';

export const controllerModules: AnyModuleDefinition[] = [];
