/** `philote lab ...`: throw-away fleets, delegating to src/lab (loaded only when used). */
import { Command } from 'commander';
import type { CliIO } from './io.js';

type LabModule = typeof import('../lab/index.js');
const lab = async (): Promise<LabModule> => import('../lab/index.js');

export function labCommand(io: CliIO, setExit: (code: number) => void): Command {
  const out = (s: string) => io.stdout.write(s.endsWith('\n') ? s : s + '\n');
  const cmd = new Command('lab').description('throw-away test fleets in network namespaces');
  cmd.option('--name <name>', 'lab name (default: PHILOTE_LAB_NAME, else "default")', io.env.PHILOTE_LAB_NAME || 'default');
  const opts = () => ({ name: cmd.opts<{ name: string }>().name });
  cmd
    .command('up')
    .description('create the lab (idempotent)')
    .option('--nodes <n>', 'number of nodes', (v) => Number.parseInt(v, 10), 3)
    .option('--calico', 'seed Calico leftovers on every node')
    .option('--flannel', 'K3s with its embedded Flannel on every node (config, k3s/k3s-agent units, flannel.1, cni0, 10-flannel.conflist); with --kube a K3s+Flannel cluster')
    .option('--kube', 'start the Kubernetes API simulator')
    .option('--firewall', 'a default-deny INPUT firewall (ufw) on every node: SSH open, Calico\'s ports too with --calico, Flannel\'s with --flannel')
    .option('--sim-only', 'only the Kubernetes API simulator, with N simulated nodes (no root or namespaces needed); prints the kubeconfig path')
    .action(async (f: { nodes: number; calico?: boolean; flannel?: boolean; kube?: boolean; firewall?: boolean; simOnly?: boolean }) => {
      if (f.simOnly) {
        const s = await (await lab()).labUpSimOnly({ ...opts(), nodes: f.nodes });
        out(s.kubeconfigPath ?? '');
        return setExit(0);
      }
      const l = await (await lab()).labUp({ ...opts(), nodes: f.nodes, calicoState: f.calico ?? false, flannel: f.flannel ?? false, kube: f.kube ?? false, firewall: f.firewall ?? false });
      out(l.inventoryPath);
      setExit(0);
    });
  cmd.command('down').description('remove the lab').action(async () => {
    await (await lab()).labDown(opts());
    setExit(0);
  });
  cmd.command('status').description('show the lab state as JSON').action(async () => {
    const s = (await lab()).labStatus(opts());
    out(s ? JSON.stringify(s, null, 2) : 'no lab');
    setExit(s ? 0 : 1);
  });
  cmd.command('inventory').description('print the path of the lab inventory').action(async () => {
    out((await lab()).labInventory(opts()));
    setExit(0);
  });
  cmd.command('kubeconfig').description('print the path of the kube simulator kubeconfig').action(async () => {
    out((await lab()).labKubeconfig(opts()));
    setExit(0);
  });
  for (const [name, desc] of [
    ['stop', 'stop a node (sshd down)'],
    ['start', 'start a stopped node, or heal a cut or reset one'],
    ['cut', 'partition a node: its iptables drop established and new connections'],
    ['reset', 'its iptables answer ssh connections (established and new) with TCP resets'],
    ['reboot', 'reboot a node: every process of the node is killed, sshd comes back after 2 s'],
  ] as const) {
    cmd.command(`${name} <node>`).description(desc).action(async (node: string) => {
      const m = await lab();
      const fn = { stop: m.labStop, start: m.labStart, cut: m.labCut, reset: m.labReset, reboot: m.labReboot }[name];
      await fn(node, opts());
      setExit(0);
    });
  }
  return cmd;
}
