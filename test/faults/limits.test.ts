/**
 * Limits that keep a run finite, as ansible-playbook has them or better:
 * - a task file that includes itself stops at ansible-core 2.14's depth (measured: 246 levels run,
 *   the 247th include fails) with its words, no recap, exit 1;
 * - a partitioned Kubernetes API (iptables inside a lab node's namespace drops the packets of the
 *   API simulator running there, philote running there too) fails each request after the
 *   per-request deadline instead of the kernel's ~130 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/lab/index.js';
import { uniqueLabName } from '../helpers/lab-name.js';
import { recapLine, startPhilote } from './run.js';

const isRoot = process.platform === 'linux' && process.getuid?.() === 0;
const ROOT = join(import.meta.dirname, '..', '..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'phl-fltlim-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('include recursion', () => {
  it('stops at the 247th nested include with ansible-core 2.14 words and the chain, exit 1, no recap', async () => {
    writeFileSync(join(dir, 'self.yml'), '- debug: msg=hi\n- include_tasks: self.yml\n');
    writeFileSync(join(dir, 'inc.yml'), '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - include_tasks: self.yml\n');
    writeFileSync(join(dir, 'local.ini'), 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
    const r = await startPhilote(['playbook', '-i', 'local.ini', 'inc.yml'], { cwd: dir }).done;
    expect(r.code).toBe(1);
    // The same counts as ansible-playbook 2.14 on this file (246 debug tasks, 247 "included:").
    expect(r.out.match(/^TASK \[debug\]/gm)).toHaveLength(246);
    expect(r.out.match(/^included: /gm)).toHaveLength(247);
    expect(r.out).not.toContain('PLAY RECAP');
    expect(r.err).toContain('ERROR! Exceeded maximum object depth. This may have been caused by excessive role recursion. maximum recursion depth exceeded');
    expect(r.err).toContain(`(includes nested 247 deep, the limit is 246: ${join(dir, 'self.yml')} (x247))`);
  }, 60_000);
});

describe.skipIf(!isRoot)('a partitioned Kubernetes API', () => {
  let lab: Lab;
  let sim: ChildProcess | undefined;
  let kubeconfig = '';
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('fltapi'), nodes: 1 });
    const tsx = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
    sim = spawn('ip', ['netns', 'exec', lab.nodes[0]!.namespace, process.execPath, '--import', tsx, join(ROOT, 'src/lab/kube-sim/main.ts'), '--dir', join(dir, 'sim'), '--nodes', 'node1', '--port', '16443'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    kubeconfig = await new Promise<string>((resolve, reject) => {
      let out = '';
      sim!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /KUBECONFIG=(\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      sim!.on('exit', (c) => reject(new Error(`kube simulator exited (${c}): ${out}`)));
    });
  }, 120_000);
  afterAll(async () => {
    if (sim?.pid && sim.exitCode === null) process.kill(sim.pid, 'SIGKILL');
    await lab?.down();
  }, 60_000);

  it('each request fails after the deadline (2 s here), with what to set, instead of hanging', async () => {
    writeFileSync(join(dir, 'local.ini'), 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
    writeFileSync(
      join(dir, 'api.yml'),
      [
        '- hosts: localhost',
        '  gather_facts: false',
        '  tasks:',
        '    - k8s_info: {kind: Node}',
        '    - pause: {seconds: 2}',
        '    - k8s_info: {kind: ConfigMap, namespace: default, name: "cm{{ item }}"}',
        '      loop: [1, 2, 3]',
        '      ignore_errors: true',
        '',
      ].join('\n'),
    );
    const run = startPhilote(['playbook', '-i', 'local.ini', 'api.yml'], { cwd: dir, netns: lab.nodes[0]!.namespace, env: { KUBECONFIG: kubeconfig, PHILOTE_K8S_REQUEST_TIMEOUT: '2' } });
    await run.waitFor(/TASK \[pause\]/);
    await lab.exec('node1', 'iptables -I INPUT -p tcp --dport 16443 -j DROP');
    await run.waitFor(/TASK \[k8s_info\][^]*TASK \[k8s_info\]/);
    const loopStart = Date.now();
    const r = await run.done;
    const loopMs = Date.now() - loopStart;
    expect(r.code).toBe(0);
    // An ignored failure counts as ok too, as in ansible-playbook's recap.
    expect(recapLine(r.out, 'localhost')).toMatch(/ok=3 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=1/);
    const failures = r.out.match(/no answer within 2 s; PHILOTE_K8S_REQUEST_TIMEOUT sets the limit/g) ?? [];
    expect(failures.length).toBeGreaterThanOrEqual(3);
    // Three requests of 2 s each, not three times the kernel's SYN/retransmission patience.
    expect(loopMs).toBeLessThan(15_000);
  }, 120_000);
});
