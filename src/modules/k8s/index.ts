/** Registry lines of the k8s modules: one import and one array entry per module file. */
import type { AnyModuleDefinition } from '../types.js';

export const k8sModules: AnyModuleDefinition[] = [];
