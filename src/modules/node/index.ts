/** Registry lines of the node modules: one import and one array entry per module file. */
import type { AnyModuleDefinition } from '../types.js';
import { commandModule } from './command.js';
import { copyModule } from './copy.js';
import { fileModule } from './file.js';
import { rawModule } from './raw.js';
import { scriptModule } from './run-script.js';
import { setupModule } from './setup.js';
import { shellModule } from './shell.js';
import { statModule } from './stat.js';

export const nodeModules: AnyModuleDefinition[] = [
  commandModule,
  shellModule,
  rawModule,
  scriptModule,
  fileModule,
  copyModule,
  statModule,
  setupModule,
];
