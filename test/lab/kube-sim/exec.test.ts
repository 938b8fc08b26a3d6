// pods/exec on the simulator in sim-only mode (the command is a child process of the simulator
// in a per-pod scratch dir): kubectl exec (v5.channel.k8s.io, exit codes, stdin), client-node's
// Exec (v4 or v5), each subprotocol spoken by hand with ws, the Status errors before the upgrade,
// and the child's process group killed when the socket closes.
import * as k8s from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { kubectl, startSim, waitFor } from './helpers.js';

type Sim = Awaited<ReturnType<typeof startSim>>;
let sim: Sim;
let kc: k8s.KubeConfig;
const log: string[] = [];

const pod = (name: string, containers: Array<{ name: string; env?: Array<{ name: string; value: string }> }>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ex' },
  spec: { containers: containers.map((c) => ({ image: 'busybox', ...c })), ...extra },
});

const podField = (s: Sim, ns: string, name: string, field: 'phase' | 'nodeName'): string | undefined => {
  const p = s.store.get('v1', 'Pod', ns, name) as { status?: { phase?: string }; spec?: { nodeName?: string } } | undefined;
  return field === 'phase' ? p?.status?.phase : p?.spec?.nodeName;
};

beforeAll(async () => {
  sim = await startSim({ seed: 'empty', log: (l) => log.push(l) });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(sim.kubeconfigPath);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'ex' } } });
  await core.createNamespacedPod({ namespace: 'ex', body: pod('box', [{ name: 'main', env: [{ name: 'GREETING', value: 'hi' }] }]) as k8s.V1Pod });
  await core.createNamespacedPod({ namespace: 'ex', body: pod('two', [{ name: 'a' }, { name: 'b' }]) as k8s.V1Pod });
  // Never scheduled: no node carries this label.
  await core.createNamespacedPod({ namespace: 'ex', body: pod('pending', [{ name: 'main' }], { nodeSelector: { nowhere: 'true' } }) as k8s.V1Pod });
  await waitFor('pods running', () => ['box', 'two'].every((n) => podField(sim, 'ex', n, 'phase') === 'Running'));
}, 30_000);
afterAll(() => sim?.close());

/** One exec by hand: the chosen subprotocol, the frames received per channel, the close code. */
async function rawExec(query: string, protocols: string[], opts: { headers?: Record<string, string>; send?: (ws: WebSocket) => void } = {}) {
  const url = `${sim.url.replace('http', 'ws')}/api/v1/namespaces/ex/pods/box/exec?${query}`;
  const ws = new WebSocket(url, protocols, { headers: { Authorization: `Bearer ${sim.token}`, ...(opts.headers ?? {}) } });
  const frames: Array<{ binary: boolean; data: Buffer }> = [];
  ws.on('message', (data: Buffer, binary) => frames.push({ binary, data }));
  await new Promise<void>((resolve, reject) => {
    ws.on('open', () => {
      opts.send?.(ws);
      resolve();
    });
    ws.on('error', reject);
  });
  const code = await new Promise<number>((r) => ws.on('close', (c) => r(c)));
  return { protocol: ws.protocol, frames, code };
}

const q = (command: string[], extra = 'stdout=true&stderr=true') => `${command.map((c) => `command=${encodeURIComponent(c)}`).join('&')}&${extra}`;

