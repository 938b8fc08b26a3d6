/**
 * The simulated CNI agents' data plane, one Python process per lab node (run as root inside the
 * node's namespaces by cni-agents.ts). It reads /run/lab/cni/agents.json, written by the lab
 * daemon from the cluster state, e.g.
 *   {"address": "10.213.0.11", "agents": [{"cni": "cilium", "udp": 8473, "tcp": 4240,
 *     "peers": [{"name": "node2", "ip": "10.213.0.12"}]}]}
 * and, for every agent, exchanges real packets with the same CNI's agents on the other nodes:
 *  - a UDP heartbeat every 0.5 s to each peer's tunnel port (sent from an ephemeral port, as the
 *    kernel's VXLAN does, so the receiver's firewall sees a new flow, not a reply it allowed);
 *  - when the agent has a health port (Cilium's 4240/tcp), a TCP connect to each peer's, and it
 *    accepts theirs.
 * A peer is reachable when its heartbeat arrived, its connect arrived and ours was accepted, all in
 * the last 2.5 s: a firewall that drops the tunnel or health port on either side shows. The view is
 * written to /run/lab/cni/<cni>.json, and for Cilium also as `cilium-dbg status` text
 * (/run/lab/cni/cilium-status, printed by the lab's stand-in for the agent image's CLI), for Calico
 * as the BGP peers not established (/run/lab/cni/calico-bgp, read by `calico-node -bird-ready`).
 * Python because it runs inside the node, where only the node's own tools exist.
 */
export const CNI_AGENT_PY = String.raw`
import errno, json, os, select, socket, time
D = '/run/lab/cni'
FRESH = 2.5
conf_raw = None
agents = {}
sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sender.setblocking(False)
pending = []
last_beat = 0.0
address = ''

def close_agent(a):
    for k in ('usock', 'tsock'):
        if a.get(k):
            a[k].close()
            a[k] = None

def open_agent(a):
    try:
        if a['usock'] is None:
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            u.bind((address, a['cfg']['udp']))
            u.setblocking(False)
            a['usock'] = u
        if a['cfg'].get('tcp') and a['tsock'] is None:
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind((address, a['cfg']['tcp']))
            t.listen(64)
            t.setblocking(False)
            a['tsock'] = t
        a['error'] = ''
    except OSError as e:
        a['error'] = str(e)

def reload():
    global conf_raw, address
    try:
        with open(D + '/agents.json') as f:
            raw = f.read()
    except OSError:
        raw = '{"agents": []}'
    if raw == conf_raw:
        return
    conf_raw = raw
    conf = json.loads(raw)
    address = conf.get('address', '')
    want = {a['cni']: a for a in conf.get('agents', [])}
    for cni in list(agents):
        a = agents[cni]
        if cni not in want or want[cni]['udp'] != a['cfg']['udp'] or want[cni].get('tcp') != a['cfg'].get('tcp'):
            close_agent(a)
            del agents[cni]
            for f in ('%s.json' % cni, 'calico-bgp' if cni == 'calico' else 'cilium-status'):
                try:
                    os.unlink('%s/%s' % (D, f))
                except OSError:
                    pass
    for cni, cfg in want.items():
        if cni in agents:
            agents[cni]['cfg'] = cfg
        else:
            agents[cni] = {'cfg': cfg, 'usock': None, 'tsock': None, 'udp_in': {}, 'tcp_in': {}, 'tcp_out': {}, 'error': '', 'started': time.time()}

def beat(now):
    for cni, a in agents.items():
        open_agent(a)
        msg = ('phl-cni %s %s' % (cni, address)).encode()
        for p in a['cfg'].get('peers', []):
            try:
                sender.sendto(msg, (p['ip'], a['cfg']['udp']))
            except OSError:
                pass
            if a['cfg'].get('tcp'):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                rc = s.connect_ex((p['ip'], a['cfg']['tcp']))
                if rc in (0, errno.EINPROGRESS):
                    pending.append((s, cni, p['ip'], now + 1.0))
                else:
                    s.close()

def status(now):
    for cni, a in agents.items():
        peers = {}
        ok = 0
        for p in a['cfg'].get('peers', []):
            ip = p['ip']
            ages = {k: round(now - a[k][ip], 2) if ip in a[k] else None for k in ('udp_in', 'tcp_in', 'tcp_out')}
            need = ('udp_in', 'tcp_in', 'tcp_out') if a['cfg'].get('tcp') else ('udp_in',)
            reach = all(ages[k] is not None and ages[k] <= FRESH for k in need)
            ok += reach
            peers[p['name']] = dict(ages, ip=ip, reachable=reach)
        total = len(a['cfg'].get('peers', [])) + 1
        view = {'cni': cni, 'address': address, 'time': now, 'error': a['error'], 'reachable': ok + 1, 'nodes': total, 'peers': peers}
        tmp = '%s/.%s.tmp' % (D, cni)
        with open(tmp, 'w') as f:
            json.dump(view, f)
        os.chmod(tmp, 0o644)
        os.rename(tmp, '%s/%s.json' % (D, cni))
        if cni == 'cilium':
            stamp = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(now))
            lines = ['KVStore:                 Ok   Disabled',
                     'Kubernetes:              Ok   1.30 (lab simulator)',
                     'Cilium:                  %s' % ('Ok' if not a['error'] else 'Failure   ' + a['error']),
                     'Cluster health:          %d/%d reachable   (%s)' % (ok + 1, total, stamp)]
            bad = [n for n, v in peers.items() if not v['reachable']]
            if bad:
                lines.append('  Unreachable nodes:     %s' % ', '.join('%s (%s)' % (n, peers[n]['ip']) for n in bad))
            with open(tmp, 'w') as f:
                f.write('\n'.join(lines) + '\n')
            os.chmod(tmp, 0o644)
            os.rename(tmp, D + '/cilium-status')
        if cni == 'calico':
            bad = [v['ip'] for v in peers.values() if not v['reachable']]
            with open(tmp, 'w') as f:
                f.write(('unreachable: %s\n' % ','.join(bad)) if bad else 'established\n')
            os.chmod(tmp, 0o644)
            os.rename(tmp, D + '/calico-bgp')

os.makedirs(D, exist_ok=True)
os.chmod(D, 0o755)
while True:
    now = time.time()
    if now - last_beat >= 0.5:
        last_beat = now
        reload()
        beat(now)
        status(now)
    rd = [a[k] for a in agents.values() for k in ('usock', 'tsock') if a.get(k)]
    wr = [p[0] for p in pending]
    try:
        r, w, _ = select.select(rd, wr, [], 0.1)
    except (OSError, ValueError):
        r, w = [], []
    now = time.time()
    for cni, a in agents.items():
        if a['usock'] in r:
            try:
                while True:
                    data, src = a['usock'].recvfrom(512)
                    if data.startswith(('phl-cni %s ' % cni).encode()):
                        a['udp_in'][src[0]] = now
            except OSError:
                pass
        if a['tsock'] is not None and a['tsock'] in r:
            try:
                c, src = a['tsock'].accept()
                a['tcp_in'][src[0]] = now
                c.close()
            except OSError:
                pass
    keep = []
    for s, cni, ip, deadline in pending:
        if s in w:
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0 and cni in agents:
                agents[cni]['tcp_out'][ip] = now
            s.close()
        elif now > deadline:
            s.close()
        else:
            keep.append((s, cni, ip, deadline))
    pending[:] = keep
`;
