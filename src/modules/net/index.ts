/** Registry lines of the net modules: one import and one array entry per module file. */
import type { AnyModuleDefinition } from '../types.js';
import { iptablesChainsModule } from './iptables-chains.js';
import { ipLinkModule } from './ip-link.js';
import { ipRouteModule } from './ip-route.js';
import { iptablesModule } from './iptables.js';
import { ufwModule } from './ufw.js';
import { firewalldModule } from './firewalld.js';

export const netModules: AnyModuleDefinition[] = [iptablesChainsModule, ipRouteModule, ipLinkModule, iptablesModule, ufwModule, firewalldModule];
