/**
 * async/poll and async_status on twin lab nodes, differential against ansible-playbook 2.14:
 * a polled long task, a fire-and-forget task collected with async_status (until finished) and
 * cleaned up, a task that outruns its async limit, async in check mode. The jobs run detached
 * on the nodes (setsid, ~/.ansible_async), polled over the tasks' own connections.
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
    const r = await t.both(TASKS);
    expect(outcomes(r.ours), r.ours + r.ans).toEqual(outcomes(r.ans));
    expect(outcomes(r.ours)).toEqual(['changed', 'changed', 'ok', 'changed', 'failed', 'failed', 'ok', 'ok']);
    expect(debugMsgs(r.ours), r.ours + r.ans).toEqual(debugMsgs(r.ans));
    expect(debugMsgs(r.ours)[0]).toContain('"done-2"');
    // The background job's files are gone after cleanup; nothing of ours is left running.
    const [, left] = await t.state("ls ~/.ansible_async 2>/dev/null | wc -l; pgrep -f '[p]hl-async' | wc -l");
    expect(left.trim().split('\n')).toEqual(['0', '0']);
  }, 180_000);

  it('a node rebooted while a long task is polled: both tools keep polling, then report the time limit', async () => {
    const play = (host: string) => {
      const p = join(t.dir, `reboot-${host}.yml`);
      writeFileSync(p, `- hosts: ${host}\n  gather_facts: false\n  become: true\n  tasks:\n    - shell: sleep 60\n      async: 10\n      poll: 2\n      ignore_errors: true\n      register: long\n    - command: echo after-reboot\n    - debug: {msg: "{{ [long.failed, long.msg] }}"}\n`);
      return p;
    };
    const reboot = (node: string) => new Promise<void>((r) => setTimeout(() => void t.lab.reboot(node, 1500).then(() => r()), 3000));
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
});
