// k8s_exec against the simulator (sim-only mode: the command runs as a child of the simulator in
// the pod's scratch dir), then the same tasks through ansible-core's kubernetes.core.k8s_exec
// (Python kubernetes client, v4.channel.k8s.io) against a second simulator, compared outcome by
// outcome. The ansible half is skipped without ansible-playbook or python3-kubernetes.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ModuleResult } from '../../../src/modules/types.js';
import { call } from './ctx.js';
import { simAvailable, startSim, type Sim } from './sim.js';
import { tempDir } from '../../helpers/temp-dir.js';

const ANSIBLE = '/usr/bin/ansible-playbook';
const haveAnsible = existsSync(ANSIBLE) && existsSync('/usr/lib/python3/dist-packages/kubernetes');

type SimDir = Sim & { dir: string };

/** A simulator with namespace ex, pod box (one container, env GREETING) and pod two (a, b), Running. */
async function simWithPods(): Promise<SimDir> {
  const dir = tempDir('philote-k8s-exec-');
  const sim = (await startSim({ dir, seed: 'empty', podStartDelayMs: 50, tickMs: 50 })) as Sim;
  const k = { kubeconfig: sim.kubeconfigPath };
  await call('k8s', { ...k, kind: 'Namespace', name: 'ex' });
  const pod = (name: string, containers: string[]) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ex' },
    spec: { containers: containers.map((c) => ({ name: c, image: 'busybox', env: [{ name: 'GREETING', value: `hello from ${c}` }] })) },
  });
  for (const [name, cs] of [['box', ['main']], ['two', ['a', 'b']]] as const) {
    const r = await call('k8s', { ...k, definition: pod(name, [...cs]), wait: true, wait_timeout: 20, wait_sleep: 1 });
    expect(r.failed).toBeFalsy();
  }
  return Object.assign(sim, { dir });
}

const execArgs = (sim: Sim, args: Record<string, unknown>) => ({ kubeconfig: sim.kubeconfigPath, namespace: 'ex', ...args });

async function ours(sim: Sim, args: Record<string, unknown>, check = false): Promise<ModuleResult> {
  try {
    return await call('kubernetes.core.k8s_exec', execArgs(sim, args), { check });
  } catch (e) {
    return { failed: true, msg: (e as Error).message };
  }
}

