/**
 * The programmatic lab API used by tests, the bench and `philote lab ...`:
 *   const lab = await createLab({ name: 'conn', nodes: 4 });
 *   lab.inventoryPath; lab.nodes[0].sshPort; await lab.exec('node1', 'iptables -S');
 *   await lab.stop('node2'); await lab.start('node2'); await lab.cut('node3'); await lab.reset('node4'); await lab.reboot('node1');
 *   await lab.down();
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PhiloteError } from '../../errors.js';
import { controlRequest } from './control.js';
import { writeLabGroupVars } from './group-vars.js';
import { seedCalico } from './calico.js';
import { CALICO_PORTS, enableFirewall, FLANNEL_PORTS } from './firewall.js';
import { seedFlannel } from './flannel.js';
import { LAB_PASSWORD, LAB_PW_USER, LAB_USER, labDir, paths, readLabState, validateLabName, type LabNodeInfo, type LabState } from './layout.js';
import { pidAlive, run, sleep } from './run.js';
import { addLoopbackKnownHosts, createNetwork, deleteNetwork, planNodes, removeLabDir, writeLabFiles } from './setup.js';

export interface CreateLabOptions {
  name?: string;
  nodes?: number;
  /** Seed every node with Calico leftovers (cali-* chains, bird routes, vxlan.calico, CNI files). */
  calicoState?: boolean;
  /** Start the Kubernetes API simulator (src/lab/kube-sim) with one Node per lab node. */
  kube?: boolean;
  /** A default-deny INPUT firewall (ufw) on every node: SSH open, and Calico's ports with calicoState, Flannel's with flannel (firewall.ts). */
  firewall?: boolean;
  /** K3s with its embedded Flannel (seed 002): K3s config and units, simulated k3s/k3s-agent, Flannel's node state (flannel.ts, k3s-service.ts). */
  flannel?: boolean;
  /** Parent directory of lab dirs (default /tmp/philote-lab or $PHILOTE_LAB_ROOT). */
  root?: string;
}

export interface ExecOutput {
  rc: number;
  stdout: string;
  stderr: string;
}

export interface Lab {
  name: string;
  dir: string;
  inventoryPath: string;
  knownHostsPath: string;
  keyPath: string;
  user: string;
  /** Second login user whose sudo asks for `password`. */
  passwordUser: string;
  password: string;
  nodes: LabNodeInfo[];
  kubeconfigPath?: string;
  /** Run a shell command as root inside a node (its netns, private mounts and hostname). */
  exec(node: string, command: string): Promise<ExecOutput>;
  stop(node: string): Promise<void>;
  start(node: string): Promise<void>;
  /** Partition: iptables inside the node drops the packets of established and new connections; start() heals. */
  cut(node: string): Promise<void>;
  /** iptables inside the node answers ssh traffic (established and new) with TCP resets; start() heals. */
  reset(node: string): Promise<void>;
  reboot(node: string, delayMs?: number): Promise<void>;
  /** Server-side SSH connections accepted from the controller so far (one relay into the node each). */
  connectionCount(node: string): number;
  status(): Promise<LabState>;
  down(): Promise<void>;
}

export function requireRoot(): void {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new PhiloteError('option', 'the lab needs root on Linux (it creates network namespaces); run it with sudo or in CI as root');
  }
}

function daemonCommand(): { cmd: string; args: string[] } {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.ts')) {
    // Running from sources: the daemon needs the same TypeScript loader.
    // (import.meta.resolve is missing under vitest, so find tsx's ESM loader through require.)
    const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
    return { cmd: process.execPath, args: ['--import', pathToFileURL(join(tsxDir, 'dist', 'loader.mjs')).href, self.replace(/lab\.ts$/, 'daemon.ts')] };
  }
  // Compiled: daemon.js sits beside lab.js; bundled (dist/bundle/<chunk>.js), the compiled
  // daemon is used from dist/lab/netns/ (the bundle is made after tsc, see scripts/bundle.mjs).
  const daemon = /lab\.js$/.test(self) ? self.replace(/lab\.js$/, 'daemon.js') : join(dirname(self), '..', 'lab', 'netns', 'daemon.js');
  return { cmd: process.execPath, args: [daemon] };
}

