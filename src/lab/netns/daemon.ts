/**
 * The lab daemon: a detached Node process (one per lab, pid in <labdir>/daemon.pid) that
 * - keeps one "holder" process per node that owns the node's mount + UTS namespaces
 *   (private /etc, /var/lib, /root overlays and /run tmpfs inside the node's netns),
 * - runs each node's sshd daemon on <lab address>:22 (the controller's sessions and bastion traffic),
 * - listens on 127.0.0.1:<port> per node and, per accepted connection, starts a relay inside the
 *   node to its sshd (faults.ts NODE_PROXY; one relay = one server-side SSH connection, counted),
 *   so the node's iptables (cut, reset) and tc act on the SSH stream,
 * - answers stop/start/cut/reset/reboot requests on <labdir>/control.sock (one JSON line each),
 * - watches each node's reboot request file, and optionally runs the kube simulator.
 * Usage: node daemon.js <labdir>
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { IN_NODE, LAB_USER, paths, readLabState, type LabNodeInfo, type LabState, type NodeState } from './layout.js';
import { applyFault, healNode, nodePids, type NetFault } from './faults.js';
import { NODE_RELAY } from './node-relay.js';
import { killPid, sleep } from './run.js';
import type { ControlReply, ControlRequest } from './daemon-protocol.js';
import { CniAgents } from './cni-agents.js';
import { K3sServices } from './k3s-service.js';

interface NodeRuntime {
  info: LabNodeInfo;
  holderPid: number;
  sshd?: ChildProcess;
  relay?: ChildProcess;
  lastRebootRequest: string;
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: daemon.js <labdir>');
  process.exit(2);
}
const P = paths(dir);
const loaded = readLabState(dir);
if (!loaded) {
  console.error(`no lab.json in ${dir}`);
  process.exit(2);
}
const state: LabState = loaded;
const nodes = new Map<string, NodeRuntime>();
let kubeStop: (() => Promise<void>) | undefined;
let control: Server | undefined;
let cniAgents: CniAgents | undefined;
let k3s: K3sServices | undefined;

function save(): void {
  const tmp = `${P.state}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, P.state);
}

function log(msg: string): void {
  process.stdout.write(`${new Date().toISOString()} ${msg}\n`);
}

function nsenter(rt: NodeRuntime, args: string[]): string[] {
  return ['-t', String(rt.holderPid), '-m', '-n', '-u', '--', ...args];
}

/**
 * The node's own /tmp, as on a real machine (what one node writes there, no other node and not the
 * controller sees). A lab folder under /tmp (the default) stays visible at its path inside the
 * node: sshd's config, host key and authorized keys are read from there.
 */
function privateTmp(nodeTmp: string): string[] {
  const labDir = resolve(dir!);
  const inTmp = labDir.startsWith('/tmp/') ? labDir.slice('/tmp/'.length) : undefined;
  return [
    ...(inTmp ? [`mkdir -p '${nodeTmp}/${inTmp}'`, `mount --bind '${labDir}' '${nodeTmp}/${inTmp}'`] : []),
    `mount --rbind '${nodeTmp}' /tmp`,
  ];
}

/** Starts the process that owns the node's private mounts; resolves once they are in place. */
function startHolder(info: LabNodeInfo): Promise<number> {
  const np = P.node(info.name);
  const script = [
    'set -e',
    `hostname ${info.name}`,
    `mount -t overlay overlay -o lowerdir=/etc,upperdir=${np.etcUpper},workdir=${np.etcWork} /etc`,
    `mount -t overlay overlay -o lowerdir=/var/lib,upperdir=${np.varlibUpper},workdir=${np.varlibWork} /var/lib`,
    `mount -t overlay overlay -o lowerdir=/root,upperdir=${np.rootUpper},workdir=${np.rootWork} /root`,
    `mount -t overlay overlay -o lowerdir=/usr/local,upperdir=${np.usrlocalUpper},workdir=${np.usrlocalWork} /usr/local`,
    // Private /run: sshd's privsep dir and sudo's timestamps stay per node.
    'mount -t tmpfs -o mode=755 tmpfs /run',
    ...privateTmp(np.tmp),
    'mkdir -p /run/sshd /run/lock && chmod 755 /run/sshd',
    'echo ready',
    'exec sleep 2147483647',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', info.namespace, 'unshare', '--mount', '--uts', '--propagation', 'private', '/bin/sh', '-c', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        writeFileSync(np.holderPid, `${child.pid}\n`);
        resolve(child.pid!);
      }
    });
    child.on('exit', (code) => reject(new Error(`node ${info.name}: namespace setup failed (${code}): ${err.trim()}`)));
  });
}

