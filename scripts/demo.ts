/**
 * npm run demo: the live, node-by-node Calico to Cilium migration on a throw-away lab.
 *
 * 1. A lab of 4 nodes (node1 = control plane, node2-4 = workers): real sshd in network
 *    namespaces with Calico's host state (cali-* chains, bird routes, vxlan.calico, CNI files),
 *    and the Kubernetes API simulator running a K3s cluster with Calico.
 * 2. philote runs playbooks/backup.yml, then playbooks/calico-to-cilium-live.yml, unchanged,
 *    with the homelab group_vars and a few lab values (-e @demo-vars.yml).
 * 3. A before/after table per node, then the lab is torn down (also on failure or Ctrl-C).
 *
 * Needs root (network namespaces). `--keep` leaves the lab up for a look around.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../src/cli/main.js';
import { createLab, destroyLab, type Lab } from '../src/lab/index.js';
import { writeMigrationInventory } from './migration-inventory.js';

const root = fileURLToPath(new URL('..', import.meta.url));

const keep = process.argv.includes('--keep');
const LAB = 'demo';

interface NodeView {
  cni: string;
  podCidr: string;
  caliChains: number;
  birdRoutes: number;
}

async function nodeView(lab: Lab, name: string): Promise<NodeView> {
  const r = await lab.exec(
    name,
    [
      'ls /etc/cni/net.d 2>/dev/null | head -n 1',
      '(iptables-save; ip6tables-save) 2>/dev/null | grep -c "^:cali-" || true',
      'ip route show proto bird | grep -c . || true',
    ].join('; echo @@; '),
  );
  const [conf, chains, routes] = r.stdout.split('@@').map((s) => s.trim());
  const cni = /cilium/.test(conf ?? '') ? 'cilium' : /calico/.test(conf ?? '') ? 'calico' : conf || '-';
  return { cni, podCidr: '', caliChains: Number(chains) || 0, birdRoutes: Number(routes) || 0 };
}

/** Pod CIDRs per node, read the way a user would: the IPs of the node's pods (kubectl-free). */
async function podCidrs(kubeconfig: string): Promise<Map<string, string>> {
  const { KubeConfig, CoreV1Api } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const api = kc.makeApiClient(CoreV1Api);
  const pods = await api.listPodForAllNamespaces();
  const byNode = new Map<string, Set<string>>();
  for (const p of pods.items) {
    const node = p.spec?.nodeName;
    const ip = p.status?.podIP;
    if (!node || !ip || p.spec?.hostNetwork) continue;
    const net = ip.split('.').slice(0, 2).join('.') + '.0.0/16';
    if (!byNode.has(node)) byNode.set(node, new Set());
    byNode.get(node)!.add(net);
  }
  return new Map([...byNode].map(([n, s]) => [n, [...s].sort().join(' ')]));
}

async function snapshot(lab: Lab): Promise<Map<string, NodeView>> {
  const cidrs = await podCidrs(lab.kubeconfigPath!);
  const out = new Map<string, NodeView>();
  for (const n of lab.nodes) out.set(n.name, { ...(await nodeView(lab, n.name)), podCidr: cidrs.get(n.name) ?? '-' });
  return out;
}

function table(before: Map<string, NodeView>, after: Map<string, NodeView>): string {
  const rows = [['node', 'CNI', 'pod CIDR', 'cali chains', 'bird routes']];
  for (const [name, b] of before) {
    const a = after.get(name)!;
    const arrow = (x: string | number, y: string | number) => (String(x) === String(y) ? String(x) : `${x} -> ${y}`);
    rows.push([name, arrow(b.cni, a.cni), arrow(b.podCidr, a.podCidr), arrow(b.caliChains, a.caliChains), arrow(b.birdRoutes, a.birdRoutes)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

async function philote(args: string[]): Promise<number> {
  console.log(`\n$ philote ${args.join(' ')}`);
  return run(['node', 'philote', ...args], { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: root });
}

async function main(): Promise<number> {
  const started = Date.now();
  console.log('philote demo: bringing up a lab of 4 nodes with Calico and a simulated K3s cluster...');
  // Always from scratch: a lab left by `--keep` holds an already migrated cluster.
  await destroyLab(LAB);
  const lab = await createLab({ name: LAB, nodes: 4, calicoState: true, kube: true });
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  try {
    if (!lab.kubeconfigPath) throw new Error('the lab has no Kubernetes API simulator');
    const { inventoryDir, varsFile } = writeMigrationInventory(lab);
    const before = await snapshot(lab);
    const common = ['-i', inventoryDir, '-e', `@${varsFile}`];
    let rc = await philote(['playbook', ...common, '-e', `backup_root=${join(lab.dir, 'backups')}`, 'playbooks/backup.yml']);
    if (rc === 0 && !interrupted) rc = await philote(['playbook', ...common, 'playbooks/calico-to-cilium-live.yml']);
    const after = await snapshot(lab);
    console.log(`\nBefore -> after, per node:\n${table(before, after)}`);
    console.log(`\nDemo ${rc === 0 ? 'finished' : `failed (exit code ${rc})`} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return rc;
  } finally {
    process.off('SIGINT', onSigint);
    if (keep) console.log(`Lab kept: ${lab.dir} (npx philote lab --name ${LAB} down removes it)`);
    else await lab.down();
  }
}

main().then(
  (rc) => process.exit(rc),
  (e: unknown) => {
    console.error(`demo: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
