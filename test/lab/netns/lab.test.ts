/**
 * The lab itself: isolation (nothing in the root namespace), per-node private files, users,
 * calico seed, stop/start/cut/reboot, and a full `down`. Root only; skipped otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { createLab, type Lab } from '../../../src/lab/netns/lab.js';
import { uniqueLabName } from '../../helpers/lab-name.js';

const NAME = uniqueLabName('labtest');
const NAME2 = uniqueLabName('labtest2');

const isRoot = process.platform === 'linux' && process.getuid?.() === 0;
let lab: Lab;
let rootLinksBefore = '';

/** 'open' | 'refused' | 'silent' for a TCP connect + SSH banner read on loopback. */
function probe(port: number, waitMs = 1500): Promise<'open' | 'refused' | 'silent'> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const t = setTimeout(() => {
      s.destroy();
      resolve('silent');
    }, waitMs);
    s.on('data', (d) => {
      clearTimeout(t);
      s.destroy();
      resolve(d.toString().startsWith('SSH-') ? 'open' : 'silent');
    });
    s.on('error', () => {
      clearTimeout(t);
      resolve('refused');
    });
  });
}

describe.skipIf(!isRoot)('netns lab', () => {
  beforeAll(async () => {
    rootLinksBefore = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
    lab = await createLab({ name: NAME, nodes: 4, calicoState: true });
  }, 60000);
  afterAll(async () => {
    await lab?.down();
  }, 60000);

  it('changes nothing in the machine\'s own namespace and /etc', () => {
    expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' }).split('\n').length).toBe(rootLinksBefore.split('\n').length);
    expect(readFileSync('/etc/passwd', 'utf8')).not.toMatch(/^phl:/m);
    expect(existsSync('/etc/sudoers.d/philote-lab')).toBe(false);
  });

  it('gives each node its own address, hostname, /etc and users', async () => {
    const r = await lab.exec('node2', 'hostname; cat /etc/hostname; ip -4 -o addr show eth0 | wc -l; id -u phl; id -u phlpw; ls -A /var/lib/phl | wc -l');
    expect(r.stdout).toBe('node2\nnode2\n1\n2101\n2102\n0\n');
    await lab.exec('node1', 'echo only-here > /etc/rancher/k3s/marker');
    expect((await lab.exec('node1', 'cat /etc/rancher/k3s/marker')).stdout).toBe('only-here\n');
    expect((await lab.exec('node2', 'cat /etc/rancher/k3s/marker 2>&1; echo $?')).stdout).toMatch(/No such file/);
    expect(existsSync('/etc/rancher/k3s/marker')).toBe(false);
    // Nodes reach each other on the lab network.
    expect((await lab.exec('node1', `(echo; sleep 1) | timeout 3 bash -c 'exec 3<>/dev/tcp/${lab.nodes[2]!.address}/22; head -c 4 <&3'`)).stdout).toBe('SSH-');
  });

  it('gives each node its own /tmp, with the lab folder still visible in it', async () => {
    const marker = `/tmp/phl-private-${process.pid}`;
    await lab.exec('node1', `echo node1 > ${marker}`);
    expect((await lab.exec('node1', `cat ${marker}`)).stdout).toBe('node1\n');
    expect((await lab.exec('node2', `cat ${marker} 2>/dev/null || echo absent`)).stdout).toBe('absent\n');
    expect(existsSync(marker)).toBe(false);
    // sshd reads its config and keys from the lab folder, from inside the node.
    expect((await lab.exec('node2', `test -r ${lab.dir}/nodes/node2/sshd_config && echo readable`)).stdout).toBe('readable\n');
    expect((await lab.exec('node2', 'stat -c %a /tmp')).stdout).toBe('1777\n');
  });

  it('writes the shipped playbooks\' groups and group_vars beside its inventory', () => {
    const inv = readFileSync(lab.inventoryPath, 'utf8');
    expect(inv).toContain('[k3s_control_plane]\nnode1\n\n[k3s_workers]\nnode2\nnode3\nnode4\n\n[k3s_cluster:children]\nk3s_control_plane\nk3s_workers\n');
    const vars = readFileSync(`${lab.dir}/group_vars/all/20-lab.yml`, 'utf8');
    expect(vars).toContain('reboot_command: /var/lib/lab/reboot');
    expect(readFileSync(`${lab.dir}/group_vars/all/10-homelab.yml`, 'utf8')).toContain('cilium_pod_cidr:');
  });

  it('seeds Calico leftovers when asked', async () => {
    const r = await lab.exec('node3', "iptables-save | grep -c '^:cali-'; iptables -t nat -S PREROUTING | grep -c cali; ip route show proto bird | wc -l; ip -o link show vxlan.calico | wc -l; ls /etc/cni/net.d /var/lib/calico");
    const [chains, jumps, routes, vxlan] = r.stdout.split('\n').map(Number);
    expect(chains).toBeGreaterThan(30);
    expect(jumps).toBeGreaterThan(0);
    expect(routes).toBeGreaterThanOrEqual(4);
    expect(vxlan).toBe(1);
    expect(r.stdout).toContain('10-calico.conflist');
    expect(r.stdout).toContain('nodename');
  });

  it('writes an inventory and a known_hosts for the nodes', () => {
    const inv = readFileSync(lab.inventoryPath, 'utf8');
    expect(inv).toContain('[nodes]');
    for (const n of lab.nodes) expect(inv).toContain(`${n.name} ansible_host=127.0.0.1 ansible_port=${n.sshPort} lab_node_address=${n.address}`);
    expect(inv).toContain(`ansible_ssh_common_args='-o UserKnownHostsFile=${lab.knownHostsPath}`);
    const kh = readFileSync(lab.knownHostsPath, 'utf8');
    for (const n of lab.nodes) {
      expect(kh).toContain(`[127.0.0.1]:${n.sshPort} ssh-ed25519 `);
      expect(kh).toContain(`${n.address} ssh-ed25519 `);
    }
  });

  it('stops, partitions, starts and reboots a node', async () => {
    const port = lab.nodes[3]!.sshPort;
    expect(await probe(port)).toBe('open');
    await lab.stop('node4');
    expect(await probe(port)).toBe('refused');
    await lab.start('node4');
    expect(await probe(port)).toBe('open');
    await lab.cut('node4');
    expect(await probe(port, 800)).toBe('silent');
    expect((await lab.exec('node1', `timeout 2 bash -c 'exec 3<>/dev/tcp/${lab.nodes[3]!.address}/22' 2>/dev/null; echo $?`)).stdout).not.toBe('0\n');
    await lab.start('node4');
    expect(await probe(port)).toBe('open');

    const boot1 = (await lab.exec('node4', 'cat /var/lib/lab/boot_id')).stdout;
    await lab.reboot('node4', 1000);
    expect(await probe(port)).toBe('refused');
    expect((await lab.status()).nodes[3]!.state).toBe('rebooting');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await probe(port)).toBe('open');
    expect((await lab.exec('node4', 'cat /var/lib/lab/boot_id')).stdout).not.toBe(boot1);
  }, 30000);

  it('cut, reset and reboot act on established sessions too: silence, a TCP reset, the end of every process', async () => {
    const port = lab.nodes[2]!.sshPort;
    // An established session: the server's banner arrived. What happens to the bytes sent next?
    const session = async () => {
      const sock = connect(port, '127.0.0.1');
      const events: string[] = [];
      sock.on('error', (e: NodeJS.ErrnoException) => events.push(`error ${e.code}`));
      sock.on('end', () => events.push('end'));
      const banner = await new Promise<string>((r) => sock.once('data', (d) => r(d.toString())));
      expect(banner).toMatch(/^SSH-2\.0-/);
      sock.on('data', (d) => events.push(`data ${d.length}`));
      return { sock, events, poke: () => sock.write('SSH-2.0-probe\r\n') };
    };
    const settle = () => new Promise((r) => setTimeout(r, 1200));

    let s = await session();
    await lab.cut('node3');
    s.poke();
    await settle();
    expect(s.events).toEqual([]);
    await lab.start('node3');
    s.sock.destroy();

    s = await session();
    await lab.reset('node3');
    s.poke();
    await settle();
    expect(s.events).toContain('error ECONNRESET');
    await lab.start('node3');

    s = await session();
    await lab.exec('node3', 'nohup sleep 300 >/dev/null 2>&1 &');
    expect((await lab.exec('node3', 'pgrep -x sleep | wc -l')).stdout.trim()).not.toBe('0');
    await lab.reboot('node3', 500);
    await settle();
    expect(s.events).toContain('end');
    // The node's own processes went with it (the namespace holder's `sleep 2147483647` aside).
    // The reboot request returns at once and the daemon kills them after (like a real reboot):
    // on a loaded machine that can take longer than the settle above, so wait up to 10 s.
    let left = '';
    for (let i = 0; i < 50; i++) {
      left = (await lab.exec('node3', 'pgrep -x -f "sleep 300" | wc -l')).stdout.trim();
      if (left === '0') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(left).toBe('0');
    s.sock.destroy();
  }, 30000);

  it('is idempotent and removes everything on down', async () => {
    const again = await createLab({ name: NAME, nodes: 4, calicoState: true });
    expect(again.nodes.map((n) => n.sshPort)).toEqual(lab.nodes.map((n) => n.sshPort));
    const throwaway = await createLab({ name: NAME2, nodes: 1 });
    await throwaway.down();
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(`phl-${NAME2}-`);
    expect(existsSync(throwaway.dir)).toBe(false);
  }, 60000);
});