describe('pods/exec with kubectl', () => {
  it('runs argv in the pod stand-in: stdout, stderr, the exit code, over v5.channel.k8s.io', async () => {
    const r = await kubectl(sim, ['exec', '-n', 'ex', 'box', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\ncommand terminated with exit code 3\n');
    expect(log.some((l) => /\/api\/v1\/namespaces\/ex\/pods\/box\/exec\?.* 101 \(exec v5\.channel\.k8s\.io\)$/.test(l))).toBe(true);
  });

  it('runs in a per-pod scratch dir with a minimal env (PATH, HOSTNAME, HOME and the container env)', async () => {
    const r = await kubectl(sim, ['exec', '-n', 'ex', 'box', '--', 'sh', '-c', 'pwd; env | sort']);
    const dir = join(sim.dir, 'exec', 'ex', 'box');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(dir);
    const env = r.stdout.split('\n').slice(1).filter(Boolean).filter((l) => !/^(PWD|SHLVL|_)=/.test(l));
    expect(env).toEqual(['GREETING=hi', `HOME=${dir}`, 'HOSTNAME=box', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(existsSync(dir)).toBe(true);
  });

  it('no shell unless asked: shell syntax reaches the command as plain argv', async () => {
    const r = await kubectl(sim, ['exec', '-n', 'ex', 'box', '--', 'echo', '$HOME', '>', '/nowhere', ';', 'exit', '5']);
    expect(r).toMatchObject({ code: 0, stdout: '$HOME > /nowhere ; exit 5\n' });
  });

  it('-i forwards stdin until EOF (the v5 close frame)', async () => {
    const r = await kubectl(sim, ['exec', '-i', '-n', 'ex', 'box', '--', 'sh', '-c', 'tr a-z A-Z; echo done'], 'hello\nworld\n');
    expect(r).toMatchObject({ code: 0, stdout: 'HELLO\nWORLD\ndone\n' });
  });

  it('-c picks the container; without it a pod with two containers uses the first one (kubectl default)', async () => {
    expect(await kubectl(sim, ['exec', '-n', 'ex', 'two', '-c', 'b', '--', 'echo', 'in-b'])).toMatchObject({ code: 0, stdout: 'in-b\n' });
    const r = await kubectl(sim, ['exec', '-n', 'ex', 'two', '--', 'echo', 'x']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Defaulted container "a" out of: a, b/);
  });

  it('errors before the upgrade: missing pod, unknown container, pod not running, command not found', async () => {
    expect(await kubectl(sim, ['exec', '-n', 'ex', 'nope', '--', 'true'])).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): pods "nope" not found\n' });
    expect(await kubectl(sim, ['exec', '-n', 'ex', 'box', '-c', 'bad', '--', 'true'])).toMatchObject({ code: 1, stderr: 'Error from server (BadRequest): container bad is not valid for pod box\n' });
    expect(await kubectl(sim, ['exec', '-n', 'ex', 'pending', '--', 'true'])).toMatchObject({ code: 1, stderr: 'Error from server (BadRequest): pod pending does not have a host assigned\n' });
    expect(await kubectl(sim, ['exec', '-n', 'ex', 'box', '--', 'no-such-command-x'])).toMatchObject({
      code: 1,
      stderr: 'error: Internal error occurred: error executing command in container: failed to exec in container: exec: "no-such-command-x": executable file not found in $PATH\n',
    });
  });
});

describe('pods/exec with client-node', () => {
  it("Exec: stdout, stderr and the v4/v5 Status with the exit code; stdin through the stream", async () => {
    const exec = new k8s.Exec(kc);
    const run = async (command: string[], input?: string) => {
      let out = '';
      let err = '';
      const sink = (f: (s: string) => void) => new Writable({ write: (c: Buffer, _e, cb) => (f(c.toString()), cb()) });
      const stdin = input === undefined ? null : new PassThrough();
      const status = await new Promise<k8s.V1Status>((resolve, reject) => {
        exec
          .exec('ex', 'box', 'main', command, sink((s) => (out += s)), sink((s) => (err += s)), stdin, false, resolve)
          .then(() => stdin?.end(input))
          .catch(reject);
      });
      return { out, err, status };
    };
    const ok = await run(['sh', '-c', 'echo "$GREETING"; echo warn >&2']);
    expect(ok).toEqual({ out: 'hi\n', err: 'warn\n', status: { metadata: {}, status: 'Success' } });
    const failed = await run(['sh', '-c', 'exit 42']);
    expect(failed.status).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c exit 42], exit code 42',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '42' }] },
    });
    const piped = await run(['wc', '-c'], 'twelve bytes');
    expect(piped.out.trim()).toBe('12');
  });
});