describe.skipIf(!simAvailable)('k8s_exec against the simulator', () => {
  let sim: SimDir;
  beforeAll(async () => {
    sim = await simWithPods();
  }, 60_000);
  afterAll(() => sim?.close());

  it('returns stdout, stderr, their lines, rc and return_code; a non-zero rc fails the task (as ansible-core marks it)', async () => {
    const r = await ours(sim, { pod: 'box', command: `sh -c 'echo out; echo two; echo err >&2; exit 3'` });
    expect(r).toMatchObject({ changed: true, failed: true, stdout: 'out\ntwo\n', stderr: 'err\n', rc: 3, return_code: 3, stdout_lines: ['out', 'two'], stderr_lines: ['err'] });
    expect(r.msg).toBeUndefined();
    expect((r['deprecations'] as Array<{ msg: string; version: string }>)[0]).toMatchObject({ version: '4.0.0', msg: expect.stringMatching(/^The 'return_code' return key is being renamed to 'rc'\./) });
  });

  it('splits the command with shlex rules and runs it without a shell', async () => {
    const r = await ours(sim, { pod: 'box', command: `printf '%s|' "a  b" c\\ d '$HOME' ;` });
    expect(r).toMatchObject({ changed: true, failed: false, rc: 0, stdout: 'a  b|c d|$HOME|;|', stdout_lines: ['a  b|c d|$HOME|;|'], stderr: '', stderr_lines: [] });
  });

  it('container picks the container; without it the first one is used', async () => {
    expect(await ours(sim, { pod: 'two', container: 'b', command: 'sh -c "echo $GREETING"' })).toMatchObject({ rc: 0, stdout: 'hello from b\n' });
    expect(await ours(sim, { pod: 'two', command: 'sh -c "echo $GREETING"' })).toMatchObject({ rc: 0, stdout: 'hello from a\n' });
  });

  it('fails naming the pod for a missing pod, an unknown container or a command that does not exist', async () => {
    expect(await ours(sim, { pod: 'nope', command: 'true' })).toEqual({ failed: true, msg: 'Failed to execute on pod nope due to : Handshake status 404 Not Found: pods "nope" not found' });
    expect(await ours(sim, { pod: 'box', container: 'bad', command: 'true' })).toEqual({
      failed: true,
      msg: 'Failed to execute on pod box due to : Handshake status 400 Bad Request: container bad is not valid for pod box',
    });
    expect(await ours(sim, { pod: 'box', command: 'no-such-command-x' })).toEqual({
      failed: true,
      msg: 'Failed to execute on pod box due to : Internal error occurred: error executing command in container: failed to exec in container: exec: "no-such-command-x": executable file not found in $PATH',
    });
  });

  it('argument checks: namespace, pod and command are required; an unclosed quote fails', async () => {
    const missing = await call('k8s_exec', { kubeconfig: sim.kubeconfigPath, pod: 'box', command: 'true' });
    expect(missing).toMatchObject({ failed: true, invalid: true, msg: expect.stringContaining('namespace') });
    expect((await call('k8s_exec', { kubeconfig: sim.kubeconfigPath, namespace: 'ex', command: 'true' })).msg).toContain('pod');
    expect((await call('k8s_exec', { kubeconfig: sim.kubeconfigPath, namespace: 'ex', pod: 'box' })).msg).toContain('command');
    expect(await ours(sim, { pod: 'box', command: `echo 'open` })).toEqual({ failed: true, msg: 'Failed to execute on pod box due to : No closing quotation' });
  });

  it('check mode does not run the command (kubernetes.core does: a deliberate divergence)', async () => {
    const r = await ours(sim, { pod: 'box', command: 'sh -c "echo ran > check-mode-marker"' }, true);
    expect(r).toMatchObject({ changed: false, skipped: true });
    expect(r.msg).toContain('would have run the command if not in check mode');
    expect(existsSync(join(sim.dir, 'exec', 'ex', 'box', 'check-mode-marker'))).toBe(false);
  });
});

interface Case {
  args: Record<string, unknown>;
  check?: boolean;
}

const CASES: Case[] = [
  { args: { pod: 'box', command: `sh -c 'echo out; echo two; echo err >&2; exit 3'` } },
  { args: { pod: 'box', command: `printf '%s|' "a  b" c\\ d '$HOME' ;` } },
  { args: { pod: 'box', command: 'sh -c "echo $GREETING; pwd"' } },
  { args: { pod: 'two', container: 'b', command: 'sh -c "echo $GREETING"' } },
  { args: { pod: 'two', command: 'sh -c "echo $GREETING"' } },
  { args: { pod: 'box', command: 'sh -c "exit 0"' } },
  { args: { pod: 'nope', command: 'true' } },
  { args: { pod: 'box', container: 'bad', command: 'true' } },
  { args: { pod: 'box', command: 'sh -c "echo ran > check-mode-marker"' }, check: true },
  { args: { pod: 'box', command: `echo 'open` } },
];

function runAnsible(sim: SimDir, cases: Case[]): Promise<ModuleResult[]> {
  const dir = tempDir('philote-k8s-exec-ansible-');
  const out = join(dir, 'out.json');
  const play = [
    {
      hosts: 'localhost',
      gather_facts: false,
      tasks: [
        ...cases.map((c, i) => ({ name: `t${i}`, 'kubernetes.core.k8s_exec': { namespace: 'ex', ...c.args }, register: `r${i}`, ignore_errors: true, ...(c.check ? { check_mode: true } : {}) })),
        { name: 'dump', 'ansible.builtin.copy': { content: `{{ [${cases.map((_, i) => `r${i}`).join(', ')}] | to_json }}`, dest: out } },
      ],
    },
  ];
  writeFileSync(join(dir, 'play.yml'), stringify(play));
  const env: Record<string, string> = {
    PATH: '/usr/bin:/bin',
    HOME: dir,
    K8S_AUTH_KUBECONFIG: sim.kubeconfigPath,
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    ANSIBLE_LOCALHOST_WARNING: 'false',
    ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false',
    ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
    ANSIBLE_REMOTE_TEMP: join(dir, 'tmp'),
    ANSIBLE_NOCOLOR: '1',
  };
  return new Promise((resolve, reject) => {
    execFile(ANSIBLE, ['-i', 'localhost,', '-c', 'local', join(dir, 'play.yml')], { env, cwd: dir, timeout: 150_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (!existsSync(out)) return reject(new Error(`ansible-playbook produced no results (${err?.message})\n${stdout}\n${stderr}`));
      resolve(JSON.parse(readFileSync(out, 'utf8')) as ModuleResult[]);
    });
  });
}