async function waitReady(dir: string, timeoutMs: number): Promise<LabState> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const s = readLabState(dir);
    if (s?.ready) return s;
    if (s?.error && !s.ready && !pidAlive(readPid(paths(dir).daemonPid))) break;
    await sleep(100);
  }
  const s = readLabState(dir);
  let log = '';
  try {
    log = readFileSync(paths(dir).daemonLog, 'utf8').split('\n').slice(-10).join('\n');
  } catch {
    /* no log */
  }
  throw new PhiloteError('lab', `lab daemon did not come up${s?.error ? `: ${s.error}` : ''}\n${log}`);
}

function readPid(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

function inventoryText(s: LabState): string {
  const lines = ['# philote lab inventory (generated by `philote lab up`)', '[nodes]'];
  for (const n of s.nodes) {
    lines.push(`${n.name} ansible_host=127.0.0.1 ansible_port=${n.sshPort} lab_node_address=${n.address} lab_node_namespace=${n.namespace}`);
  }
  // The groups the shipped playbooks use: the first node is the K3s control plane, the others workers.
  const [cp, ...workers] = s.nodes.map((n) => n.name);
  lines.push('', '[k3s_control_plane]', cp!, '', '[k3s_workers]', ...workers, '', '[k3s_cluster:children]', 'k3s_control_plane', 'k3s_workers');
  lines.push(
    '',
    '[nodes:vars]',
    `ansible_user=${s.user}`,
    `ansible_ssh_private_key_file=${s.keyPath}`,
    `ansible_ssh_common_args='-o UserKnownHostsFile=${s.knownHostsPath} -o StrictHostKeyChecking=yes'`,
    'ansible_python_interpreter=/usr/bin/python3',
    '',
  );
  return lines.join('\n');
}

/** Brings a lab up (idempotent: an up lab of the same shape is reused) and returns its handle. */
export async function createLab(opts: CreateLabOptions = {}): Promise<Lab> {
  requireRoot();
  const name = opts.name ?? 'default';
  validateLabName(name);
  const count = opts.nodes ?? 4;
  if (count < 1 || count > 250) throw new PhiloteError('option', `a lab has 1-250 nodes, not ${count}`);
  if (opts.flannel && opts.calicoState) throw new PhiloteError('option', 'a lab starts with Calico (--calico) or with K3s\' Flannel (--flannel), not both');
  const dir = labDir(name, opts.root);
  const existing = readLabState(dir);
  if (
    existing?.ready &&
    pidAlive(existing.daemonPid) &&
    existing.nodes.length === count &&
    existing.calicoState === !!opts.calicoState &&
    existing.kube === !!opts.kube &&
    !!existing.firewall === !!opts.firewall &&
    !!existing.flannel === !!opts.flannel
  ) {
    return handle(dir);
  }
  await destroyLab(name, opts.root);
  const p = paths(dir);
  try {
    const plan = planNodes(name, count);
    await writeLabFiles(dir, name, plan);
    await createNetwork(name, plan);
    if (opts.calicoState) {
      for (const n of plan) await seedCalico(n.namespace, p.node(n.name), n.address);
    }
    if (opts.flannel) {
      for (const n of plan) await seedFlannel(p.node(n.name), n.address, n.index === 0 ? undefined : plan[0]);
    }
    const state: LabState = {
      name,
      dir,
      nodes: plan.map((n) => ({ name: n.name, namespace: n.namespace, address: n.address, sshPort: 0, state: 'stopped' })),
      daemonPid: 0,
      calicoState: !!opts.calicoState,
      kube: !!opts.kube,
      firewall: !!opts.firewall,
      ...(opts.flannel ? { flannel: true } : {}),
      inventoryPath: p.inventory,
      knownHostsPath: p.knownHosts,
      keyPath: p.key,
      user: LAB_USER,
      passwordUser: LAB_PW_USER,
      password: LAB_PASSWORD,
      ready: false,
    };
    await writeFile(p.state, JSON.stringify(state, null, 2) + '\n');
    const { cmd, args } = daemonCommand();
    const logFd = openSync(p.daemonLog, 'a');
    const child = spawn(cmd, [...args, dir], { detached: true, stdio: ['ignore', logFd, logFd] });
    child.unref();
    const ready = await waitReady(dir, 60000);
    await addLoopbackKnownHosts(dir, ready.nodes);
    await writeFile(p.inventory, inventoryText(ready));
    writeLabGroupVars(ready, dir);
    const h = handle(dir);
    if (opts.firewall) await Promise.all(h.nodes.map((n) => enableFirewall((c) => h.exec(n.name, c), n.name, opts.calicoState ? CALICO_PORTS : opts.flannel ? FLANNEL_PORTS : [])));
    return h;
  } catch (e) {
    await destroyLab(name, opts.root).catch(() => undefined);
    throw e;
  }
}

/** Removes everything a lab made: daemon and its processes, namespaces, directory. */
export async function destroyLab(name: string, root?: string): Promise<void> {
  validateLabName(name);
  const dir = labDir(name, root);
  const pid = readPid(paths(dir).daemonPid) ?? readLabState(dir)?.daemonPid;
  if (pidAlive(pid)) {
    await controlRequest(dir, { op: 'shutdown' }, 5000).catch(() => undefined);
    for (let i = 0; i < 50 && pidAlive(pid); i++) await sleep(100);
    if (pidAlive(pid)) process.kill(pid!, 'SIGKILL');
  }
  // Holders of a crashed daemon: kill by their pid files.
  const s = readLabState(dir);
  for (const n of s?.nodes ?? []) {
    for (const f of [paths(dir).node(n.name).holderPid, paths(dir).node(n.name).sshdPid]) {
      const hp = readPid(f);
      if (hp && pidAlive(hp) && isOurs(hp, n.namespace, dir)) process.kill(hp, 'SIGKILL');
    }
  }
  await deleteNetwork(name);
  if (existsSync(dir)) await removeLabDir(dir);
}

/** A pid file can outlive its process; only kill a pid whose command line still names this lab. */
function isOurs(pid: number, ns: string, dir: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes(ns) || cmd.includes(dir) || cmd.includes('sleep\x002147483647');
  } catch {
    return false;
  }
}