function startSshdDaemon(rt: NodeRuntime): void {
  const np = P.node(rt.info.name);
  const child = spawn('nsenter', nsenter(rt, ['/usr/sbin/sshd', '-D', '-e', '-f', np.sshdConfig]), { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => log(`${rt.info.name} sshd: ${d.toString().trim()}`));
  writeFileSync(np.sshdPid, `${child.pid}\n`);
  rt.sshd = child;
  child.on('exit', () => {
    if (rt.sshd === child) rt.sshd = undefined;
  });
}

/**
 * Starts the node's relay (node-relay.ts): it listens on 127.0.0.1:<sshPort> (a free port the
 * first time) and lives in the node's network namespace, so stopping the node kills it with the
 * rest and the port refuses connections until the node starts again.
 */
function startRelay(rt: NodeRuntime): Promise<void> {
  const np = P.node(rt.info.name);
  const child = spawn('/usr/bin/python3', ['-I', '-S', '-c', NODE_RELAY, String(rt.info.sshPort || 0), `/run/netns/${rt.info.namespace}`, rt.info.address, np.spawns, String(process.pid)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  rt.relay = child;
  child.on('exit', () => {
    if (rt.relay === child) rt.relay = undefined;
  });
  return new Promise((resolve, reject) => {
    let err = '';
    let out = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      log(`${rt.info.name} relay: ${d.toString().trim()}`);
    });
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^ready (\d+)$/m.exec(out);
      if (m) {
        rt.info.sshPort = Number(m[1]);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`node ${rt.info.name}: relay did not start (${code}): ${err.trim()}`)));
  });
}

/**
 * Resolves once the node's sshd listens on port 22 (its namespace's /proc/net/tcp, seen through
 * the holder): the relay connects at once, so a node reported up before that would refuse.
 */
async function sshdListening(rt: NodeRuntime, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      // local_address ...:0016 (22) in state 0A (LISTEN).
      if (/^\s*\d+: [0-9A-F]+:0016 [0-9A-F]+:0000 0A /m.test(readFileSync(`/proc/${rt.holderPid}/net/tcp`, 'utf8'))) return;
    } catch {
      /* the holder is being replaced */
    }
    await sleep(5);
  }
  log(`${rt.info.name}: sshd not listening after ${timeoutMs} ms`);
}

/** What makes a node reachable: its relay, then its sshd, up once sshd listens. */
async function startServices(rt: NodeRuntime): Promise<void> {
  await startRelay(rt);
  startSshdDaemon(rt);
  await sshdListening(rt);
}

function stopRelay(rt: NodeRuntime): void {
  const pid = rt.relay?.pid;
  rt.relay = undefined;
  if (pid) killPid(pid, 'SIGKILL');
}

/** Kills every process of the node (sshd, sessions, relays, commands) but the namespace holder. */
async function killNodeProcesses(rt: NodeRuntime): Promise<void> {
  // Only a scan that succeeded and found nothing ends it: a failed scan (a process exiting
  // mid-walk on a busy machine) is asked again, up to 10 rounds.
  for (let i = 0; i < 10; i++) {
    const pids = await nodePids(rt.info.namespace, rt.holderPid);
    if (pids && !pids.length) return;
    for (const pid of pids ?? []) killPid(pid, 'SIGKILL');
    await sleep(50);
  }
}

async function stopNode(rt: NodeRuntime, as: NodeState = 'stopped'): Promise<void> {
  rt.info.state = as;
  stopRelay(rt);
  await killNodeProcesses(rt);
  await healNode(rt.info.namespace);
  save();
}

