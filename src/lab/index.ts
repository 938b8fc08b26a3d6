/**
 * The lab, as `philote lab up|down|status|inventory|kubeconfig|stop|start|cut|reset|reboot` sees it.
 * Every function takes the lab name (default "default"); the CLI prints what they return.
 * Tests use createLab() directly for a handle with exec/stop/start/cut/reset/reboot/down.
 */
import { PhiloteError } from '../errors.js';
import { createLab, destroyLab, openLab, type CreateLabOptions, type Lab } from './netns/lab.js';
import { labDir, readLabState, type LabState } from './netns/layout.js';
import { simOnlyDown, simOnlyUp } from './sim-only.js';

export { createLab, destroyLab, openLab };
export type { CreateLabOptions, Lab, LabState };
export { IN_NODE as LAB_IN_NODE, readLabState } from './netns/layout.js';

export const DEFAULT_LAB = 'default';

export interface LabOptions {
  name?: string;
  root?: string;
}

/** `philote lab up --nodes N [--calico] [--kube]`: idempotent; returns the handle (print inventoryPath). */
export function labUp(opts: CreateLabOptions = {}): Promise<Lab> {
  return createLab({ ...opts, name: opts.name ?? DEFAULT_LAB });
}

/** `philote lab up --sim-only --nodes N`: the API simulator alone (no root needed); returns its state. */
export function labUpSimOnly(opts: LabOptions & { nodes: number }): Promise<LabState> {
  return simOnlyUp({ name: opts.name ?? DEFAULT_LAB, nodes: opts.nodes, ...(opts.root ? { root: opts.root } : {}) });
}

/** `philote lab down`: removes namespaces, processes and the lab directory. */
export async function labDown(opts: LabOptions = {}): Promise<void> {
  const dir = labDir(opts.name ?? DEFAULT_LAB, opts.root);
  const s = readLabState(dir);
  if (s?.simOnly) return simOnlyDown(dir, s);
  return destroyLab(opts.name ?? DEFAULT_LAB, opts.root);
}

/** `philote lab status`: undefined when no lab of that name exists. */
export function labStatus(opts: LabOptions = {}): LabState | undefined {
  return readLabState(labDir(opts.name ?? DEFAULT_LAB, opts.root));
}

/** `philote lab inventory`: the path of the generated INI inventory. */
export function labInventory(opts: LabOptions = {}): string {
  const s = requireState(opts);
  if (s.simOnly) throw new PhiloteError('option', `lab '${s.name}' runs only the Kubernetes API simulator (--sim-only): it has no SSH nodes; \`philote lab kubeconfig\` prints its kubeconfig`);
  return s.inventoryPath;
}

/** `philote lab kubeconfig`: path of the kube simulator's kubeconfig (lab started with kube: true). */
export function labKubeconfig(opts: LabOptions = {}): string {
  const s = requireState(opts);
  if (!s.kubeconfigPath) {
    throw new PhiloteError('option', `lab '${s.name}' has no Kubernetes API simulator${s.error ? ` (${s.error})` : ''}; run \`philote lab up --kube\``);
  }
  return s.kubeconfigPath;
}

export function labStop(node: string, opts: LabOptions = {}): Promise<void> {
  return openLab(opts.name ?? DEFAULT_LAB, opts.root).stop(node);
}
export function labStart(node: string, opts: LabOptions = {}): Promise<void> {
  return openLab(opts.name ?? DEFAULT_LAB, opts.root).start(node);
}
/** Partition: iptables inside the node drops ssh packets of established and new connections (and its eth0); `start` heals. */
export function labCut(node: string, opts: LabOptions = {}): Promise<void> {
  return openLab(opts.name ?? DEFAULT_LAB, opts.root).cut(node);
}
/** The node answers ssh traffic (established and new connections) with TCP resets until `start`. */
export function labReset(node: string, opts: LabOptions = {}): Promise<void> {
  return openLab(opts.name ?? DEFAULT_LAB, opts.root).reset(node);
}
/** sshd goes down, the boot id changes, sshd comes back after delayMs (default 2000). */
export function labReboot(node: string, opts: LabOptions & { delayMs?: number } = {}): Promise<void> {
  return openLab(opts.name ?? DEFAULT_LAB, opts.root).reboot(node, opts.delayMs);
}

function requireState(opts: LabOptions): LabState {
  const s = labStatus(opts);
  if (!s) throw new PhiloteError('option', `no lab '${opts.name ?? DEFAULT_LAB}' (run \`philote lab up\` first)`);
  return s;
}
