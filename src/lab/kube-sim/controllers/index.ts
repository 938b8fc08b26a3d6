/** Runs every controller in a fixed order each tick, so the same inputs give the same cluster. */
import type { Ctx } from './context.js';
import { syncDaemonSets } from './daemonsets.js';
import { syncDeployments } from './deployments.js';
import { syncEndpoints } from './endpoints.js';
import { syncGarbage } from './gc.js';
import { syncJobs } from './jobs.js';
import { syncNodes } from './nodes.js';
import { syncPdbs } from './pdbs.js';
import { syncPods } from './pods.js';
import { syncReplicaSets } from './replicasets.js';
import { syncStatefulSets } from './statefulsets.js';

export type { Ctx, LabNode } from './context.js';

const STEPS: Array<[string, (c: Ctx) => void]> = [
  ['nodes', syncNodes],
  ['garbage', syncGarbage],
  ['deployments', syncDeployments],
  ['replicasets', syncReplicaSets],
  ['daemonsets', syncDaemonSets],
  ['statefulsets', syncStatefulSets],
  ['jobs', syncJobs],
  ['pods', syncPods],
  ['pdbs', syncPdbs],
  ['endpoints', syncEndpoints],
];

export function tick(ctx: Ctx, log?: (m: string) => void): void {
  for (const [name, step] of STEPS) {
    try {
      step(ctx);
    } catch (e) {
      // A controller error must not stop the others (a real controller would retry too).
      log?.(`controller ${name}: ${(e as Error).stack ?? String(e)}`);
    }
  }
}
