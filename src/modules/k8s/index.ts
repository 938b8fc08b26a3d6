/** Registry lines of the k8s modules: one import and one array entry per module file. */
import type { AnyModuleDefinition } from '../types.js';
import { k8sModule } from './k8s.js';
import { k8sInfoModule } from './k8s_info.js';
import { k8sDrainModule } from './k8s_drain.js';
import { k8sRolloutModule } from './k8s_rollout.js';

export const k8sModules: AnyModuleDefinition[] = [
  k8sModule,
  k8sInfoModule,
  k8sDrainModule,
  k8sRolloutModule,
];
