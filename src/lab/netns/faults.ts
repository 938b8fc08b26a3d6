/**
 * Fault injection inside one lab node, with the node's own tools only (nothing in the machine's
 * namespace changes):
 * - cut: iptables in the node's netns DROPs ssh traffic (established and new) and everything on
 *   eth0: the node is partitioned, peers see silence;
 * - reset: iptables in the node's netns answers ssh traffic with TCP resets;
 * - heal: removes the chain.
 * This works because the controller's TCP stream is relayed into the node (node-relay.ts): the
 * leg that carries the SSH bytes is a real TCP connection inside the node's namespace.
 */
import { run } from './run.js';

/** The node's own chain, jumped to first from INPUT and OUTPUT while a fault is on. */
const CHAIN = 'PHL-LAB-FAULT';

export type NetFault = 'cut' | 'reset';

function ipt(ns: string, args: string[], allowFail = false): Promise<{ rc: number }> {
  return run('ip', ['netns', 'exec', ns, 'iptables', '-w', ...args], { allowFail });
}

export async function healNode(ns: string): Promise<void> {
  await ipt(ns, ['-D', 'INPUT', '-j', CHAIN], true);
  await ipt(ns, ['-D', 'OUTPUT', '-j', CHAIN], true);
  await ipt(ns, ['-F', CHAIN], true);
  await ipt(ns, ['-X', CHAIN], true);
}

export async function applyFault(ns: string, fault: NetFault): Promise<void> {
  await healNode(ns);
  await ipt(ns, ['-N', CHAIN]);
  const verdict = fault === 'cut' ? ['-j', 'DROP'] : ['-j', 'REJECT', '--reject-with', 'tcp-reset'];
  // The resets REJECT sends go out through OUTPUT with source port 22 themselves: let them pass.
  if (fault === 'reset') await ipt(ns, ['-A', CHAIN, '-p', 'tcp', '--tcp-flags', 'RST', 'RST', '-j', 'RETURN']);
  await ipt(ns, ['-A', CHAIN, '-p', 'tcp', '--dport', '22', ...verdict]);
  await ipt(ns, ['-A', CHAIN, '-p', 'tcp', '--sport', '22', ...verdict]);
  if (fault === 'cut') {
    await ipt(ns, ['-A', CHAIN, '-i', 'eth0', '-j', 'DROP']);
    await ipt(ns, ['-A', CHAIN, '-o', 'eth0', '-j', 'DROP']);
  }
  await ipt(ns, ['-I', 'INPUT', '1', '-j', CHAIN]);
  await ipt(ns, ['-I', 'OUTPUT', '1', '-j', CHAIN]);
}

/** Every process inside the node's network namespace except `keep` (the namespace holder). */
/**
 * The processes in a node's namespace, or undefined when `ip netns pids` failed: it walks /proc,
 * and a process that ends during the walk can fail it, leaving a partial or empty list.
 */
export async function nodePids(ns: string, keep: number): Promise<number[] | undefined> {
  const r = await run('ip', ['netns', 'pids', ns], { allowFail: true });
  if (r.rc !== 0) return undefined;
  return r.stdout
    .split(/\s+/)
    .map(Number)
    .filter((p) => p > 1 && p !== keep && p !== process.pid);
}
