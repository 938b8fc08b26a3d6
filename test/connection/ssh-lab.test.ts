/**
 * The ssh transport against real sshd in lab namespaces (root only; skipped otherwise).
 * One 8-node lab for the whole file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, type Lab } from '../../src/lab/netns/lab.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { createConnectionPool } from '../../src/connection/pool.js';
import { setNodeShell } from '../../src/connection/node-shell-setting.js';
import type { ConnectionSpec } from '../../src/connection/types.js';
import { PhiloteError, UnreachableError } from '../../src/errors.js';

const isRoot = process.platform === 'linux' && process.getuid?.() === 0;
let lab: Lab;
/** Node-side /tmp is the machine's /tmp: file names unique to this run. */
const RUN = `phl-conn-${process.pid}`;
let work: string;

function spec(lab: Lab, i: number, extra: Partial<ConnectionSpec> = {}): ConnectionSpec {
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

describe.skipIf(!isRoot)('ssh connection against the lab', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('conn'), nodes: 8 });
    work = mkdtempSync(join(tmpdir(), 'phl-conn-'));
  }, 60000);
  afterAll(async () => {
    await lab?.down();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60000);

  it('logs in with a key and runs commands with stdin, env and rc', async () => {
    const pool = createConnectionPool();
    const c = await pool.get(spec(lab, 0));
    expect(await c.exec('hostname; cat; echo "$A"; exit 3', { stdin: 'payload\n', env: { A: "it's" } })).toEqual({ rc: 3, stdout: "node1\npayload\nit's\n", stderr: '' });
    expect((await c.exec('echo err >&2')).stderr).toBe('err\n');
    await pool.closeAll();
  });

  it('keeps the exit status of commands that end at once, on 8 nodes in step', async () => {
    // The reply to exec, the output, exit-status and close of a command that exits at once can
    // arrive in one packet; the status used to be lost then (rc -1 on a few percent of tasks).
    const pool = createConnectionPool();
    const conns = await Promise.all(lab.nodes.map((_n, i) => pool.get(spec(lab, i))));
    const rcs: number[] = [];
    for (let round = 0; round < 25; round++) {
      const rs = await Promise.all(conns.map((c, i) => c.exec(`exec sh -c 'exit ${(round + i) % 4}' </dev/null`)));
      rs.forEach((r, i) => rcs.push(r.rc - ((round + i) % 4)));
    }
    expect(rcs).toHaveLength(200);
    expect(rcs.filter((d) => d !== 0)).toEqual([]);
    await pool.closeAll();
  });
  it('reports a command killed by a signal with the signal, through the node shell and one exec per task; exit 143 stays 143', async () => {
    for (const shell of [true, false]) {
      setNodeShell(shell);
      try {
        const pool = createConnectionPool();
        const c = await pool.get(spec(lab, 0));
        expect(await c.exec('exec sh -c \'kill -TERM $$\'')).toEqual({ rc: -1, stdout: '', stderr: '', signal: 'SIGTERM' });
        expect(await c.exec('echo out; exit 143')).toEqual({ rc: 143, stdout: 'out\n', stderr: '' });
        await pool.closeAll();
      } finally {
        setNodeShell(true);
      }
    }
  });
  it('logs in with a password', async () => {
    const pool = createConnectionPool();
    const c = await pool.get(spec(lab, 1, { user: lab.passwordUser, privateKeyFile: undefined, password: lab.password, sshArgs: `${spec(lab, 1).sshArgs} -o IdentityFile=/nonexistent` }));
    expect((await c.exec('id -un')).stdout).toBe(`${lab.passwordUser}\n`);
    await pool.closeAll();
    const bad = createConnectionPool();
    await expect(bad.get(spec(lab, 1, { user: lab.passwordUser, privateKeyFile: '/nonexistent', password: 'wrong' }))).rejects.toThrow(/Failed to connect to the host via ssh: phlpw@127\.0\.0\.1: Permission denied \(publickey,password\)\./);
  });

  it('logs in through ssh-agent (SSH_AUTH_SOCK)', async () => {
    const sock = join(work, 'agent.sock');
    const out = execFileSync('ssh-agent', ['-a', sock, '-s'], { encoding: 'utf8' });
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)![1]);
    const saved = process.env.SSH_AUTH_SOCK;
    try {
      execFileSync('ssh-add', [lab.keyPath], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      process.env.SSH_AUTH_SOCK = sock;
      const pool = createConnectionPool();
      // No key file given and none at the default paths for this user: only the agent can log in.
      const c = await pool.get(spec(lab, 2, { privateKeyFile: undefined, sshArgs: `${spec(lab, 2).sshArgs} -o IdentityFile=${join(work, 'none')}` }));
      expect((await c.exec('hostname')).stdout).toBe('node3\n');
      await pool.closeAll();
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      process.kill(pid);
    }
  });

  it('unlocks an encrypted key from PHILOTE_SSH_KEY_PASSPHRASE, and says what to do without it', async () => {
    const key = join(work, 'enc_key');
    copyFileSync(lab.keyPath, key);
    execFileSync('ssh-keygen', ['-q', '-p', '-P', '', '-N', 'sekrit', '-f', key]);
    const s = spec(lab, 3, { privateKeyFile: key });
    const saved = process.env.PHILOTE_SSH_KEY_PASSPHRASE;
    const savedAgent = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      delete process.env.PHILOTE_SSH_KEY_PASSPHRASE;
      await expect(createConnectionPool().get(s)).rejects.toThrow(/encrypted.*PHILOTE_SSH_KEY_PASSPHRASE/);
      process.env.PHILOTE_SSH_KEY_PASSPHRASE = 'sekrit';
      const pool = createConnectionPool();
      expect((await (await pool.get(s)).exec('hostname')).stdout).toBe('node4\n');
      await pool.closeAll();
    } finally {
      if (saved === undefined) delete process.env.PHILOTE_SSH_KEY_PASSPHRASE;
      else process.env.PHILOTE_SSH_KEY_PASSPHRASE = saved;
      if (savedAgent !== undefined) process.env.SSH_AUTH_SOCK = savedAgent;
    }
  });

  it('reaches a node only on the lab network through a ProxyJump bastion', async () => {
    const pool = createConnectionPool();
    const bastion = lab.nodes[0]!;
    const target = lab.nodes[4]!;
    const c = await pool.get(spec(lab, 4, { address: target.address, port: 22, sshArgs: `-o ProxyJump=${lab.user}@127.0.0.1:${bastion.sshPort} -o UserKnownHostsFile=${lab.knownHostsPath}` }));
    expect((await c.exec('hostname; ip -4 -o addr show eth0')).stdout).toMatch(new RegExp(`^node5\\n.*${target.address.replace(/\./g, '\\.')}`));
    await pool.closeAll();
  });

  it('refuses an unknown host key and a changed one, naming the fingerprint and the file', async () => {
    const empty = join(work, 'kh_empty');
    writeFileSync(empty, '');
    const err = await createConnectionPool().get(spec(lab, 0, { sshArgs: `-o UserKnownHostsFile=${empty}` })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect((err as PhiloteError).kind).toBe('hostkey');
    expect((err as Error).message).toMatch(new RegExp(`not known: it offered SHA256:\\S+.*${empty}`));

    // node1's port listed with node2's key: a "changed" key.
    const node2Key = readFileSync(join(lab.dir, 'nodes', 'node2', 'ssh_host_ed25519_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
    const wrong = join(work, 'kh_wrong');
    writeFileSync(wrong, `[127.0.0.1]:${lab.nodes[0]!.sshPort} ${node2Key}\n`);
    const err2 = await createConnectionPool().get(spec(lab, 0, { sshArgs: `-o UserKnownHostsFile=${wrong}` })).catch((e: unknown) => e);
    expect((err2 as PhiloteError).kind).toBe('hostkey');
    expect((err2 as Error).message).toMatch(new RegExp(`CHANGED.*SHA256:\\S+.*${wrong}:1`));

    // accept-new records the key (hashed) and the next strict connection accepts it.
    const fresh = join(work, 'kh_new');
    const p1 = createConnectionPool();
    await p1.get(spec(lab, 0, { sshArgs: `-o UserKnownHostsFile=${fresh} -o StrictHostKeyChecking=accept-new` }));
    await p1.closeAll();
    expect(readFileSync(fresh, 'utf8')).toMatch(/^\|1\|/);
    const p2 = createConnectionPool();
    await p2.get(spec(lab, 0, { sshArgs: `-o UserKnownHostsFile=${fresh}` }));
    await p2.closeAll();
    // host_key_checking = False accepts anything.
    const p3 = createConnectionPool();
    await p3.get(spec(lab, 0, { hostKeyChecking: false, sshArgs: `-o UserKnownHostsFile=${wrong}` }));
    await p3.closeAll();
  });

  it('escalates with sudo without and with a password; a wrong password fails fast', async () => {
    const pool = createConnectionPool();
    const c = await pool.get(spec(lab, 5));
    expect(await c.exec('id -u; cat', { stdin: 'data', become: { method: 'sudo', user: 'root' } })).toMatchObject({ rc: 0, stdout: '0\ndata' });
    const pw = await pool.get(spec(lab, 5, { host: 'pw', user: lab.passwordUser, privateKeyFile: undefined, password: lab.password }));
    const ok = await pw.exec('id -un; cat', { stdin: 'more', become: { method: 'sudo', user: 'root', password: lab.password } });
    expect(ok).toMatchObject({ rc: 0, stdout: 'root\nmore' });
    expect(ok.stderr).not.toContain('password');
    const missing = await pw.exec('id', { become: { method: 'sudo', user: 'root' } }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PhiloteError);
    expect((missing as PhiloteError).kind).toBe('become');
    expect((missing as Error).message).toMatch(/Missing sudo password/);
    const t0 = Date.now();
    const wrong = await pw.exec('id', { stdin: 'x', become: { method: 'sudo', user: 'root', password: 'nope' } }).catch((e: unknown) => e);
    expect((wrong as PhiloteError).kind).toBe('become');
    expect((wrong as Error).message).toMatch(/Incorrect sudo password/);
    // sudo's own failure delay is 2 s; anything near a task timeout would be a hang.
    expect(Date.now() - t0).toBeLessThan(8000);
    // The connection stays usable after an escalation failure.
    expect((await pw.exec('echo still')).stdout).toBe('still\n');
    await pool.closeAll();
  });

  it('uses exactly one server-side connection per host for 20 tasks on 8 nodes', async () => {
    const before = lab.nodes.map((n) => lab.connectionCount(n.name));
    const pool = createConnectionPool();
    await Promise.all(
      lab.nodes.map(async (_n, i) => {
        for (let t = 0; t < 20; t++) {
          const c = await pool.get(spec(lab, i));
          const r = await c.exec(`echo ${t}`);
          expect(r.stdout).toBe(`${t}\n`);
        }
      }),
    );
    await pool.closeAll();
    const after = lab.nodes.map((n) => lab.connectionCount(n.name));
    expect(after.map((a, i) => a - before[i]!)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('kills the remote command when a task times out', async () => {
    const pool = createConnectionPool();
    const c = await pool.get(spec(lab, 6));
    const t0 = Date.now();
    const r = await c.exec('echo start; sleep 3173; echo never', { timeoutMs: 1000 });
    expect(r).toMatchObject({ rc: -1, timedOut: true });
    expect(Date.now() - t0).toBeLessThan(3000);
    await new Promise((res) => setTimeout(res, 500));
    expect((await c.exec("ps -eo args | grep -c '^sleep 3173' || true")).stdout.trim()).toBe('0');
    // Also under become (the command then runs as root).
    const r2 = await c.exec('sleep 3174', { timeoutMs: 1000, become: { method: 'sudo', user: 'root' } });
    expect(r2.timedOut).toBe(true);
    await new Promise((res) => setTimeout(res, 500));
    expect((await c.exec("ps -eo args | grep -c '^sleep 3174' || true")).stdout.trim()).toBe('0');
    await pool.closeAll();
  });

  it('puts and gets a 50 MB file over SFTP with constant memory', async () => {
    const src = join(work, 'big.bin');
    const ws = createWriteStream(src);
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 50; i++) {
      chunk.fill(i);
      ws.write(Buffer.from(chunk));
    }
    await new Promise<void>((r) => ws.end(() => r()));
    // Hash with the tool, not in-process: 50 MB of garbage here would blur the RSS measurement.
    const sha = execFileSync('sha256sum', [src], { encoding: 'utf8' }).split(' ')[0];
    const pool = createConnectionPool();
    const c = await pool.get(spec(lab, 7));
    // Warm up the transfer path first: the first MBs through ssh2 grow RSS once (buffer pools),
    // after which a 200 MB copy costs no more than a 50 MB one. What we bound is the growth after that.
    await c.put(Buffer.alloc(16 * 1024 * 1024, 1), `/tmp/${RUN}-warm.bin`);
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    await c.put(src, `/tmp/${RUN}-big.bin`, { mode: 0o600 });
    clearInterval(sampler);
    const growthMb = (peak - base) / 1024 / 1024;
    expect((await c.exec(`sha256sum /tmp/${RUN}-big.bin; stat -c %a /tmp/${RUN}-big.bin`)).stdout).toBe(`${sha}  /tmp/${RUN}-big.bin\n600\n`);
    // Buffering the file whole would grow RSS by 50 MB or more; streaming stays well under it
    // (seen: 8-28 MB, the upper end with the whole suite running on 2 cores).
    expect(growthMb).toBeLessThan(40);
    const back = join(work, 'back.bin');
    await c.get(`/tmp/${RUN}-big.bin`, back);
    expect(execFileSync('sha256sum', [back], { encoding: 'utf8' }).split(' ')[0]).toBe(sha);
    await c.put(Buffer.from('as root\n'), '/root/phl-conntest', { become: { method: 'sudo', user: 'root' }, mode: 0o640 });
    expect((await c.exec('cat /root/phl-conntest; stat -c %a:%U /root/phl-conntest', { become: { method: 'sudo', user: 'root' } })).stdout).toBe('as root\n640:root\n');
    await c.exec(`rm -f /tmp/${RUN}-big.bin /tmp/${RUN}-warm.bin`);
    await pool.closeAll();
  }, 60000);

  it('reports a node stopped mid-run as unreachable while the others go on, and reconnects after a reboot', async () => {
    const pool = createConnectionPool();
    const results = await Promise.allSettled(
      [0, 1, 2, 3].map(async (i) => {
        const c = await pool.get(spec(lab, i));
        for (let t = 0; t < 10; t++) {
          if (i === 2 && t === 3) await lab.stop('node3');
          await c.exec('true');
        }
        return i;
      }),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const reason = (results[2] as PromiseRejectedResult).reason as PhiloteError;
    expect(reason).toBeInstanceOf(UnreachableError);
    expect(reason.kind).toBe('connection');
    await lab.start('node3');

    // Reboot from inside the node, the way the reboot module's reboot_command does it.
    const c = await pool.get(spec(lab, 0));
    const boot1 = (await c.exec('cat /var/lib/lab/boot_id')).stdout;
    await c.exec('/var/lib/lab/reboot', { become: { method: 'sudo', user: 'root' } });
    const t0 = Date.now();
    let boot2 = boot1;
    let sawDown = false;
    while (Date.now() - t0 < 20000) {
      try {
        boot2 = (await c.exec('cat /var/lib/lab/boot_id')).stdout;
        if (boot2 !== boot1) break;
      } catch (e) {
        expect(e).toBeInstanceOf(UnreachableError);
        sawDown = true;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(sawDown).toBe(true);
    expect(boot2).not.toBe(boot1);
    await pool.closeAll();
  }, 60000);
});

