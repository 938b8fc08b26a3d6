/**
 * The node side of the simulated CNIs, run by the lab daemon when the lab has the Kubernetes API
 * simulator. What a real agent does on its node, the lab does here, from the cluster state, so a
 * playbook cannot fake it:
 *  - a Cilium agent that starts configured to take over the node's CNI (cilium-config overlaid
 *    with the matching CiliumNodeConfig, src/lab/kube-sim/cni.ts) writes its CNI config
 *    (`write-cni-conf-when-ready`, default /etc/cni/net.d/05-cilium.conflist) and, with
 *    `cni-exclusive`, renames the other configs to *.cilium_bak, as Cilium does;
 *  - every Running Cilium agent pod has a data plane on its node: real UDP heartbeats on its
 *    tunnel port (cilium-config's tunnel-port) and TCP on its health port 4240, between the node
 *    namespaces (cni-agent-script.ts), so a node firewall that drops them breaks Cilium's
 *    cross-node connectivity visibly;
 *  - on a Flannel lab (option `calico`), a calico-node pod Running on a node whose K3s no longer
 *    runs Flannel takes the node over: it writes 10-calico.conflist and calico-kubeconfig (as
 *    Calico's install-cni does, once per pod start), and gets a data plane too: UDP on VXLAN's
 *    4789 and TCP on BGP's 179 with the other Calico nodes; `calico-node -bird-ready` in its pod
 *    fails with "BGP not established with ..." while a peer is unreachable. (On a calicoState lab
 *    Calico gets none: the kernel's vxlan.calico device already owns 4789/udp, as on a real node.)
 *  - `cilium-dbg status` inside a Cilium agent pod (pods/exec) prints that agent's view, with the
 *    "Cluster health: N/M reachable" line a real agent prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CALICO_CONFLIST } from './calico.js';
import { CNI_AGENT_PY } from './cni-agent-script.js';

/** Where the stand-in for the Cilium image's CLI lives inside every node (put first on PATH by pods/exec). */
export const CILIUM_IMAGE_BIN = '/var/lib/lab/images/cilium/bin';
/** The same for the Calico node image's readiness checks (calico-node -bird-ready -felix-ready). */
export const CALICO_IMAGE_BIN = '/var/lib/lab/images/calico/bin';
const CILIUM_HEALTH_PORT = 4240;
const CALICO_VXLAN_PORT = 4789;
const CALICO_BGP_PORT = 179;
const CILIUM_DEFAULT_TUNNEL_PORT = 8472;

const CILIUM_CONFLIST = JSON.stringify({ cniVersion: '0.3.1', name: 'cilium', plugins: [{ type: 'cilium-cni', 'enable-debug': false, 'log-file': '/var/run/cilium/cilium-cni.log' }] }, null, 2) + '\n';

const CILIUM_DBG = `#!/bin/sh
# Lab stand-in for the Cilium agent image's CLI (src/lab/netns/cni-agents.ts): the simulated
# agent's own view, written by its data plane every 0.5 s.
case "$1" in
  status)
    if [ -r /run/lab/cni/cilium-status ]; then cat /run/lab/cni/cilium-status; exit 0; fi
    echo "Error: Unable to reach the Cilium agent on this node" >&2; exit 1 ;;
  *) echo "lab cilium-dbg: only 'status' is simulated" >&2; exit 2 ;;
esac
`;

const CALICO_NODE = `#!/bin/sh
# Lab stand-in for calico/node's readiness and liveness checks (src/lab/netns/cni-agents.ts):
# BGP "established" with a peer = the simulated agents exchanged packets on 179/tcp and 4789/udp.
for a in "$@"; do
  case "$a" in
    -felix-live|-felix-ready|-bird-live)
      [ -r /run/lab/cni/calico.json ] || { echo "calico/node is not ready: felix is not ready: readiness probe reporting 503"; exit 1; } ;;
    -bird-ready)
      [ -r /run/lab/cni/calico-bgp ] || { echo "calico/node is not ready: BIRD is not ready: BIRD is not running"; exit 1; }
      bad=$(sed -n 's/^unreachable: //p' /run/lab/cni/calico-bgp)
      [ -z "$bad" ] || { echo "calico/node is not ready: BIRD is not ready: BGP not established with $bad"; exit 1; } ;;
    *) echo "lab calico-node: only -felix-live, -felix-ready, -bird-live, -bird-ready are simulated" >&2; exit 2 ;;
  esac
done
`;

