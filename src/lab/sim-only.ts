/**
 * `philote lab up --sim-only`: the Kubernetes API simulator alone, for machines where the lab's
 * network namespaces cannot be made (not root, not Linux). It runs as a detached process
 * (src/lab/kube-sim/main.ts) that serves N simulated nodes on loopback; the lab state records its
 * pid and kubeconfig so `lab kubeconfig`, `lab status` and `lab down` work as for a full lab.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PhiloteError } from '../errors.js';
import { labDir, readLabState, validateLabName, type LabState } from './netns/layout.js';
import { pidAlive, sleep } from './netns/run.js';

export interface SimOnlyOptions {
  name: string;
  nodes: number;
  root?: string;
}

/** The simulator's entry: compiled beside this file, under dist/lab when bundled, or the sources. */
function simCommand(): { cmd: string; args: string[] } {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith('.ts')) {
    const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
    return { cmd: process.execPath, args: ['--import', pathToFileURL(join(tsxDir, 'dist', 'loader.mjs')).href, join(dirname(self), 'kube-sim', 'main.ts')] };
  }
  const beside = join(dirname(self), 'kube-sim', 'main.js');
  return { cmd: process.execPath, args: [existsSync(beside) ? beside : join(dirname(self), '..', 'lab', 'kube-sim', 'main.js')] };
}

/** Only a pid whose command line still names this lab's directory is ours to stop. */
function isSimOf(pid: number, dir: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
  } catch {
    return false;
  }
}

export async function simOnlyDown(dir: string, state: LabState): Promise<void> {
  const pid = state.daemonPid;
  if (pidAlive(pid) && isSimOf(pid, dir)) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50 && pidAlive(pid); i++) await sleep(100);
    if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
}

export async function simOnlyUp(o: SimOnlyOptions): Promise<LabState> {
  validateLabName(o.name);
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > 250) throw new PhiloteError('option', `a lab has 1-250 nodes, not ${o.nodes}`);
  const dir = labDir(o.name, o.root);
  const existing = readLabState(dir);
  if (existing?.simOnly && existing.ready && pidAlive(existing.daemonPid) && isSimOf(existing.daemonPid, dir) && existing.simNodes === o.nodes) return existing;
  if (existing?.simOnly) await simOnlyDown(dir, existing);
  else if (existing) throw new PhiloteError('option', `lab '${o.name}' exists with network namespaces; run \`philote lab --name ${o.name} down\` first`);
  mkdirSync(join(dir, 'kube'), { recursive: true });
  const logPath = join(dir, 'sim.log');
  const log = openSync(logPath, 'w');
  const names = Array.from({ length: o.nodes }, (_v, i) => `node${i + 1}`);
  const { cmd, args } = simCommand();
  const child = spawn(cmd, [...args, '--dir', join(dir, 'kube'), '--nodes', names.join(',')], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  child.unref();
  const pid = child.pid;
  if (!pid) throw new PhiloteError('lab', 'could not start the Kubernetes API simulator');
  let kubeconfigPath: string | undefined;
  for (let i = 0; i < 150 && !kubeconfigPath; i++) {
    await sleep(100);
    const text = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
    kubeconfigPath = /export KUBECONFIG=(\S+)/.exec(text)?.[1];
    if (!kubeconfigPath && !pidAlive(pid)) throw new PhiloteError('lab', `the Kubernetes API simulator stopped at start:\n${text.split('\n').slice(-10).join('\n')}`);
  }
  if (!kubeconfigPath) {
    process.kill(pid, 'SIGKILL');
    throw new PhiloteError('lab', `the Kubernetes API simulator did not start within 15 s (log: ${logPath})`);
  }
  const state: LabState = {
    name: o.name,
    dir,
    nodes: [],
    daemonPid: pid,
    calicoState: false,
    kube: true,
    kubeconfigPath,
    inventoryPath: '',
    knownHostsPath: '',
    keyPath: '',
    user: '',
    passwordUser: '',
    password: '',
    ready: true,
    simOnly: true,
    simNodes: o.nodes,
  };
  writeFileSync(join(dir, 'lab.json'), JSON.stringify(state, null, 2));
  return state;
}
