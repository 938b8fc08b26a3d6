/**
 * Where a lab keeps its things, and the names it gives them. Everything a lab makes is
 * under its own directory or in network namespaces named `phl-<lab>-*`, so `down` can
 * find and remove all of it and nothing on the machine itself is touched.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

export const LAB_USER = 'phl';
/** A second login user whose sudo rule asks for a password (become-password tests). */
export const LAB_PW_USER = 'phlpw';
/** Lab-only password of both users (throw-away namespaces reachable only from loopback). */
export const LAB_PASSWORD = 'philote-lab';
export const LAB_SUBNET_PREFIX = '10.213';

export type NodeState = 'up' | 'stopped' | 'cut' | 'reset' | 'rebooting';

export interface LabNodeInfo {
  name: string;
  namespace: string;
  /** Address inside the lab network (reachable from other nodes, e.g. through a bastion). */
  address: string;
  /** Port on 127.0.0.1 that reaches this node's sshd from the controller. */
  sshPort: number;
  state: NodeState;
}

export interface LabState {
  name: string;
  dir: string;
  nodes: LabNodeInfo[];
  daemonPid: number;
  calicoState: boolean;
  kube: boolean;
  /** Nodes run a default-deny ufw firewall (firewall.ts). */
  firewall?: boolean;
  /** K3s with its embedded Flannel: simulated k3s/k3s-agent units and Flannel's node state (k3s-service.ts). */
  flannel?: boolean;
  kubeconfigPath?: string;
  inventoryPath: string;
  knownHostsPath: string;
  keyPath: string;
  user: string;
  passwordUser: string;
  password: string;
  ready: boolean;
  error?: string;
  /** `lab up --sim-only`: no namespaces, daemonPid is the simulator's process. */
  simOnly?: boolean;
  simNodes?: number;
}

export function defaultLabRoot(): string {
  return process.env.PHILOTE_LAB_ROOT ?? '/tmp/philote-lab';
}

export function labDir(name: string, root = defaultLabRoot()): string {
  return join(root, name);
}

export function validateLabName(name: string): void {
  // Namespace names end up in `ip netns` paths and interface-free; keep them short and plain.
  if (!/^[a-z0-9][a-z0-9-]{0,20}$/.test(name)) {
    throw new Error(`lab name '${name}' must be 1-21 lowercase letters, digits or dashes`);
  }
}

export const paths = (dir: string) => ({
  state: join(dir, 'lab.json'),
  control: join(dir, 'control.sock'),
  daemonPid: join(dir, 'daemon.pid'),
  daemonLog: join(dir, 'daemon.log'),
  inventory: join(dir, 'inventory.ini'),
  knownHosts: join(dir, 'known_hosts'),
  key: join(dir, 'id_ed25519'),
  authorizedKeys: join(dir, 'authorized_keys'),
  node: (node: string) => nodePaths(join(dir, 'nodes', node)),
});

export const nodePaths = (d: string) => ({
  dir: d,
  sshdConfig: join(d, 'sshd_config'),
  hostKey: join(d, 'ssh_host_ed25519_key'),
  etcUpper: join(d, 'etc.upper'),
  etcWork: join(d, 'etc.work'),
  varlibUpper: join(d, 'varlib.upper'),
  varlibWork: join(d, 'varlib.work'),
  rootUpper: join(d, 'root.upper'),
  rootWork: join(d, 'root.work'),
  /** Node-private /usr/local (the lab's stand-in systemctl lives there on a K3s lab). */
  usrlocalUpper: join(d, 'usrlocal.upper'),
  usrlocalWork: join(d, 'usrlocal.work'),
  /** The node's own /tmp (bind-mounted over /tmp inside the node). */
  tmp: join(d, 'tmp'),
  /** Host-side view of the node's /var/lib/lab (boot id, reboot requests). */
  labRun: join(d, 'varlib.upper', 'lab'),
  holderPid: join(d, 'holder.pid'),
  sshdPid: join(d, 'sshd.pid'),
  /** One byte appended per accepted controller connection (one relay into the node): size = count. */
  spawns: join(d, 'spawns'),
});

/** Paths as seen from inside a node (document these for reboot tests). */
export const IN_NODE = {
  rebootCommand: '/var/lib/lab/reboot',
  bootIdFile: '/var/lib/lab/boot_id',
  rebootRequest: '/var/lib/lab/reboot-request',
};

export function nodeNamespace(lab: string, node: string): string {
  return `phl-${lab}-${node}`;
}
export function hubNamespace(lab: string): string {
  return `phl-${lab}-hub`;
}
export function nodeName(i: number): string {
  return `node${i + 1}`;
}
export function nodeAddress(i: number): string {
  const n = i + 10;
  return `${LAB_SUBNET_PREFIX}.${n >> 8}.${n & 255}`;
}

export function readLabState(dir: string): LabState | undefined {
  try {
    return JSON.parse(readFileSync(paths(dir).state, 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}
