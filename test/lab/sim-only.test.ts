/**
 * `philote lab up --sim-only`: the Kubernetes API simulator without network namespaces, run by an
 * unprivileged user (nobody) through bin/philote.js to show it needs no root; kubectl (Debian's
 * kubernetes-client) reads the nodes through the printed kubeconfig; status, idempotent up,
 * inventory refusal, and down stopping the process by its pid and removing the directory.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/philote.js', import.meta.url));
const isRoot = process.getuid?.() === 0;
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
const root = mkdtempSync(join(tmpdir(), 'phl-simonly-'));
chmodSync(root, 0o777);
const NAME = 'simonlytest';

function philote(args: string[]): { code: number; out: string; err: string } {
  // As nobody: the sources through tsx (dist may be stale during development).
  const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, BIN, 'lab', '--name', NAME, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PHILOTE_LAB_ROOT: root, PHILOTE_FROM_SOURCE: '1', HOME: root, TMPDIR: root },
    timeout: 60000,
  });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

afterAll(() => {
  const s = join(root, NAME, 'lab.json');
  if (existsSync(s)) {
    const pid = (JSON.parse(readFileSync(s, 'utf8')) as { daemonPid: number }).daemonPid;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already stopped */
    }
  }
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!isRoot || !hasKubectl)('lab up --sim-only as an unprivileged user', () => {
  it('starts the simulator alone, serves kubectl, is idempotent and goes down by pid', { timeout: 120000 }, () => {
    const up = philote(['up', '--sim-only', '--nodes', '2']);
    expect(up.err).toBe('');
    expect(up.code).toBe(0);
    const kubeconfig = up.out.trim();
    expect(kubeconfig.startsWith(join(root, NAME))).toBe(true);
    const nodes = execFileSync('kubectl', ['--kubeconfig', kubeconfig, 'get', 'nodes', '-o', 'name'], { encoding: 'utf8' });
    expect(nodes.trim().split('\n')).toEqual(['node/node1', 'node/node2']);

    const status = JSON.parse(philote(['status']).out) as { simOnly: boolean; daemonPid: number; kubeconfigPath: string };
    expect(status).toMatchObject({ simOnly: true, kubeconfigPath: kubeconfig });
    const owner = execFileSync('ps', ['-o', 'user=', '-p', String(status.daemonPid)], { encoding: 'utf8' }).trim();
    expect(owner).toBe('nobody');

    const again = philote(['up', '--sim-only', '--nodes', '2']);
    expect(again.code).toBe(0);
    expect((JSON.parse(philote(['status']).out) as { daemonPid: number }).daemonPid).toBe(status.daemonPid);
    expect(philote(['kubeconfig']).out.trim()).toBe(kubeconfig);

    const inv = philote(['inventory']);
    expect(inv.code).not.toBe(0);
    expect(inv.err).toContain('has no SSH nodes');

    expect(philote(['down']).code).toBe(0);
    expect(existsSync(join(root, NAME))).toBe(false);
    expect(spawnSync('kill', ['-0', String(status.daemonPid)]).status).not.toBe(0);
  });
});