async function startNode(rt: NodeRuntime): Promise<void> {
  if (rt.info.state === 'up') return;
  if (rt.info.state === 'cut' || rt.info.state === 'reset') {
    await healNode(rt.info.namespace);
  } else {
    await startServices(rt);
  }
  rt.info.state = 'up';
  save();
}

/** cut: packets of established and new connections dropped; reset: answered with TCP resets. */
async function faultNode(rt: NodeRuntime, fault: NetFault): Promise<void> {
  if (rt.info.state !== 'up' && rt.info.state !== 'cut' && rt.info.state !== 'reset') throw new Error(`node ${rt.info.name} is ${rt.info.state}, not up`);
  await applyFault(rt.info.namespace, fault);
  rt.info.state = fault;
  save();
}

async function rebootNode(rt: NodeRuntime, delayMs: number): Promise<void> {
  await stopNode(rt, 'rebooting');
  writeFileSync(`${P.node(rt.info.name).labRun}/boot_id`, `${randomUUID()}\n`);
  await sleep(delayMs);
  if (rt.info.state === 'rebooting') {
    rt.info.state = 'stopped';
    await startNode(rt);
    // Its K3s unit is enabled: it starts again at boot.
    await k3s?.boot(rt.info.name);
  }
}

function readRequest(rt: NodeRuntime): string {
  try {
    return readFileSync(`${P.node(rt.info.name).labRun}/reboot-request`, 'utf8');
  } catch {
    return '';
  }
}

/** In-node `reboot` (IN_NODE.rebootCommand) rewrites the request file; act shortly after, like shutdown -r. */
function watchRebootRequests(): void {
  setInterval(() => {
    for (const rt of nodes.values()) {
      const now = readRequest(rt);
      if (now !== rt.lastRebootRequest) {
        rt.lastRebootRequest = now;
        if (rt.info.state !== 'up') continue;
        log(`${rt.info.name}: reboot requested from inside the node (${IN_NODE.rebootCommand})`);
        setTimeout(() => void rebootNode(rt, 2000).catch((e: Error) => log(e.message)), 500);
      }
    }
  }, 250).unref();
}

/** What the daemon uses of src/lab/kube-sim's handle (imported lazily: labs without --kube never load it). */
interface SimHandle {
  kubeconfigPath?: string;
  stop?: () => Promise<void>;
  close?: () => Promise<void>;
  store: { list(apiVersion: string, kind: string, namespace?: string): unknown[]; get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Record<string, unknown> | undefined };
}

async function startKube(): Promise<void> {
  try {
    const modPath = '../kube-sim/index.js';
    const mod = (await import(modPath)) as { startKubeSim?: (o: Record<string, unknown>) => Promise<SimHandle> };
    if (!mod.startKubeSim) throw new Error('src/lab/kube-sim has no startKubeSim export');
    // The simulated CNI agents' node side (cni-agents.ts): conflist on takeover, tunnel traffic.
    const agents = new CniAgents(
      state.nodes.map((n) => ({ name: n.name, address: n.address, holderPid: () => nodes.get(n.name)?.holderPid, up: () => nodes.get(n.name)?.info.state === 'up' })),
      log,
      // On a Flannel lab a Calico agent writes its conflist and runs a data plane (no vxlan.calico owns 4789 there).
      { calico: !!state.flannel },
    );
    const sim = await mod.startKubeSim({
      dir: `${dir}/kube`,
      // pods/exec on a node runs inside it (its holder's namespaces) as the login user.
      nodes: state.nodes.map((n) => ({ name: n.name, address: n.address, exec: { netns: n.namespace, holderPid: () => nodes.get(n.name)?.holderPid, user: LAB_USER, imageBin: CniAgents.imageBin } })),
      // Node readiness follows whether the node's sshd would answer.
      nodeReady: (name: string) => nodes.get(name)?.info.state === 'up',
      onCiliumAgent: (node: string, takesOver: boolean, config: Record<string, string>) => agents.ciliumAgentStarted(node, takesOver, config),
      ...(state.flannel ? { cni: 'flannel', flannelActive: (node: string) => k3s?.flannelActive(node) ?? false } : {}),
    });
    agents.attach({
      pods: () => sim.store.list('v1', 'Pod') as never,
      ciliumConfig: () => ((sim.store.get('v1', 'ConfigMap', 'kube-system', 'cilium-config')?.['data'] ?? {}) as Record<string, string>),
      flannelActive: (node: string) => k3s?.flannelActive(node) ?? false,
    });
    cniAgents = agents;
    setInterval(() => agents.reconcile(), 500).unref();
    state.kubeconfigPath = sim.kubeconfigPath;
    kubeStop = sim.stop ?? sim.close;
  } catch (e) {
    log(`kube simulator not started: ${(e as Error).message}`);
    state.error = `kube simulator not started: ${(e as Error).message}`;
  }
}

