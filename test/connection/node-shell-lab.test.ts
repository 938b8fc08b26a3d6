/**
 * The persistent node shell (src/connection/ssh/node-shell.ts) against real sshd in lab
 * namespaces (root only): one session channel for many tasks, no state carried from a task to the
 * next, stdin payloads (binary, large, unread) through the frames, sudo once with its password,
 * and the ways it drops to a fresh shell (a killed shell, a task past its timeout) or to one exec
 * per task (a node whose sessions get no stdin). Channels are counted from the connection trace.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/lab/netns/lab.js';
import { createConnectionPool } from '../../src/connection/pool.js';
import { traceConnections } from '../../src/connection/trace.js';
import type { ConnectionSpec } from '../../src/connection/types.js';
import { uniqueLabName } from '../helpers/lab-name.js';

const isRoot = process.platform === 'linux' && process.getuid?.() === 0;
let lab: Lab;
const trace: string[] = [];
let stopTrace: (() => void) | undefined;

function spec(i: number, extra: Partial<ConnectionSpec> = {}): ConnectionSpec {
  const n = lab.nodes[i]!;
  return {
    host: n.name,
    connection: 'ssh',
    address: '127.0.0.1',
    port: n.sshPort,
    user: lab.user,
    privateKeyFile: lab.keyPath,
    sshArgs: `-o UserKnownHostsFile=${lab.knownHostsPath} -o StrictHostKeyChecking=yes`,
    ...extra,
  };
}
const channelOpens = () => trace.filter((l) => l.includes('SSH: channel open: exec')).length;

describe.skipIf(!isRoot)('the persistent node shell', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('nshell'), nodes: 2 });
  }, 60000);
  afterAll(async () => {
    await lab?.down();
  }, 60000);
  afterEach(() => {
    stopTrace?.();
    trace.length = 0;
  });
  const traced = () => {
    stopTrace = traceConnections((_a, m) => trace.push(m));
  };

  it('runs 30 tasks in one session channel; nothing a task sets reaches the next', async () => {
    traced();
    const pool = createConnectionPool();
    const c = await pool.get(spec(0));
    const home = (await c.exec('pwd')).stdout;
    const first = await c.exec('cd /; X=1; export Y=2; umask 077; set -e; trap "echo trapped" EXIT; f() { :; }; alias ll=ls; echo set', { env: { E: 'one' } });
    expect(first).toEqual({ rc: 0, stdout: 'set\ntrapped\n', stderr: '' });
    const after = await c.exec('pwd; echo "[$X][$Y][$E][$_pl_m][$_pl_s][$_pl_r]"; umask; command -v f || echo nof; false; echo "set -e off"');
    expect(after.stdout).toBe(`${home}[][][][][][]\n0022\nnof\nset -e off\n`);
    expect((await c.exec('echo "[$_pl_e]"')).stdout).toBe('[]\n');
    for (let i = 0; i < 27; i++) expect(await c.exec(`echo ${i}; echo e${i} >&2; exit ${i % 4}`)).toEqual({ rc: i % 4, stdout: `${i}\n`, stderr: `e${i}\n` });
    // Output without a final newline, and an empty one, keep their exact bytes.
    expect((await c.exec("printf 'no newline'")).stdout).toBe('no newline');
    expect(channelOpens()).toBe(1);
    // The shell's private files (sh's own messages, the tasks' stderr) go with it when the run closes the connection.
    const folders = async () => (await lab.exec('node1', 'ls -d /tmp/.philote-sh.* 2>/dev/null | wc -l')).stdout.trim();
    const before = await folders();
    await pool.closeAll();
    await new Promise((r) => setTimeout(r, 500));
    expect(Number(await folders())).toBe(Number(before) - 2);
  });

  it('stdin payloads through the frames: binary, 8 MB, unread or half read, and the env', async () => {
    traced();
    const pool = createConnectionPool();
    const c = await pool.get(spec(0));
    const bin = Buffer.from([0, 1, 2, 10, 13, 255, 0, 84, 10]);
    expect((await c.exec('od -An -tx1 | tr -s " \\n" " "', { stdin: bin })).stdout.trim()).toBe('00 01 02 0a 0d ff 00 54 0a');
    const big = randomBytes(8 * 1024 * 1024);
    const sum = createHash('sha256').update(big).digest('hex');
    expect((await c.exec('sha256sum | cut -d" " -f1', { stdin: big })).stdout.trim()).toBe(sum);
    // A task that reads none or part of its stdin: the rest is drained, the next frame is intact.
    expect((await c.exec('echo ignored', { stdin: 'T 5 0\necho hijacked\n'.repeat(1000) })).stdout).toBe('ignored\n');
    expect((await c.exec('head -c 3', { stdin: 'abcdefT 4 0\nexit' })).stdout).toBe('abc');
    expect(await c.exec('cat; echo "$A"', { stdin: 'payload\n', env: { A: "it's" } })).toEqual({ rc: 0, stdout: "payload\nit's\n", stderr: '' });
    expect(channelOpens()).toBe(1);
    await pool.closeAll();
  });

  it('sudo once per shell, with its password answered once; a wrong password fails as an exec does', async () => {
    traced();
    const pool = createConnectionPool();
    const pw = await pool.get(spec(1, { host: 'pw', user: lab.passwordUser, privateKeyFile: undefined, password: lab.password }));
    const become = { method: 'sudo' as const, user: 'root', password: lab.password };
    for (let i = 0; i < 10; i++) expect(await pw.exec('id -un; cat', { stdin: `x${i}`, become })).toMatchObject({ rc: 0, stdout: `root\nx${i}` });
    expect((await pw.exec('id -un')).stdout).toBe(`${lab.passwordUser}\n`);
    // One shell under sudo, one without.
    expect(channelOpens()).toBe(2);
    const wrong = await pw.exec('id', { become: { ...become, password: 'nope' } }).catch((e: Error) => e);
    expect((wrong as Error).message).toMatch(/Incorrect sudo password/);
    expect((await pw.exec('id -u', { become })).stdout).toBe('0\n');
    await pool.closeAll();
  });

  it('a killed shell, a task past its timeout and output out of step drop to a fresh shell', async () => {
    traced();
    const pool = createConnectionPool();
    const c = await pool.get(spec(0));
    // $$ in the task's subshell is the shell itself.
    const killed = await c.exec('echo before; kill -KILL $$');
    expect(killed.rc).toBe(-1);
    expect((await c.exec('echo fresh')).stdout).toBe('fresh\n');
    expect(channelOpens()).toBe(2);
    // The node's `timeout` ends the task and the shell lives on.
    const t0 = Date.now();
    expect(await c.exec('sleep 3181', { timeoutMs: 1000 })).toMatchObject({ rc: -1, timedOut: true });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(channelOpens()).toBe(2);
    // Without `timeout` on the PATH the controller's timer kills the shell: a fresh one follows.
    const t1 = Date.now();
    expect(await c.exec('exec /bin/sleep 3182', { timeoutMs: 1000, env: { PATH: '/nonexistent' } })).toMatchObject({ rc: -1, timedOut: true });
    expect(Date.now() - t1).toBeLessThan(5000);
    expect((await c.exec('echo after')).stdout).toBe('after\n');
    expect(channelOpens()).toBe(3);
    // A background process left holding the task's output: the result does not wait for it (an
    // exec's would); its late output, with no task running, puts the frames out of step: that
    // shell is dropped, and the next task gets a fresh one and its own output only.
    expect(await c.exec('(sleep 0.3; echo late) &')).toEqual({ rc: 0, stdout: '', stderr: '' });
    await new Promise((r) => setTimeout(r, 800));
    expect(await c.exec('echo clean')).toEqual({ rc: 0, stdout: 'clean\n', stderr: '' });
    expect(channelOpens()).toBe(4);
    await pool.closeAll();
  });

  it('a node whose sessions get no stdin refuses the shell: one exec per task, same results', async () => {
    const sshdConfig = join(lab.dir, 'nodes', 'node2', 'sshd_config');
    const config = readFileSync(sshdConfig, 'utf8');
    writeFileSync(sshdConfig, `${config}\nForceCommand /bin/sh -c 'exec /bin/sh -c "$SSH_ORIGINAL_COMMAND" </dev/null'\n`);
    await lab.stop('node2');
    await lab.start('node2');
    try {
      traced();
      const pool = createConnectionPool();
      const c = await pool.get(spec(1));
      expect(await c.exec('echo one; exit 2')).toEqual({ rc: 2, stdout: 'one\n', stderr: '' });
      expect(trace.some((l) => l.includes('node shell refused'))).toBe(true);
      expect((await c.exec('echo two')).stdout).toBe('two\n');
      // The probe ran once; then one channel per task.
      expect(channelOpens()).toBe(3);
      await pool.closeAll();
    } finally {
      writeFileSync(sshdConfig, config);
      await lab.stop('node2');
      await lab.start('node2');
    }
  });
});
