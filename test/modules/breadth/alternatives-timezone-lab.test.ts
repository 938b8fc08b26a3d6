/**
 * community.general.alternatives and community.general.timezone on twin lab nodes, differential
 * against ansible-playbook 2.14 (changed flags, messages, diffs, node state); check mode first.
 * The alternative group's link lives under /var/lib and update-alternatives keeps its state in
 * /etc/alternatives and /var/lib/dpkg/alternatives: all private overlays of the lab node, as is
 * the /etc/timezone and /etc/localtime the timezone module changes (the nodes run no systemd,
 * so both tools take the /etc/timezone + dpkg-reconfigure tzdata way).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugMsgs, outcomes, startTwin, type Twin } from './twin.js';

let t: Twin;

const ALT = (args: string) => `    - community.general.alternatives: {name: phl-ed, link: /var/lib/phl-alt/ed, ${args}}\n`;
const TASKS =
  `    - file: {path: /var/lib/phl-alt, state: directory}\n` +
  ALT('path: /bin/true, priority: 10, state: present') +
  `      register: a1\n` +
  ALT('path: /bin/false, priority: 20') +
  `      register: a2\n` +
  ALT('path: /bin/false') +
  ALT('path: /bin/true, state: auto') +
  `      register: a3\n` +
  ALT('path: /bin/true, priority: 30, state: present') +
  ALT('path: /bin/true, state: absent') +
  `      register: a4\n` +
  ALT('path: /nonexistent/phl') +
  `      ignore_errors: true\n      register: a5\n` +
  `    - community.general.timezone: {name: Europe/Berlin}\n      register: z1\n` +
  `    - timezone: {name: Europe/Berlin}\n      register: z2\n` +
  `    - timezone: {name: Not/AZone}\n      ignore_errors: true\n      register: z3\n` +
  `    - debug: {msg: "{{ [a1.msg, a2.msg, a3.msg, a4.msg, a5.msg, a2.diff, a4.diff] }}"}\n` +
  `    - debug: {msg: "{{ [z1.diff, z1.msg | default(''), z2.diff, z3.msg] }}"}\n`;

const STATE = 'LC_ALL=C update-alternatives --display phl-ed 2>&1; ls -l /var/lib/phl-alt 2>/dev/null | tail -n +2 | awk \'{print $9, $10, $11}\'; cat /etc/timezone; readlink /etc/localtime';

describe('alternatives and timezone in lab nodes (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    t = await startTwin('alt');
  }, 120_000);
  afterAll(async () => {
    await t?.down();
  });

  it('same outcomes, messages, diffs and node state as Ansible; check mode changes nothing', async () => {
    const [b1, b2] = await t.state(STATE);
    const check = await t.both(TASKS.split('\n').slice(2).join('\n').replace(/^/, `    - file: {path: /var/lib/phl-alt, state: directory}\n      check_mode: false\n`), ['--check']);
    expect(outcomes(check.ours), check.ours + check.ans).toEqual(outcomes(check.ans));
    expect(await t.state(STATE)).toEqual([b1, b2]);
    for (const pass of [1, 2]) {
      const r = await t.both(TASKS, pass === 1 ? ['--diff'] : []);
      expect(outcomes(r.ours), `pass ${pass}\n${r.ours}\n${r.ans}`).toEqual(outcomes(r.ans));
      expect(debugMsgs(r.ours), r.ours + r.ans).toEqual(debugMsgs(r.ans));
      const [a, o] = await t.state(STATE);
      expect(o).toBe(a);
      expect(o).toContain('Europe/Berlin\n/usr/share/zoneinfo/Europe/Berlin');
      if (pass === 1) expect(outcomes(r.ours)).toEqual(['ok', 'changed', 'changed', 'ok', 'changed', 'changed', 'changed', 'failed', 'changed', 'ok', 'failed', 'ok', 'ok']);
    }
  }, 180_000);
});
