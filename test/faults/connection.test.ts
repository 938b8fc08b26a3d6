/**
 * Connection faults on lab nodes, with philote as a child process and the lab's real faults
 * (iptables inside the node's namespace, every process of a node killed):
 * - before the session: a node answering TCP resets (accepts, then resets before the banner), a
 *   partitioned node (silence), a wrong key, a server refusing sessions (MaxSessions 0); compared with ansible-playbook 2.14 on the same nodes:
 *   same UNREACHABLE words, same recap, exit 4 under both;
 * - during a task: reset, partition (keepalive loss), reboot (every session killed); and a node
 *   partitioned while its idle connection is open at the end of the run; both tools at once on the
 *   same nodes: same UNREACHABLE words and recap.
 * Invariant each time: no crash, exit 4, the healthy hosts finish, the process exits within a few
 * seconds of the recap.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/lab/index.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { labInventory, recapLine, startAnsible, startPhilote, unreachableLine } from './run.js';

const isRoot = process.platform === 'linux' && process.getuid?.() === 0;
let lab: Lab;
let dir: string;

function ansiblePlaybook(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('/usr/bin/ansible-playbook', args, { cwd, env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_HOST_KEY_CHECKING: 'True', ANSIBLE_SSH_RETRIES: '0' }, maxBuffer: 1 << 24 }, (err, stdout) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: String(stdout) });
    });
  });
}

const noCrash = (err: string) => expect(err).not.toMatch(/Unhandled|uncaught|TypeError|at .*\.ts:\d+/i);

describe.skipIf(!isRoot)('connection faults', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('fltconn'), nodes: 5 });
    dir = mkdtempSync(join(tmpdir(), 'phl-fltconn-'));
    execFile('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'wrong_key')]);
  }, 120_000);
  afterAll(async () => {
    await lab?.down();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('reset before the banner, silence, a wrong key, sessions refused: UNREACHABLE in the words ansible-playbook prints, exit 4, the healthy host finishes', async () => {
    await lab.reset('node2');
    await lab.cut('node3');
    const sshdConfig = join(lab.dir, 'nodes', 'node5', 'sshd_config');
    const config = readFileSync(sshdConfig, 'utf8');
    writeFileSync(sshdConfig, config.replace(/^MaxSessions \d+$/m, 'MaxSessions 0'));
    await lab.stop('node5');
    await lab.start('node5');
    try {
      writeFileSync(
        join(dir, 'inv1.ini'),
        labInventory(lab, { node1: '', node2: '', node3: '', node4: `ansible_ssh_private_key_file=${join(dir, 'wrong_key')}`, node5: '' }, ['ansible_ssh_timeout=3']),
      );
      writeFileSync(join(dir, 'pb1.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: hostname\n    - command: "true"\n');
      const [ours, theirs] = await Promise.all([startPhilote(['playbook', '-i', 'inv1.ini', 'pb1.yml'], { cwd: dir }).done, ansiblePlaybook(['-i', 'inv1.ini', 'pb1.yml'], dir)]);
      noCrash(ours.err);
      expect(ours.code).toBe(4);
      expect(theirs.code).toBe(4);
      const port = (n: string) => lab.nodes.find((x) => x.name === n)!.sshPort;
      expect(unreachableLine(ours.out, 'node2')).toBe(
        `fatal: [node2]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh: kex_exchange_identification: read: Connection reset by peer\\r\\nConnection reset by 127.0.0.1 port ${port('node2')}", "unreachable": true}`,
      );
      expect(unreachableLine(ours.out, 'node3')).toBe(
        `fatal: [node3]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh: Connection timed out during banner exchange\\r\\nConnection to 127.0.0.1 port ${port('node3')} timed out", "unreachable": true}`,
      );
      expect(unreachableLine(ours.out, 'node4')).toBe(
        `fatal: [node4]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh: phl@127.0.0.1: Permission denied (publickey,password).", "unreachable": true}`,
      );
      expect(unreachableLine(ours.out, 'node5')).toBe(
        'fatal: [node5]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect to the host via ssh: mux_client_request_session: session request failed: Session open refused by peer\\r\\nFailed to connect to new control master", "unreachable": true}',
      );
      for (const h of ['node1', 'node2', 'node3', 'node4', 'node5']) {
        expect(unreachableLine(ours.out, h), h).toBe(unreachableLine(theirs.out, h));
        expect(recapLine(ours.out, h), h).toBe(recapLine(theirs.out, h));
      }
      expect(recapLine(ours.out, 'node1')).toMatch(/ok=2 changed=2 unreachable=0 failed=0/);
    } finally {
      await lab.start('node2');
      await lab.start('node3');
      writeFileSync(sshdConfig, config);
      await lab.stop('node5');
      await lab.start('node5');
    }
  }, 120_000);

  it('reset, partition and reboot during a task, and a partition of an idle connection at the end: as ansible-playbook, the others finish, exit 4; no wait after the recap', async () => {
    writeFileSync(join(dir, 'inv2.ini'), labInventory(lab, { node1: '', node2: '', node3: '', node4: '', node5: '' }));
    writeFileSync(
      join(dir, 'pb2.yml'),
      [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - command: hostname',
        '    - shell: sleep 12; echo slept',
        '    - command: hostname',
        '- hosts: node1',
        '  gather_facts: false',
        '  tasks:',
        '    - pause: {seconds: 3}',
        '',
      ].join('\n'),
    );
    // Both tools at once on the same nodes, so the same faults hit both mid-task.
    const run = startPhilote(['playbook', '-vvvv', '-i', 'inv2.ini', 'pb2.yml'], { cwd: dir });
    const oracle = startAnsible(['-i', 'inv2.ini', 'pb2.yml'], { cwd: dir });
    try {
      await Promise.all([run.waitFor(/TASK \[shell\]/), oracle.waitFor(/TASK \[shell\]/)]);
      await new Promise((r) => setTimeout(r, 2000));
      await Promise.all([lab.reset('node2'), lab.cut('node3'), lab.reboot('node4', 120_000)]);
      // node5's connection stays open and idle through the last play; partition it then.
      await Promise.all([run.waitFor(/TASK \[pause\]/), oracle.waitFor(/TASK \[pause\]/)]);
      await lab.cut('node5');
      const [r, theirs] = await Promise.all([run.done, oracle.done]);
      noCrash(r.err);
      expect(r.code).toBe(4);
      expect(theirs.code).toBe(4);
      const port = (n: string) => lab.nodes.find((x) => x.name === n)!.sshPort;
      // The msg of an UNREACHABLE result, on one line (default) or indented (-vvvv).
      const msg = (out: string, h: string) => new RegExp(`fatal: \\[${h}\\]: UNREACHABLE! => \\{[^}]*"msg": "([^"]*)"`).exec(out)?.[1];
      for (const h of ['node2', 'node3', 'node4']) {
        expect(msg(r.out, h), h).toBe('Failed to connect to the host via ssh: Shared connection to 127.0.0.1 closed.');
        expect(msg(r.out, h), h).toBe(msg(theirs.out, h));
      }
      for (const h of ['node1', 'node2', 'node3', 'node4', 'node5']) expect(recapLine(r.out, h), h).toBe(recapLine(theirs.out, h));
      // What ended each connection, in OpenSSH's words, at -vvvv.
      // The partition is a keepalive timeout. A reset and a reboot end in a TCP reset or a close,
      // whichever the kernel delivers first (under load a reboot's killed sshd can reset too).
      expect(r.out).toContain('<127.0.0.1> SSH: connection lost: Timeout, server 127.0.0.1 not responding.');
      const lost = [...r.out.matchAll(/<127\.0\.0\.1> SSH: connection lost: (.*)/g)].map((m) => m[1]!);
      const closedOrReset = lost.filter((w) => /^Connection reset by 127\.0\.0\.1 port \d+$|^Connection to 127\.0\.0\.1 closed by remote host\.$/.test(w));
      expect(closedOrReset.length, lost.join(' | ')).toBeGreaterThanOrEqual(2);
      expect(lost.some((w) => w === `Connection reset by 127.0.0.1 port ${port('node2')}` || w === 'Connection to 127.0.0.1 closed by remote host.'), lost.join(' | ')).toBe(true);
      expect(recapLine(r.out, 'node1')).toMatch(/^node1 : ok=4 changed=3 unreachable=0 failed=0/);
      expect(recapLine(r.out, 'node5')).toMatch(/^node5 : ok=3 changed=3 unreachable=0 failed=0/);
      // Closing node5's partitioned connection is bounded (1 s), not the kernel's FIN timeout.
      expect(r.afterRecapMs).toBeLessThan(4000);
    } finally {
      for (const p of [run, oracle]) if (p.child.exitCode === null) p.child.kill('SIGKILL');
      for (const n of ['node2', 'node3', 'node5']) await lab.start(n);
    }
  }, 120_000);
});
