/**
 * Builds and removes a lab's static parts: network namespaces joined by a bridge that
 * lives in the lab's hub namespace (no veth, bridge or route in the machine's own
 * namespace), keys, per-node sshd configs and the node-private files (/etc overlay with
 * the login users, sudoers and hostname). Processes are the daemon's job (daemon.ts).
 */
import { mkdir, writeFile, readFile, rm, chmod, chown, appendFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { run } from './run.js';
import {
  IN_NODE,
  LAB_PASSWORD,
  LAB_PW_USER,
  LAB_SUBNET_PREFIX,
  LAB_USER,
  hubNamespace,
  nodeAddress,
  nodeName,
  nodeNamespace,
  paths,
} from './layout.js';

const UID = 2101;
const PW_UID = 2102;

export interface NodePlan {
  name: string;
  namespace: string;
  address: string;
  index: number;
}

export function planNodes(lab: string, count: number): NodePlan[] {
  return Array.from({ length: count }, (_, i) => ({
    name: nodeName(i),
    namespace: nodeNamespace(lab, nodeName(i)),
    address: nodeAddress(i),
    index: i,
  }));
}

/** Namespaces of this lab that exist now (also finds leftovers of a crashed run). */
export async function listLabNamespaces(lab: string): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list'], { allowFail: true });
  const prefix = `phl-${lab}-`;
  return stdout
    .split('\n')
    .map((l) => l.split(/\s/)[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

export async function createNetwork(lab: string, nodes: NodePlan[]): Promise<void> {
  const hub = hubNamespace(lab);
  await run('ip', ['netns', 'add', hub]);
  await run('ip', ['-n', hub, 'link', 'set', 'lo', 'up']);
  await run('ip', ['-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
  await run('ip', ['-n', hub, 'link', 'set', 'br0', 'up']);
  for (const n of nodes) {
    await run('ip', ['netns', 'add', n.namespace]);
    await run('ip', ['-n', n.namespace, 'link', 'set', 'lo', 'up']);
    // The veth is created inside the hub namespace and its peer moved straight into the node's.
    const hubSide = `v${n.index + 1}`;
    await run('ip', ['-n', hub, 'link', 'add', hubSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.namespace]);
    await run('ip', ['-n', hub, 'link', 'set', hubSide, 'master', 'br0', 'up']);
    await run('ip', ['-n', n.namespace, 'addr', 'add', `${n.address}/16`, 'dev', 'eth0']);
    await run('ip', ['-n', n.namespace, 'link', 'set', 'eth0', 'up']);
  }
}

export async function deleteNetwork(lab: string): Promise<void> {
  for (const ns of await listLabNamespaces(lab)) await run('ip', ['netns', 'del', ns], { allowFail: true });
}

/** Client key, users, host keys, sshd configs and node-private /etc, /var/lib, /root uppers. */
export async function writeLabFiles(dir: string, lab: string, nodes: NodePlan[]): Promise<void> {
  const p = paths(dir);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if (!existsSync(p.key)) await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `philote-lab-${lab}`, '-f', p.key]);
  await writeFile(p.authorizedKeys, await readFile(`${p.key}.pub`));
  const hash = (await run('openssl', ['passwd', '-6', '-stdin'], { input: LAB_PASSWORD })).stdout.trim();
  const hostPasswd = await readFile('/etc/passwd', 'utf8');
  const hostShadow = await readFile('/etc/shadow', 'utf8').catch(() => '');
  const hostGroup = await readFile('/etc/group', 'utf8');
  const hostHosts = await readFile('/etc/hosts', 'utf8').catch(() => '127.0.0.1 localhost\n');
  const hostsLines = nodes.map((n) => `${n.address} ${n.name}`).join('\n');
  const known: string[] = [];

  for (const n of nodes) {
    const np = p.node(n.name);
    for (const d of [np.dir, np.etcUpper, np.etcWork, np.varlibUpper, np.varlibWork, np.rootUpper, np.rootWork, np.usrlocalUpper, np.usrlocalWork, np.tmp]) await mkdir(d, { recursive: true });
    await chmod(np.tmp, 0o1777);
    if (!existsSync(np.hostKey)) await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', n.name, '-f', np.hostKey]);
    const pub = (await readFile(`${np.hostKey}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
    known.push(`${n.address} ${pub}`);

    // Node-private /etc: users exist only here, never in the machine's own /etc.
    const e = np.etcUpper;
    await writeFile(join(e, 'passwd'), withLines(hostPasswd, [
      `${LAB_USER}:x:${UID}:${UID}:philote lab:/var/lib/${LAB_USER}:/bin/sh`,
      `${LAB_PW_USER}:x:${PW_UID}:${PW_UID}:philote lab (sudo asks a password):/var/lib/${LAB_PW_USER}:/bin/sh`,
    ]));
    await writeFile(join(e, 'shadow'), withLines(hostShadow, [`${LAB_USER}:${hash}:19000:0:99999:7:::`, `${LAB_PW_USER}:${hash}:19000:0:99999:7:::`]), { mode: 0o640 });
    await writeFile(join(e, 'group'), withLines(hostGroup, [`${LAB_USER}:x:${UID}:`, `${LAB_PW_USER}:x:${PW_UID}:`]));
    await mkdir(join(e, 'sudoers.d'), { recursive: true });
    await writeFile(
      join(e, 'sudoers.d', 'philote-lab'),
      `Defaults:${LAB_PW_USER} lecture=never\n${LAB_USER} ALL=(ALL:ALL) NOPASSWD: ALL\n${LAB_PW_USER} ALL=(ALL:ALL) ALL\n`,
      { mode: 0o440 },
    );
    await chmod(join(e, 'sudoers.d', 'philote-lab'), 0o440);
    await writeFile(join(e, 'hostname'), `${n.name}\n`);
    await writeFile(join(e, 'hosts'), `${hostHosts.trimEnd()}\n127.0.1.1 ${n.name}\n${hostsLines}\n`);
    for (const d of ['rancher/k3s', 'cni/net.d']) await mkdir(join(e, d), { recursive: true });

    // Homes without shell start-up files, so command output is exactly the command's.
    for (const [user, uid] of [[LAB_USER, UID], [LAB_PW_USER, PW_UID]] as const) {
      const home = join(np.varlibUpper, user);
      await mkdir(home, { recursive: true });
      await chown(home, uid, uid);
    }
    await mkdir(join(np.varlibUpper, 'calico'), { recursive: true });
    await mkdir(np.labRun, { recursive: true });
    await chmod(np.labRun, 0o1777);
    if (!existsSync(join(np.labRun, 'boot_id'))) await writeFile(join(np.labRun, 'boot_id'), `${randomUUID()}\n`, { mode: 0o644 });
    if (!existsSync(join(np.labRun, 'reboot-request'))) await writeFile(join(np.labRun, 'reboot-request'), '', { mode: 0o666 });
    await chmod(join(np.labRun, 'reboot-request'), 0o666);
    await writeFile(
      join(np.labRun, 'reboot'),
      // Rewrites an existing file in place: the daemon watches its content from the overlay's upper dir.
      `#!/bin/sh\n# Lab "reboot": the lab daemon drops this node's sshd, waits, changes boot_id and starts it again.\ndate +%s%N > ${IN_NODE.rebootRequest}\necho "lab reboot requested"\n`,
      { mode: 0o755 },
    );
    await chmod(join(np.labRun, 'reboot'), 0o755);

    await writeFile(np.sshdConfig, sshdConfig(n.address, np.hostKey, p.authorizedKeys));
  }
  await writeFile(p.knownHosts, known.join('\n') + '\n');
}

function withLines(base: string, lines: string[]): string {
  const names = new Set(lines.map((l) => l.split(':')[0]));
  const kept = base.split('\n').filter((l) => l && !names.has(l.split(':')[0]));
  return [...kept, ...lines].join('\n') + '\n';
}

function sshdConfig(address: string, hostKey: string, authorizedKeys: string): string {
  return [
    '# philote lab node sshd on the lab address: the controller reaches it through a relay inside the node, bastions directly',
    'Port 22',
    `ListenAddress ${address}`,
    `HostKey ${hostKey}`,
    'PidFile none',
    `AuthorizedKeysFile ${authorizedKeys}`,
    // Lab files live under /tmp, whose mode StrictModes would reject.
    'StrictModes no',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PermitRootLogin no',
    'MaxSessions 100',
    'MaxStartups 500',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'AllowTcpForwarding yes',
    'LogLevel ERROR',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

/** The lab's known_hosts also lists each node as the controller dials it: [127.0.0.1]:port. */
export async function addLoopbackKnownHosts(dir: string, nodes: { name: string; sshPort: number }[]): Promise<void> {
  const p = paths(dir);
  const lines: string[] = [];
  for (const n of nodes) {
    const pub = (await readFile(`${p.node(n.name).hostKey}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
    lines.push(`[127.0.0.1]:${n.sshPort} ${pub}`);
  }
  await appendFile(p.knownHosts, lines.join('\n') + '\n');
}

export async function removeLabDir(dir: string): Promise<void> {
  // Only ever a directory this lab owns; refuse anything that does not look like one.
  if (!existsSync(join(dir, 'lab.json')) && existsSync(dir) && readdirSync(dir).some((f) => !['nodes', 'id_ed25519', 'id_ed25519.pub', 'authorized_keys', 'known_hosts', 'daemon.log', 'daemon.pid', 'control.sock', 'inventory.ini'].includes(f))) {
    throw new Error(`refusing to remove ${dir}: it does not look like a philote lab directory`);
  }
  await rm(dir, { recursive: true, force: true });
}

export { LAB_SUBNET_PREFIX };