async function shutdown(): Promise<void> {
  cniAgents?.stop();
  // First every relay (no new connection anywhere), then node by node, which takes a while at
  // 200 nodes: the caller may lose patience and SIGKILL this daemon, and the relays die with it.
  for (const rt of nodes.values()) stopRelay(rt);
  for (const rt of nodes.values()) {
    await killNodeProcesses(rt).catch(() => undefined);
    killPid(rt.holderPid, 'SIGKILL');
  }
  await kubeStop?.().catch(() => undefined);
  control?.close();
  rmSync(P.control, { force: true });
  rmSync(P.daemonPid, { force: true });
  process.exit(0);
}

async function handle(req: ControlRequest): Promise<ControlReply> {
  if (req.op === 'ping' || req.op === 'status') return { ok: true, state };
  if (req.op === 'shutdown') {
    setTimeout(() => void shutdown(), 10);
    return { ok: true };
  }
  const rt = req.node ? nodes.get(req.node) : undefined;
  if (!rt) return { ok: false, error: `no node '${req.node ?? ''}' in lab ${state.name} (nodes: ${[...nodes.keys()].join(', ')})` };
  if (req.op === 'stop') await stopNode(rt);
  else if (req.op === 'start') await startNode(rt);
  else if (req.op === 'cut' || req.op === 'reset') await faultNode(rt, req.op);
  else if (req.op === 'reboot') void rebootNode(rt, req.delayMs ?? 2000);
  return { ok: true, state };
}

function serveControl(): Promise<void> {
  rmSync(P.control, { force: true });
  control = createServer((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let req: ControlRequest;
      try {
        req = JSON.parse(line) as ControlRequest;
      } catch {
        sock.end(JSON.stringify({ ok: false, error: 'bad request' }) + '\n');
        return;
      }
      handle(req).then(
        (r) => sock.end(JSON.stringify(r) + '\n'),
        (e: Error) => sock.end(JSON.stringify({ ok: false, error: e.message }) + '\n'),
      );
    });
    sock.on('error', () => undefined);
  });
  return new Promise((r) => control!.listen(P.control, () => r()));
}

async function main(): Promise<void> {
  writeFileSync(P.daemonPid, `${process.pid}\n`);
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  try {
    await Promise.all(
      state.nodes.map(async (info) => {
        const holderPid = await startHolder(info);
        const rt: NodeRuntime = { info, holderPid, lastRebootRequest: '' };
        rt.lastRebootRequest = readRequest(rt);
        nodes.set(info.name, rt);
        await startServices(rt);
        info.state = 'up';
      }),
    );
    if (state.flannel) {
      const k = new K3sServices(
        state.nodes.map((n, index) => ({ name: n.name, namespace: n.namespace, address: n.address, index, holderPid: () => nodes.get(n.name)?.holderPid, up: () => nodes.get(n.name)?.info.state === 'up' })),
        log,
      );
      await k.boot();
      setInterval(() => void k.poll().catch((e: Error) => log(`simulated K3s: ${e.message}`)), 250).unref();
      k3s = k;
    }
    if (state.kube) await startKube();
    await serveControl();
    watchRebootRequests();
    state.daemonPid = process.pid;
    state.ready = true;
    save();
    log(`lab ${state.name} up: ${state.nodes.length} nodes`);
  } catch (e) {
    state.error = (e as Error).message;
    save();
    log(`lab start failed: ${(e as Error).message}`);
    await shutdown();
  }
}

void main();
