/**
 * Fault injection inside one lab node, with the node's own tools only (nothing in the machine's
 * namespace changes):
 * - cut: iptables in the node's netns DROPs ssh traffic (established and new) and everything on
 *   eth0: the node is partitioned, peers see silence;
 * - reset: iptables in the node's netns answers ssh traffic with TCP resets;
 * - heal: removes the chain.
 * This works because the controller's TCP stream is relayed into the node (see NODE_PROXY): the
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
export async function nodePids(ns: string, keep: number): Promise<number[]> {
  const r = await run('ip', ['netns', 'pids', ns], { allowFail: true });
  return r.stdout
    .split(/\s+/)
    .map(Number)
    .filter((p) => p > 1 && p !== keep && p !== process.pid);
}

/**
 * The relay run inside the node for each connection the controller makes to 127.0.0.1:<port>:
 * fd 0 is the accepted socket; it connects to the node's sshd on <address>:22 inside the node's
 * namespace and copies bytes both ways. When the node side is reset (or refused), it resets the
 * controller side too (SO_LINGER 0), so the controller sees what a reset host looks like.
 * Python because it is on every lab machine (Ansible needs it) and costs ~10 MB per connection.
 */
export const NODE_PROXY = `
import socket, select, struct, sys
def hard_close(s):
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    except OSError:
        pass
    s.close()
outer = socket.socket(fileno=0)
try:
    inner = socket.create_connection((sys.argv[1], 22))
except OSError:
    hard_close(outer)
    sys.exit(0)
# A wire does not hold bytes back: without this, Nagle on the relay's legs would delay every
# second small packet of a round trip until the peer's delayed ACK (~40 ms).
for s in (outer, inner):
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
peer = {outer: inner, inner: outer}
open_ = {outer, inner}
while open_:
    for s in select.select(list(open_), [], [])[0]:
        try:
            data = s.recv(262144)
        except OSError:
            hard_close(peer[s]); s.close(); sys.exit(0)
        if not data:
            open_.discard(s)
            try:
                peer[s].shutdown(socket.SHUT_WR)
            except OSError:
                pass
            continue
        try:
            peer[s].sendall(data)
        except OSError:
            hard_close(s); peer[s].close(); sys.exit(0)
`;
