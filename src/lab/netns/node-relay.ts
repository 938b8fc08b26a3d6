/**
 * The relay in front of one lab node's sshd: a long-lived Python process per node that listens on
 * 127.0.0.1:<port> in the machine's namespace, then moves itself into the node's network namespace
 * (setns), so every connection it makes to the node's sshd (<address>:22) is a real TCP connection
 * inside the node: the node's iptables (cut, reset) and tc act on the SSH stream, and stopping the
 * node (which kills every process in its namespace) kills the relay and its connections too.
 *
 * One process per node instead of one per connection: starting nsenter and Python for each
 * connection cost ~25 ms of CPU, more than sshd's own ~20 ms per connection, and every tool
 * measured on the lab (philote, the floor, ansible-playbook) paid it on each handshake.
 *
 * Per connection it does what a wire does: copies bytes both ways without holding any back
 * (TCP_NODELAY), passes a half-close on, and when the node side is reset (or refused) resets the
 * controller side too (SO_LINGER 0), so the controller sees what a reset host looks like. Sockets
 * are non-blocking with a buffer per direction: a peer that does not read stalls only its own
 * connection (its other side is not read until the buffer drains), never the node's others.
 * Python because it is on every lab machine (Ansible needs it); Node cannot setns.
 *
 * Arguments: port (0: any free one), the namespace's path (/run/netns/<ns>), the node's address,
 * the file that gets one byte per accepted connection, the lab daemon's pid (the relay dies with
 * it). Prints "ready <port>" once listening.
 */
export const NODE_RELAY = String.raw`
import ctypes, errno, os, selectors, socket, struct, sys, time
port, ns_path, address, spawns, daemon = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
libc = ctypes.CDLL(None, use_errno=True)
# The relay ends with the lab daemon, however the daemon ends (SIGKILL included): PR_SET_PDEATHSIG.
libc.prctl(1, 9)
if os.getppid() != daemon:
    sys.exit(0)
lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lst.bind(('127.0.0.1', port))
lst.listen(1024)
lst.setblocking(False)
fd = os.open(ns_path, os.O_RDONLY)
if libc.setns(fd, 0x40000000) != 0:
    sys.exit('setns ' + ns_path + ': ' + os.strerror(ctypes.get_errno()))
os.close(fd)
sel = selectors.DefaultSelector()
R, W = selectors.EVENT_READ, selectors.EVENT_WRITE
CHUNK = 262144

class Leg:
    def __init__(self, sock):
        self.sock = sock
        self.peer = None
        self.out = bytearray()   # bytes waiting to be written to this leg
        self.eof_in = False      # this leg sent its FIN
        self.shut_out = False    # a FIN was passed on to this leg
        self.connecting = False
        self.reg = False
        self.closed = False

def nodelay(s):
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

def want(leg, ev):
    if leg.closed:
        return
    if not ev:
        if leg.reg:
            sel.unregister(leg.sock); leg.reg = False
    elif leg.reg:
        sel.modify(leg.sock, ev, leg)
    else:
        sel.register(leg.sock, ev, leg); leg.reg = True

def update(leg):
    # A leg is read only while its peer has nothing pending (flow control), written while it has.
    if leg.connecting:
        return want(leg, W)
    ev = 0
    if not leg.eof_in and not leg.peer.out and not leg.peer.connecting:
        ev |= R
    if leg.out:
        ev |= W
    want(leg, ev)

def close(leg, hard):
    if leg.closed:
        return
    want(leg, 0)
    leg.closed = True
    if hard:
        try:
            leg.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        except OSError:
            pass
    leg.sock.close()

def fail(leg):
    # This leg was reset (or could not be written): the other side is reset too.
    close(leg, False); close(leg.peer, True)

# Controller legs whose node side refused or reset the connection, reset at a deadline: the client
# has seen its connect() succeed by then and is reading the banner, as with a real sshd that dies
# after accept. Reset at once, the reset raced the client's own connect and OpenSSH's words
# ("connect to host" or "kex_exchange_identification") depended on which came first.
doomed = []
REFUSE_AFTER = 0.05

def refuse(outer):
    want(outer, 0)
    doomed.append((time.monotonic() + REFUSE_AFTER, outer))

def settle(leg):
    # A FIN waiting behind leg's buffer goes out once the buffer is empty; both ends done: closed.
    if not leg.out and leg.peer.eof_in and not leg.shut_out:
        leg.shut_out = True
        try:
            leg.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    if leg.eof_in and leg.peer.eof_in and not leg.out and not leg.peer.out:
        close(leg, False); close(leg.peer, False)
        return
    update(leg); update(leg.peer)

def accept():
    while True:
        try:
            c, _ = lst.accept()
        except (BlockingIOError, InterruptedError):
            return
        with open(spawns, 'ab') as f:
            f.write(b'x')
        i = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        for s in (c, i):
            s.setblocking(False); nodelay(s)
        outer, inner = Leg(c), Leg(i)
        outer.peer, inner.peer = inner, outer
        rc = i.connect_ex((address, 22))
        if rc not in (0, errno.EINPROGRESS):
            close(inner, False); refuse(outer)
            continue
        inner.connecting = rc != 0
        update(inner); update(outer)

def connected(leg):
    if leg.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
        close(leg, False)
        return refuse(leg.peer)
    leg.connecting = False
    update(leg); update(leg.peer)

def readable(leg):
    try:
        data = leg.sock.recv(CHUNK)
    except (BlockingIOError, InterruptedError):
        return
    except OSError:
        return fail(leg)
    if not data:
        leg.eof_in = True
        return settle(leg.peer)
    leg.peer.out += data
    writable(leg.peer)

def writable(leg):
    if leg.out:
        try:
            del leg.out[:leg.sock.send(leg.out)]
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            return fail(leg)
    settle(leg)

sel.register(lst, R, None)
print('ready', lst.getsockname()[1], flush=True)
while True:
    now = time.monotonic()
    while doomed and doomed[0][0] <= now:
        close(doomed.pop(0)[1], True)
    for key, ev in sel.select(doomed[0][0] - now if doomed else None):
        leg = key.data
        if leg is None:
            accept()
        elif leg.closed:
            continue
        elif leg.connecting:
            connected(leg)
        else:
            if ev & W:
                writable(leg)
            if ev & R and not leg.closed:
                readable(leg)
`;
