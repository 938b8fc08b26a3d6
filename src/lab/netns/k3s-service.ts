/**
 * The simulated K3s of a Flannel lab (`lab up --flannel`), run by the lab daemon. The first node is
 * the K3s server (unit `k3s`), the others are agents (unit `k3s-agent`), each with its
 * /etc/rancher/k3s/config.yaml and unit file (seeded by flannel.ts). What a starting K3s does that a
 * CNI migration depends on, the lab does here, so a playbook cannot fake it:
 *  - the server reads its config.yaml; an agent takes the server's flannel-backend from the server
 *    as it runs now (a real agent fetches the server's settings when it starts), so an agent that is
 *    not restarted keeps running Flannel;
 *  - with a Flannel backend, K3s' embedded Flannel sets up the node: flannel.1 (VXLAN on 8472/udp),
 *    cni0, routes to the other nodes' subnets, /run/flannel/subnet.env and
 *    /etc/cni/net.d/10-flannel.conflist (written again at every start, as K3s does);
 *  - with `flannel-backend: none` nothing of Flannel starts, and nothing is removed either: as on a
 *    real node, flannel.1, cni0 and the conflist stay until someone deletes them.
 * Whether Flannel runs on a node (`flannelActive`) decides, in the simulator, whether a Calico
 * agent there can take over (src/lab/kube-sim/cni.ts). The node's systemctl stand-in
 * (systemctl-standin.ts) asks for start/stop/restart through /run/lab/units/<unit>.request.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { flannelVtepMac } from '../kube-sim/cni.js';
import { run } from './run.js';
import { SYSTEMCTL_STANDIN } from './systemctl-standin.js';

export const K3S_CONFIG = '/etc/rancher/k3s/config.yaml';
export const FLANNEL_CONFLIST = '/etc/cni/net.d/10-flannel.conflist';
const STANDIN = '/usr/local/bin/systemctl';
const UNITS = '/run/lab/units';

/** Flannel's subnet of the node with this index: what the simulator gives the Node as spec.podCIDR. */
export const flannelSubnet = (index: number): string => `10.42.${index}.0/24`;

export const flannelConflist = (): string =>
  JSON.stringify(
    {
      name: 'cbr0',
      cniVersion: '1.0.0',
      plugins: [
        { type: 'flannel', delegate: { hairpinMode: true, forceAddress: true, isDefaultGateway: true } },
        { type: 'portmap', capabilities: { portMappings: true } },
        { type: 'bandwidth', capabilities: { bandwidth: true } },
      ],
    },
    null,
    2,
  ) + '\n';

export interface K3sNode {
  name: string;
  namespace: string;
  address: string;
  index: number;
  holderPid(): number | undefined;
  up(): boolean;
}

interface Running {
  flannelBackend: string;
  clusterCidr: string;
}

export class K3sServices {
  private readonly running = new Map<string, Running>();
  private busy = false;

  constructor(
    private readonly nodes: K3sNode[],
    private readonly log: (line: string) => void,
  ) {}

  private get server(): K3sNode {
    return this.nodes[0]!;
  }

  unitOf(n: K3sNode): string {
    return n === this.server ? 'k3s' : 'k3s-agent';
  }

  /** True while the node's K3s runs its embedded Flannel. */
  flannelActive(nodeName: string): boolean {
    const r = this.running.get(nodeName);
    return !!r && r.flannelBackend !== 'none';
  }

  /** Lab start (and a node's reboot): the units are enabled, so K3s starts, the server first. */
  async boot(only?: string): Promise<void> {
    for (const n of this.nodes) {
      if (only && n.name !== only) continue;
      const root = this.rootOf(n);
      if (!root) continue;
      try {
        this.installStandin(root);
        await this.start(n, root);
      } catch (e) {
        this.log(`${n.name}: simulated ${this.unitOf(n)} did not start: ${(e as Error).message}`);
      }
    }
  }

