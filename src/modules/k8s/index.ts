/** Registry lines of the k8s modules: one import and one array entry per module file. */
import type { AnyModuleDefinition } from '../types.js';
import { k8sModule } from './k8s.js';
import { k8sInfoModule } from './k8s-info.js';
import { k8sDrainModule } from './k8s-drain.js';
import { k8sRolloutModule } from './k8s-rollout.js';
import { k8sScaleModule } from './k8s-scale.js';
import { k8sJsonPatchModule } from './k8s-json-patch.js';
import { k8sLogModule } from './k8s-log.js';
import { k8sClusterInfoModule } from './k8s-cluster-info.js';
import { k8sExecModule } from './k8s-exec.js';
import { helmModule } from './helm.js';
import { helmRepositoryModule } from './helm-repository.js';

export const k8sModules: AnyModuleDefinition[] = [
  k8sModule,
  k8sInfoModule,
  k8sDrainModule,
  k8sRolloutModule,
  k8sScaleModule,
  k8sJsonPatchModule,
  k8sLogModule,
  k8sClusterInfoModule,
  k8sExecModule,
  helmModule,
  helmRepositoryModule,
];