export interface AgentNode {
  name: string;
  address: string;
  /** The node's namespace holder, undefined while it has none. */
  holderPid(): number | undefined;
  /** True while the node is up (not stopped or rebooting): its processes may run. */
  up(): boolean;
}

interface PodView {
  metadata: { namespace?: string; uid?: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec?: { nodeName?: string };
  status?: { phase?: string };
}

export interface ClusterView {
  pods(): PodView[];
  ciliumConfig(): Record<string, string>;
  /** The node's K3s still runs Flannel (a Flannel lab's simulated K3s): Calico cannot take it over. */
  flannelActive?(nodeName: string): boolean;
}

/** Runs the simulated CNI agents' node side for one lab; `reconcile` every half second. */
export class CniAgents {
  private readonly procs = new Map<string, ChildProcess>();
  private readonly written = new Map<string, string>();
  /** Per node, the calico-node pod (uid) that wrote its CNI config. */
  private readonly calicoWrote = new Map<string, string>();
  private cluster: ClusterView | undefined;

  constructor(
    private readonly nodes: AgentNode[],
    private readonly log: (line: string) => void,
    private readonly opts: { calico?: boolean } = {},
  ) {}

  attach(cluster: ClusterView): void {
    this.cluster = cluster;
  }

  /** Pods/exec in a container of this image finds these binaries first (the image's own CLI). */
  static imageBin(image: string): string | undefined {
    if (/(^|\/)cilium\/cilium[:@]/.test(image)) return CILIUM_IMAGE_BIN;
    return /(^|\/)calico\/node[:@]/.test(image) ? CALICO_IMAGE_BIN : undefined;
  }

  /** The kube simulator's hook: a Cilium agent started on `nodeName`. */
  ciliumAgentStarted(nodeName: string, takesOver: boolean, config: Record<string, string>): void {
    if (!takesOver) return;
    const root = this.rootOf(nodeName);
    if (!root) return;
    const target = (config['write-cni-conf-when-ready'] || '/etc/cni/net.d/05-cilium.conflist').replace(/^\/host(?=\/)/, '');
    const dir = dirname(target);
    try {
      mkdirSync(join(root, dir), { recursive: true });
      if ((config['cni-exclusive'] ?? 'true') === 'true') {
        for (const f of readdirSync(join(root, dir))) {
          if (join(dir, f) !== target && /\.(conf|conflist|json)$/.test(f)) renameSync(join(root, dir, f), join(root, dir, `${f}.cilium_bak`));
        }
      }
      writeFileSync(join(root, target), CILIUM_CONFLIST, { mode: 0o644 });
      this.log(`${nodeName}: simulated Cilium agent took over CNI (${target})`);
    } catch (e) {
      this.log(`${nodeName}: simulated Cilium agent could not write ${target}: ${(e as Error).message}`);
    }
  }

  reconcile(): void {
    const calico = this.cluster && this.opts.calico ? this.calicoNodes(this.cluster) : new Map<string, string>();
    const want = this.cluster ? this.desired(this.cluster, new Set(calico.keys())) : new Map<string, object[]>();
    for (const n of this.nodes) {
      const root = this.rootOf(n.name);
      if (!root || !n.up()) continue;
      try {
        this.installCli(root);
        const pod = calico.get(n.name);
        if (pod && this.calicoWrote.get(n.name) !== pod) this.calicoTakesOver(n.name, root, pod);
        const conf = JSON.stringify({ address: n.address, agents: want.get(n.name) ?? [] });
        const file = join(root, 'run/lab/cni/agents.json');
        if (this.written.get(n.name) !== conf || !existsSync(file)) {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(`${file}.tmp`, conf);
          renameSync(`${file}.tmp`, file);
          this.written.set(n.name, conf);
        }
        if (!this.procs.has(n.name)) this.startAgent(n);
      } catch (e) {
        this.log(`${n.name}: cni agents: ${(e as Error).message}`);
      }
    }
  }

