/**
 * Standalone simulator for manual use:
 *   node --import tsx src/lab/kube-sim/main.ts --dir /tmp/sim --nodes n1,n2,n3 [--port 6443]
 *        [--state /tmp/sim/state.json] [--seed k3s-calico|k3s-flannel|empty] [--cni calico|flannel|none] [--verbose]
 * Prints the kubeconfig path; stops on SIGINT/SIGTERM (saving state when --state is given).
 */
import { parseArgs } from 'node:util';
import { startKubeSim } from './index.js';
import type { BaseCni } from './cni.js';
import type { SeedName } from './seed.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '/tmp/philote-kube-sim' },
    nodes: { type: 'string', default: 'node1,node2,node3' },
    port: { type: 'string' },
    state: { type: 'string' },
    seed: { type: 'string', default: 'k3s-calico' },
    cni: { type: 'string', default: 'calico' },
    verbose: { type: 'boolean', default: false },
  },
});

const names = values.nodes!.split(',').filter(Boolean);
const sim = await startKubeSim({
  dir: values.dir!,
  nodes: names.map((name, i) => ({ name, internalIP: `10.99.0.${11 + i}` })),
  ...(values.port ? { port: Number(values.port) } : {}),
  ...(values.state ? { stateFile: values.state } : {}),
  seed: values.seed as SeedName,
  cni: values.cni as BaseCni,
  ...(values.verbose ? { log: (l: string) => console.error(l) } : {}),
});
console.log(`kube simulator on ${sim.url}\nexport KUBECONFIG=${sim.kubeconfigPath}`);
const stop = (): void => void sim.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
