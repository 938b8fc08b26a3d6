/**
 * async/poll and async_status on twin lab nodes, differential against ansible-playbook 2.14:
 * a polled long task, a fire-and-forget task collected with async_status (until finished) and
 * cleaned up, a task that outruns its async limit, async in check mode. The jobs run detached
 * on the nodes (setsid, ~/.ansible_async), polled over the tasks' own connections. The
 * default callback's "ASYNC POLL/OK/FAILED on HOST: jid=..." lines are compared line by line.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { debugMsgs, outcomes, startTwin, type Twin } from './twin.js';

let t: Twin;

const TASKS = `    - shell: sleep 2; echo done-$((1+1))
      async: 20
      poll: 1
      register: a1
    - shell: sleep 3; echo background
      async: 30
      poll: 0
      register: bg
    - stat: {path: /tmp}
      register: meanwhile
    - async_status: {jid: "{{ bg.ansible_job_id }}"}
      register: st
      until: st.finished
      retries: 15
      delay: 1
    - shell: sleep 8
      async: 2
      poll: 1
      ignore_errors: true
      register: slow
    - command: echo x
      async: 5
      poll: 1
      check_mode: true
      ignore_errors: true
      register: chk
    - async_status: {jid: "{{ bg.ansible_job_id }}", mode: cleanup}
      register: cl
    - debug: {msg: "{{ [a1.stdout, a1.finished, a1.started, a1.rc, a1.changed, 'ansible_job_id' in a1, bg.finished, bg.started, bg.changed, 'results_file' in bg, st.stdout, st.finished, st.rc, slow.failed, slow.msg, chk.msg, cl.erased is defined, cl.changed] }}"}
`;

describe('async, poll and async_status in lab nodes (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    t = await startTwin('asy');
  }, 120_000);
  afterAll(async () => {
    await t?.down();
  });

  it('same outcomes and results as Ansible', async () => {
    // A node's /root overlays the machine's: count only what this run adds to ~/.ansible_async.
    const count = "ls ~/.ansible_async 2>/dev/null | wc -l; pgrep -f '[p]hl-async' | wc -l";
    const [, before] = await t.state(count);
    const r = await t.both(TASKS);
    expect(outcomes(r.ours), r.ours + r.ans).toEqual(outcomes(r.ans));
    expect(outcomes(r.ours)).toEqual(['changed', 'changed', 'ok', 'changed', 'failed', 'failed', 'ok', 'ok']);
    expect(debugMsgs(r.ours), r.ours + r.ans).toEqual(debugMsgs(r.ans));
    expect(debugMsgs(r.ours)[0]).toContain('"done-2"');
    // The background job's files are gone after cleanup; nothing of ours is left running.
    const [, left] = await t.state(count);
    expect(left.trim().split('\n')).toEqual([before.trim().split('\n')[0], '0']);
  }, 180_000);

  it('a node rebooted while a long task is polled: both tools keep polling, then report the time limit', async () => {
    const play = (host: string) => {
      const p = join(t.dir, `reboot-${host}.yml`);
      writeFileSync(p, `- hosts: ${host}\n  gather_facts: false\n  become: true\n  tasks:\n    - shell: sleep 60\n      async: 10\n      poll: 2\n      ignore_errors: true\n      register: long\n    - command: echo after-reboot\n    - debug: {msg: "{{ [long.failed, long.msg] }}"}\n`);
      return p;
    };
    // Reboot once the tool's job is running on the node (a new job file), not after a fixed
    // delay: under load a tool may still be connecting after a few seconds.
    const jobs = async (node: string) => (await t.lab.exec(node, 'ls -1 ~/.ansible_async 2>/dev/null')).stdout.split('\n').filter(Boolean);
    const reboot = async (node: string) => {
      const before = new Set(await jobs(node));
      for (let i = 0; i < 300 && (await jobs(node)).every((j) => before.has(j)); i++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 500));
      await t.lab.reboot(node, 1500);
    };
    const ansDone = new Promise<string>((resolve) => {
      const c = spawn('ansible-playbook', ['-i', t.lab.inventoryPath, play('node1')], { env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
      let out = '';
      c.stdout.on('data', (d) => (out += d));
      c.on('close', () => resolve(out));
    });
    await reboot('node1');
    const ans = await ansDone;
    const oursDone = runCli(['playbook', '-i', t.lab.inventoryPath, play('node2')]);
    await reboot('node2');
    const ours = (await oursDone).out;
    expect(outcomes(ours), ours + ans).toEqual(outcomes(ans));
    expect(outcomes(ours)).toEqual(['failed', 'changed', 'ok']);
    expect(debugMsgs(ours)).toEqual(debugMsgs(ans));
    expect(debugMsgs(ours)[0]).toContain('async task did not complete within the requested time - 10s');
  }, 120_000);

  it('prints the ASYNC POLL / OK / FAILED lines where and as ansible-playbook does', async () => {
    // The first job ends 1.5 s after the first poll and 1.5 s before the second, so the number of
    // POLL lines does not depend on load (ansible-core's polls each take a Python start-up more).
    const tasks = `    - shell: sleep 4.5; echo slow
      async: 20
      poll: 3
    - shell: sleep 1; exit 3
      async: 10
      poll: 2
      ignore_errors: true
    - shell: sleep 8
      async: 2
      poll: 1
      ignore_errors: true
    - command: echo detached
      async: 10
      poll: 0
`;
    const r = await t.both(tasks);
    // Banners, status lines and ASYNC lines in order, with the job ids and the host names made alike.
    const lines = (out: string) =>
      out
        .split('\n')
        .filter((l) => /^(TASK \[|ASYNC |ok: |changed: |fatal: |\.\.\.ignoring)/.test(l))
        .map((l) => l.replace(/jid=\S+/, 'jid=J').replace(/node\d/g, 'nodeN').replace(/ => \{.*$/, ''));
    expect(lines(r.ours), r.ours + r.ans).toEqual(lines(r.ans));
    expect(lines(r.ours).filter((l) => l.startsWith('ASYNC'))).toEqual([
      'ASYNC POLL on nodeN: jid=J started=1 finished=0',
      'ASYNC OK on nodeN: jid=J',
      'ASYNC FAILED on nodeN: jid=J',
      'ASYNC POLL on nodeN: jid=J started=1 finished=0',
      'ASYNC POLL on nodeN: jid=J started=1 finished=0',
      'ASYNC FAILED on nodeN: jid=J',
    ]);
    // The jid printed is the one registered.
    const jid = /ASYNC OK on node2: jid=(\S+)/.exec(r.ours)?.[1];
    expect(jid).toMatch(/^j\d+\.\d+$/);
  }, 120_000);
});