describe('pods/exec subprotocols and errors, by hand', () => {
  const channels = (frames: Array<{ data: Buffer }>) => frames.map((f) => [f.data[0], f.data.subarray(1).toString()] as const);

  it('v4.channel.k8s.io: binary frames with the channel byte, Status JSON on channel 3, normal close', async () => {
    const r = await rawExec(q(['sh', '-c', 'echo a; echo b >&2; exit 7']), ['v4.channel.k8s.io']);
    expect(r.protocol).toBe('v4.channel.k8s.io');
    expect(r.code).toBe(1000);
    expect(r.frames.every((f) => f.binary)).toBe(true);
    const ch = channels(r.frames);
    expect(ch.filter(([c]) => c === 1).map(([, d]) => d).join('')).toBe('a\n');
    expect(ch.filter(([c]) => c === 2).map(([, d]) => d).join('')).toBe('b\n');
    const status = JSON.parse(ch.find(([c]) => c === 3)![1]);
    expect(status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '7' }] } });
    // The status is the last frame.
    expect(ch[ch.length - 1]![0]).toBe(3);
  });

  it('the client order decides among supported protocols; unknown ones are skipped', async () => {
    expect((await rawExec(q(['true']), ['v9.channel.k8s.io', 'v4.channel.k8s.io', 'v5.channel.k8s.io'])).protocol).toBe('v4.channel.k8s.io');
  });

  it('channel.k8s.io (v1): nothing on channel 3 on success, only the message on failure', async () => {
    const ok = await rawExec(q(['echo', 'v1']), ['channel.k8s.io']);
    expect(channels(ok.frames)).toEqual([[1, 'v1\n']]);
    const bad = await rawExec(q(['sh', '-c', 'exit 2']), ['channel.k8s.io']);
    expect(channels(bad.frames)).toEqual([[3, 'command terminated with non-zero exit code: error executing command [sh -c exit 2], exit code 2']]);
  });

  it('base64.channel.k8s.io: text frames, an ASCII channel digit and base64 data, both ways', async () => {
    const r = await rawExec(q(['cat'], 'stdin=true&stdout=true&stderr=true'), ['base64.channel.k8s.io'], {
      send: (ws) => {
        ws.send('0' + Buffer.from('over base64').toString('base64'));
        // v1-v4 have no close frame: the client ends stdin by closing, so close after the echo.
        ws.once('message', () => ws.close());
      },
    });
    expect(r.protocol).toBe('base64.channel.k8s.io');
    expect(r.frames[0]!.binary).toBe(false);
    const first = r.frames[0]!.data.toString();
    expect(first[0]).toBe('1');
    expect(Buffer.from(first.slice(1), 'base64').toString()).toBe('over base64');
  });

  it('tty=true merges stderr into stdout (no terminal here)', async () => {
    const r = await rawExec(q(['sh', '-c', 'echo o; echo e >&2'], 'stdout=true&tty=true'), ['v4.channel.k8s.io']);
    expect(channels(r.frames).filter(([c]) => c !== 3)).toEqual(expect.arrayContaining([[1, 'o\n'], [1, 'e\n']]));
    expect(channels(r.frames).some(([c]) => c === 2)).toBe(false);
  });

  it('closing the socket kills the command and its children', async () => {
    const url = `${sim.url.replace('http', 'ws')}/api/v1/namespaces/ex/pods/box/exec?${q(['sh', '-c', 'sleep 60 & echo $$ $!; wait'])}`;
    const ws = new WebSocket(url, ['v4.channel.k8s.io'], { headers: { Authorization: `Bearer ${sim.token}` } });
    const pids = await new Promise<number[]>((resolve) => ws.on('message', (d: Buffer) => d[0] === 1 && resolve(d.subarray(1).toString().trim().split(' ').map(Number))));
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(pids.length).toBe(2);
    expect(pids.every(alive)).toBe(true);
    ws.close();
    await waitFor('exec processes gone', () => pids.every((p) => !alive(p)), 5000);
  });

  it('Status errors before the upgrade: 404, 400s, 401, and 400 "Upgrade request required" without an upgrade', async () => {
    const refused = async (path: string, headers: Record<string, string> = { Authorization: `Bearer ${sim.token}` }) =>
      new Promise<{ code: number; body: Record<string, unknown> }>((resolve, reject) => {
        const ws = new WebSocket(`${sim.url.replace('http', 'ws')}${path}`, ['v4.channel.k8s.io'], { headers });
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c));
          res.on('end', () => resolve({ code: res.statusCode!, body: JSON.parse(body) }));
        });
        ws.on('open', () => reject(new Error('upgraded')));
        ws.on('error', () => undefined);
      });
    const base = '/api/v1/namespaces/ex/pods';
    expect(await refused(`${base}/nope/exec?${q(['true'])}`)).toEqual({
      code: 404,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "nope" not found', reason: 'NotFound', details: { name: 'nope', group: '', kind: 'pods' }, code: 404 },
    });
    expect(await refused(`${base}/box/exec?${q(['true'])}&container=bad`)).toMatchObject({ code: 400, body: { reason: 'BadRequest', message: 'container bad is not valid for pod box' } });
    expect(await refused(`${base}/two/exec?${q(['true'])}`)).toMatchObject({ code: 400, body: { message: 'a container name must be specified for pod two, choose one of: [a b]' } });
    expect(await refused(`${base}/box/exec?stdout=true`)).toMatchObject({ code: 400, body: { message: 'you must specify at least 1 command' } });
    expect(await refused(`${base}/box/exec?command=true`)).toMatchObject({ code: 400, body: { message: 'you must specify at least 1 of stdin, stdout, stderr' } });
    expect(await refused(`${base}/pending/exec?${q(['true'])}`)).toMatchObject({ code: 400, body: { message: 'pod pending does not have a host assigned' } });
    expect(await refused(`${base}/box/exec?${q(['true'])}`, { Authorization: 'Bearer wrong' })).toMatchObject({ code: 401, body: { reason: 'Unauthorized' } });
    const plain = await fetch(`${sim.url}${base}/box/exec?${q(['true'])}`, { headers: { Authorization: `Bearer ${sim.token}` } });
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as { message: string }).message).toBe('Upgrade request required');
  });

  it('a pod that is scheduled but not Running yet is refused like a container kubelet has not started', async () => {
    const slow = await startSim({ seed: 'empty', podStartDelayMs: 600_000 });
    try {
      expect(await kubectl(slow, ['run', 'fresh', '--image=busybox', '--restart=Never'])).toMatchObject({ code: 0 });
      await waitFor('bound', () => podField(slow, 'default', 'fresh', 'nodeName'));
      expect(podField(slow, 'default', 'fresh', 'phase')).toBe('Pending');
      const r = await kubectl(slow, ['exec', 'fresh', '--', 'true']);
      expect(r).toMatchObject({ code: 1, stderr: 'Error from server (BadRequest): unable to upgrade connection: container not found ("fresh")\n' });
    } finally {
      await slow.close();
    }
  });

  it.skipIf(process.getuid?.() !== 0)('without a bearer token, exec is refused (403) to a client of another user', async () => {
    const { execFile } = await import('node:child_process');
    const upgrade = (asNobody: boolean) =>
      new Promise<string>((resolve) => {
        const curl = ['curl', '-s', '-i', '--max-time', '1', '--http1.1', '-H', 'Connection: Upgrade', '-H', 'Upgrade: websocket', '-H', 'Sec-WebSocket-Version: 13',
          '-H', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', '-H', 'Sec-WebSocket-Protocol: v4.channel.k8s.io', `${sim.url}/api/v1/namespaces/ex/pods/box/exec?${q(['true'])}`];
        const argv = asNobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', ...curl] : curl;
        execFile(argv[0]!, argv.slice(1), (_e, stdout) => resolve(String(stdout)));
      });
    const other = await upgrade(true);
    expect(other.split('\r\n')[0]).toBe('HTTP/1.1 403 Forbidden');
    expect(other).toContain('a request without a bearer token may exec only from the user that runs the simulator');
    expect((await upgrade(false)).split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
  });

  it('discovery lists pods/exec', async () => {
    const r = await kubectl(sim, ['get', '--raw', '/api/v1']);
    const res = (JSON.parse(r.stdout) as { resources: Array<{ name: string; kind: string; verbs: string[] }> }).resources.find((x) => x.name === 'pods/exec');
    expect(res).toEqual(expect.objectContaining({ kind: 'PodExecOptions', verbs: ['create', 'get'] }));
  });
});