  /** Nodes a Calico agent owns (its pod Running there, Flannel stopped), with that pod's uid. */
  private calicoNodes(c: ClusterView): Map<string, string> {
    const out = new Map<string, string>();
    for (const p of c.pods()) {
      const node = p.spec?.nodeName;
      if (p.metadata.labels?.['k8s-app'] !== 'calico-node' || p.status?.phase !== 'Running' || p.metadata.deletionTimestamp || !node) continue;
      if (c.flannelActive?.(node)) continue;
      out.set(node, p.metadata.uid ?? '');
    }
    return out;
  }

  /** What Calico's install-cni does when its pod starts on a node it owns: the node's CNI config. */
  private calicoTakesOver(nodeName: string, root: string, podUid: string): void {
    try {
      const dir = join(root, 'etc/cni/net.d');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, '10-calico.conflist'), JSON.stringify(CALICO_CONFLIST, null, 2) + '\n', { mode: 0o644 });
      writeFileSync(join(dir, 'calico-kubeconfig'), 'apiVersion: v1\nkind: Config\nclusters: []\n', { mode: 0o600 });
      this.calicoWrote.set(nodeName, podUid);
      this.log(`${nodeName}: simulated Calico agent took over CNI (/etc/cni/net.d/10-calico.conflist)`);
    } catch (e) {
      this.log(`${nodeName}: simulated Calico agent could not write its CNI config: ${(e as Error).message}`);
    }
  }

  private desired(c: ClusterView, calico: Set<string>): Map<string, object[]> {
    const cilium = new Set(
      c
        .pods()
        .filter((p) => p.metadata.labels?.['k8s-app'] === 'cilium' && p.metadata.namespace === 'kube-system' && p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && p.spec?.nodeName)
        .map((p) => p.spec!.nodeName!),
    );
    const tunnel = Number(c.ciliumConfig()['tunnel-port'] || CILIUM_DEFAULT_TUNNEL_PORT);
    const peers = (on: Set<string>, self: string) => this.nodes.filter((n) => n.name !== self && on.has(n.name)).map((n) => ({ name: n.name, ip: n.address }));
    const out = new Map<string, object[]>();
    for (const n of this.nodes) {
      const agents: object[] = [];
      if (cilium.has(n.name)) agents.push({ cni: 'cilium', udp: tunnel, tcp: CILIUM_HEALTH_PORT, peers: peers(cilium, n.name) });
      if (calico.has(n.name)) agents.push({ cni: 'calico', udp: CALICO_VXLAN_PORT, tcp: CALICO_BGP_PORT, peers: peers(calico, n.name) });
      out.set(n.name, agents);
    }
    return out;
  }

  private rootOf(nodeName: string): string | undefined {
    const pid = this.nodes.find((n) => n.name === nodeName)?.holderPid();
    return pid && existsSync(`/proc/${pid}/root`) ? `/proc/${pid}/root` : undefined;
  }

  private installCli(root: string): void {
    for (const [file, text] of [[join(root, CILIUM_IMAGE_BIN, 'cilium-dbg'), CILIUM_DBG], [join(root, CALICO_IMAGE_BIN, 'calico-node'), CALICO_NODE]] as const) {
      if (existsSync(file) && readFileSync(file, 'utf8') === text) continue;
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      chmodSync(file, 0o755);
    }
  }

  /** The node's data-plane process; the node's reboot or stop kills it (every node process dies), the next reconcile starts it again. */
  private startAgent(n: AgentNode): void {
    const pid = n.holderPid();
    if (!pid) return;
    const child = spawn('nsenter', ['-t', String(pid), '-m', '-n', '-u', '--', '/usr/bin/python3', '-I', '-S', '-c', CNI_AGENT_PY], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.procs.set(n.name, child);
    child.stderr?.on('data', (d: Buffer) => this.log(`${n.name} cni agent: ${d.toString().trim()}`));
    child.on('exit', () => {
      if (this.procs.get(n.name) === child) this.procs.delete(n.name);
    });
    child.on('error', (e) => this.log(`${n.name} cni agent: ${e.message}`));
  }

  stop(): void {
    for (const c of this.procs.values()) c.kill('SIGKILL');
    this.procs.clear();
  }
}
