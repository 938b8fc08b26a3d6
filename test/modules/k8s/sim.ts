// Starts H7's Kubernetes API simulator (src/lab/kube-sim) in-process for the k8s module tests.
// Until it exists, startSim() returns undefined and the simulator-backed tests are skipped.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearClientCache } from '../../../src/modules/k8s/client/client.js';
import { tempDir } from '../../helpers/temp-dir.js';

export interface Sim {
  url: string;
  kubeconfigPath: string;
  close(): Promise<void> | void;
}

const here = dirname(fileURLToPath(import.meta.url));
const simIndex = join(here, '../../../src/lab/kube-sim/index.ts');
export const simAvailable = existsSync(simIndex);

export async function startSim(opts: Record<string, unknown> = {}): Promise<Sim> {
  const mod = (await import(simIndex)) as { startKubeSim: (o: Record<string, unknown>) => Promise<Sim> };
  clearClientCache();
  const dir = tempDir('philote-k8s-sim-');
  return mod.startKubeSim({ dir, nodes: 3, seed: 1, ...opts });
}