export function openLab(name: string, root?: string): Lab {
  const dir = labDir(name, root);
  if (!readLabState(dir)) throw new PhiloteError('option', `no lab '${name}' (run \`philote lab up\` first)`);
  return handle(dir);
}

function handle(dir: string): Lab {
  const s = readLabState(dir)!;
  const p = paths(dir);
  const node = (n: string) => {
    const info = s.nodes.find((x) => x.name === n);
    if (!info) throw new PhiloteError('option', `no node '${n}' in lab ${s.name} (nodes: ${s.nodes.map((x) => x.name).join(', ')})`);
    return info;
  };
  return {
    name: s.name,
    dir,
    inventoryPath: s.inventoryPath,
    knownHostsPath: s.knownHostsPath,
    keyPath: s.keyPath,
    user: s.user,
    passwordUser: s.passwordUser,
    password: s.password,
    nodes: s.nodes,
    kubeconfigPath: s.kubeconfigPath,
    async exec(n, command) {
      node(n);
      const holder = readPid(p.node(n).holderPid);
      if (!holder) throw new PhiloteError('lab', `lab node ${n} has no namespace holder`);
      return run('nsenter', ['-t', String(holder), '-m', '-n', '-u', '--', '/bin/sh', '-c', command], { allowFail: true });
    },
    async stop(n) {
      await controlRequest(dir, { op: 'stop', node: node(n).name });
    },
    async start(n) {
      await controlRequest(dir, { op: 'start', node: node(n).name });
    },
    async cut(n) {
      await controlRequest(dir, { op: 'cut', node: node(n).name });
    },
    async reset(n) {
      await controlRequest(dir, { op: 'reset', node: node(n).name });
    },
    async reboot(n, delayMs) {
      await controlRequest(dir, { op: 'reboot', node: node(n).name, delayMs });
    },
    connectionCount(n) {
      try {
        return statSync(p.node(node(n).name).spawns).size;
      } catch {
        return 0;
      }
    },
    async status() {
      const r = await controlRequest(dir, { op: 'status' });
      return r.state!;
    },
    async down() {
      await destroyLab(s.name, dir.slice(0, dir.length - s.name.length - 1));
    },
  };
}