/** What must agree; pwd differs by the simulator's dir, so it is reported relative to it. */
function outcome(r: ModuleResult, sim: SimDir): Record<string, unknown> {
  const rel = (s: unknown) => String(s ?? '').split(sim.dir).join('<sim>');
  // A refused handshake: websocket-client drops the body, philote keeps the Status message.
  if (r.failed && /Handshake status/.test(String(r.msg))) return { failed: true, changed: Boolean(r.changed), msgStart: String(r.msg).slice(0, String(r.msg).indexOf(' due to : ') + 10) };
  if (r.failed && r.rc === undefined) return { failed: true, changed: Boolean(r.changed), msg: r.msg };
  return { failed: Boolean(r.failed), changed: r.changed, rc: r.rc, return_code: r['return_code'], stdout: rel(r.stdout), stderr: rel(r.stderr), stdout_lines: (r.stdout_lines ?? []).map(rel), stderr_lines: r.stderr_lines };
}

describe.skipIf(!simAvailable || !haveAnsible)('differential: kubernetes.core.k8s_exec (ansible-core) vs philote on the simulator', () => {
  it('gives the same results case by case', async () => {
    const simA = await simWithPods();
    const simB = await simWithPods();
    try {
      const theirs = await runAnsible(simA, CASES);
      const mine: ModuleResult[] = [];
      for (const c of CASES) mine.push(await ours(simB, c.args, c.check ?? false));
      if (process.env['PHILOTE_DIFF_DUMP']) console.log(JSON.stringify({ theirs, mine }, null, 1));
      CASES.forEach((c, i) => {
        if (c.check) return; // check mode differs on purpose, asserted below
        expect({ case: i, args: c.args, outcome: outcome(mine[i]!, simB) }).toEqual({ case: i, args: c.args, outcome: outcome(theirs[i]!, simA) });
      });
      // The real values, not only agreement.
      expect(outcome(theirs[0]!, simA)).toEqual({ failed: true, changed: true, rc: 3, return_code: 3, stdout: 'out\ntwo\n', stderr: 'err\n', stdout_lines: ['out', 'two'], stderr_lines: ['err'] });
      expect(theirs[2]!.stdout).toBe(`hello from main\n${join(simA.dir, 'exec', 'ex', 'box')}\n`);
      expect(outcome(theirs[6]!, simA)).toEqual({ failed: true, changed: false, msgStart: 'Failed to execute on pod nope due to : ' });
      // websocket-client drops the refused handshake's body; philote keeps the Status message.
      expect(theirs[6]!.msg).toBe('Failed to execute on pod nope due to : (0)\nReason: Handshake status 404 Not Found\n');
      expect(mine[6]!.msg).toBe('Failed to execute on pod nope due to : Handshake status 404 Not Found: pods "nope" not found');
      expect(theirs[7]!.msg).toBe('Failed to execute on pod box due to : (0)\nReason: Handshake status 400 Bad Request\n');
      expect(outcome(theirs[9]!, simA)).toEqual({ failed: true, changed: false, msg: 'Failed to execute on pod box due to : No closing quotation' });
      // check mode: kubernetes.core ran the command, philote skipped it (deliberate divergence)
      expect(readFileSync(join(simA.dir, 'exec', 'ex', 'box', 'check-mode-marker'), 'utf8')).toBe('ran\n');
      expect(existsSync(join(simB.dir, 'exec', 'ex', 'box', 'check-mode-marker'))).toBe(false);
      expect(mine[8]).toMatchObject({ skipped: true, changed: false });
    } finally {
      await simA.close();
      await simB.close();
    }
  }, 180_000);
});
