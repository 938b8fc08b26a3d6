/** Registry lines of the controller modules: one import and one array entry per module file. */
import type { AnyModuleDefinition } from '../types.js';
import { addHostModule } from './add-host.js';
import { assertModule } from './assert.js';
import { debugModule } from './debug.js';
import { failModule } from './fail.js';
import { groupByModule } from './group-by.js';
import { pauseModule } from './pause.js';
import { pingModule } from './ping.js';
import { setFactModule } from './set-fact.js';
import { setStatsModule } from './set-stats.js';
import { validateArgumentSpecModule } from './validate-argument-spec.js';

export const controllerModules: AnyModuleDefinition[] = [
  debugModule,
  setFactModule,
  assertModule,
  failModule,
  pauseModule,
  addHostModule,
  groupByModule,
  setStatsModule,
  pingModule,
  validateArgumentSpecModule,
];