  /** Answers the systemctl stand-ins' requests; the daemon calls this every 250 ms. */
  async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (const n of this.nodes) {
        const root = this.rootOf(n);
        if (!root || !n.up()) continue;
        const unit = this.unitOf(n);
        const req = join(root, UNITS, `${unit}.request`);
        if (!existsSync(req)) continue;
        const [op = '', token = ''] = readFileSync(req, 'utf8').trim().split(/\s+/);
        rmSync(req, { force: true });
        let rc = 0;
        let msg = '';
        try {
          if (op === 'stop') this.stop(n, root);
          else await this.start(n, root);
        } catch (e) {
          rc = 1;
          msg = (e as Error).message.replace(/\s+/g, ' ');
        }
        this.log(`${n.name}: systemctl ${op} ${unit} (simulated K3s): ${rc === 0 ? 'done' : msg}`);
        this.writeAtomic(join(root, UNITS, `${unit}.done`), `${rc} ${token} ${msg}\n`);
      }
    } finally {
      this.busy = false;
    }
  }

  private config(root: string): Record<string, unknown> {
    const file = join(root, K3S_CONFIG);
    if (!existsSync(file)) return {};
    const doc = parse(readFileSync(file, 'utf8')) as unknown;
    if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc))) throw new Error(`${K3S_CONFIG} is not a mapping`);
    return (doc ?? {}) as Record<string, unknown>;
  }

  private async start(n: K3sNode, root: string): Promise<void> {
    const own = this.config(root);
    let backend: string;
    let clusterCidr: string;
    if (n === this.server) {
      backend = String(own['flannel-backend'] ?? 'vxlan');
      clusterCidr = String(own['cluster-cidr'] ?? '10.42.0.0/16');
    } else {
      const server = this.running.get(this.server.name);
      if (!server) throw new Error(`the K3s server (${this.server.name}) is not running`);
      backend = server.flannelBackend;
      clusterCidr = server.clusterCidr;
    }
    if (backend !== 'none') await this.startFlannel(n, root, clusterCidr);
    this.running.set(n.name, { flannelBackend: backend, clusterCidr });
    mkdirSync(join(root, UNITS), { recursive: true });
    this.writeAtomic(join(root, UNITS, `${this.unitOf(n)}.state`), 'active\n');
    this.writeAtomic(join(root, UNITS, `${this.unitOf(n)}.since`), `${new Date().toUTCString()}\n`);
  }

  private stop(n: K3sNode, root: string): void {
    this.running.delete(n.name);
    mkdirSync(join(root, UNITS), { recursive: true });
    this.writeAtomic(join(root, UNITS, `${this.unitOf(n)}.state`), 'inactive\n');
  }

  /** What K3s' embedded Flannel (vxlan) sets up on the node at start. */
  private async startFlannel(n: K3sNode, root: string, clusterCidr: string): Promise<void> {
    const subnet = flannelSubnet(n.index);
    const [net] = subnet.split('/');
    const gw = net!.replace(/\.0$/, '.1');
    const ip = (args: string) => run('ip', ['-n', n.namespace, ...args.split(' ')], { allowFail: true });
    if ((await ip('link show flannel.1')).rc !== 0) {
      let add = await ip(`link add flannel.1 address ${flannelVtepMac(n.index)} type vxlan id 1 dstport 8472 dev eth0 nolearning`);
      if (add.rc !== 0) {
        // A kernel without VXLAN (some CI machines): the link still exists, by name, for the playbooks to find and remove.
        this.log(`${n.name}: flannel.1 as a dummy link (vxlan: ${add.stderr.trim()})`);
        add = await ip(`link add flannel.1 address ${flannelVtepMac(n.index)} type dummy`);
        if (add.rc !== 0) throw new Error(`flannel.1: ${add.stderr.trim()}`);
      }
      await ip(`addr add ${net}/32 dev flannel.1`);
    }
    await ip('link set flannel.1 up');
    if ((await ip('link show cni0')).rc !== 0) {
      await ip('link add cni0 type bridge');
      await ip(`addr add ${gw}/24 dev cni0`);
    }
    await ip('link set cni0 up');
    for (const o of this.nodes) {
      if (o === n) continue;
      const [onet] = flannelSubnet(o.index).split('/');
      await ip(`route replace ${flannelSubnet(o.index)} via ${onet} dev flannel.1 onlink`);
    }
    const env = `FLANNEL_NETWORK=${clusterCidr}\nFLANNEL_SUBNET=${gw}/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n`;
    mkdirSync(join(root, 'run/flannel'), { recursive: true });
    this.writeAtomic(join(root, 'run/flannel/subnet.env'), env);
    mkdirSync(join(root, dirname(FLANNEL_CONFLIST)), { recursive: true });
    this.writeAtomic(join(root, FLANNEL_CONFLIST), flannelConflist());
  }

  private installStandin(root: string): void {
    // Never through to the machine's own /usr/local: only into the node's private overlay (daemon.ts).
    const mounts = readFileSync(join(dirname(root), 'mountinfo'), 'utf8');
    if (!mounts.split('\n').some((l) => l.split(' ')[4] === '/usr/local')) throw new Error('the node has no private /usr/local');
    const file = join(root, STANDIN);
    if (existsSync(file) && readFileSync(file, 'utf8') === SYSTEMCTL_STANDIN) return;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, SYSTEMCTL_STANDIN);
    chmodSync(file, 0o755);
  }

  private writeAtomic(file: string, text: string): void {
    writeFileSync(`${file}.tmp`, text, { mode: 0o644 });
    renameSync(`${file}.tmp`, file);
  }

  private rootOf(n: K3sNode): string | undefined {
    const pid = n.holderPid();
    if (!pid || !existsSync(`/proc/${pid}/root`)) return undefined;
    return `/proc/${pid}/root`;
  }
}
