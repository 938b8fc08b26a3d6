/**
 * ansible.posix.selinux on twin lab nodes, differential against ansible-playbook 2.14 (with
 * Debian's python3-selinux): SELinux does not run in this kernel, so, as on a host booted without
 * it, both read the state from the node, rewrite /etc/selinux/config (the nodes' private /etc)
 * and ask for a reboot; policy changes, a missing policy, a missing config file, check mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugMsgs, outcomes, startTwin, type Twin } from './twin.js';

let t: Twin;

const S = (args: string) => `    - ansible.posix.selinux: {${args}}\n`;
const TASKS =
  S('state: permissive, policy: targeted') +
  `      register: s1\n` +
  S('state: permissive, policy: targeted') +
  `      register: s2\n` +
  S('state: enforcing, policy: mls') +
  `      register: s3\n` +
  S('state: disabled') +
  S('state: enforcing, policy: nosuch') +
  `      ignore_errors: true\n      register: s4\n` +
  S('state: enforcing, policy: targeted, configfile: /etc/selinux/none') +
  `      ignore_errors: true\n      register: s5\n` +
  S('state: enforcing') +
  `      ignore_errors: true\n      register: s6\n` +
  `    - debug: {msg: "{{ [s1.msg, s1.reboot_required, s1.policy, s1.configfile, s2.changed, s2.reboot_required, s3.msg, s4.msg, s5.msg, s6.msg] }}"}\n`;

const STATE = 'cat /etc/selinux/config';

describe('selinux in lab nodes (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    t = await startTwin('sel');
    for (const n of ['node1', 'node2']) {
      await t.lab.exec(n, 'mkdir -p /etc/selinux/targeted/policy /etc/selinux/mls/policy && printf "# SELinux config\\nSELINUX=disabled\\nSELINUXTYPE=targeted\\n" > /etc/selinux/config');
    }
  }, 120_000);
  afterAll(async () => {
    await t?.down();
  });

  it('same outcomes, messages, warnings and config file as Ansible; check mode changes nothing', async () => {
    const check = await t.both(TASKS, ['--check']);
    expect(outcomes(check.ours), check.ours + check.ans).toEqual(outcomes(check.ans));
    expect((await t.state(STATE))[1]).toBe('# SELinux config\nSELINUX=disabled\nSELINUXTYPE=targeted\n');
    const r = await t.both(TASKS);
    expect(outcomes(r.ours), r.ours + r.ans).toEqual(outcomes(r.ans));
    expect(outcomes(r.ours)).toEqual(['changed', 'ok', 'changed', 'changed', 'failed', 'failed', 'failed', 'ok']);
    expect(debugMsgs(r.ours), r.ours + r.ans).toEqual(debugMsgs(r.ans));
    const warns = (s: string) => [...s.matchAll(/^\[WARNING\]: (.*)$/gm)].map((m) => m[1]);
    expect(warns(r.ours)).toContain("Reboot is required to set SELinux state to 'permissive'");
    expect(warns(r.ours)).toEqual(warns(r.ans));
    const [a, o] = await t.state(STATE);
    expect(o).toBe(a);
    expect(o).toBe('# SELinux config\nSELINUX=disabled\nSELINUXTYPE=mls\n');
  }, 180_000);
});
