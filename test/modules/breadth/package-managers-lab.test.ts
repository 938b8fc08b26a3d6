/**
 * dnf, yum, community.general.pacman and community.general.snap on twin lab nodes, differential
 * against ansible-playbook 2.14. The lab nodes are Debian: none of dnf, yum, pacman or snapd is
 * installed (snapd needs its daemon, dnf/yum an RPM system), so no transaction can run here. What
 * runs for real on both sides: the argument checks (their words and order), the failure on a node
 * without the tool (pacman and snap: Ansible's get_bin_path words with the node's PATH; yum: the
 * action plugin's backend detection and the pkg_mgr fact it reports; dnf: ansible-core says it
 * cannot import the dnf Python module, philote, which drives the dnf command, that the command is
 * missing), and the same again in check mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugMsgs, outcomes, startTwin, type Twin } from './twin.js';

let t: Twin;

const T = (mod: string, args: string, reg: string) => `    - ${mod}: {${args}}\n      ignore_errors: true\n      register: ${reg}\n`;
const TASKS =
  T('dnf', 'name: curl', 'd1') +
  T('ansible.builtin.dnf', 'name: [curl], state: bogus', 'd2') +
  T('dnf', 'state: latest', 'd3') +
  T('dnf', 'name: "curl wget"', 'd4') +
  T('dnf', 'name: curl, autoremove: true, state: present', 'd5') +
  T('yum', 'name: curl', 'y1') +
  T('ansible.builtin.yum', 'name: curl, use: dnf, use_backend: dnf', 'y2') +
  T('community.general.pacman', 'name: [curl, wget], state: latest', 'p1') +
  T('community.general.pacman', 'name: curl, upgrade: true', 'p2') +
  T('community.general.pacman', 'state: absent', 'p3') +
  T('community.general.pacman', 'name: curl, state: bogus', 'p4') +
  T('community.general.snap', 'name: [hello, k9s], classic: true', 's1') +
  T('community.general.snap', 'name: hello, state: bogus', 's2') +
  `    - debug: {msg: "{{ [d2.msg, d4.msg, d5.msg, y1.msg, y1.ansible_facts, y2.msg, p1.msg, p2.msg, p3.msg, p4.msg, s1.msg, s2.msg] }}"}\n` +
  `    - debug: {msg: "{{ [d1.msg, d1.results, d3.msg, d5.results] }}"}\n`;

describe('dnf, yum, pacman and snap in lab nodes without those tools (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    t = await startTwin('pkm');
  }, 120_000);
  afterAll(async () => {
    await t?.down();
  });

  it('same outcomes and messages as Ansible, in check mode too', async () => {
    for (const flags of [[], ['--check']]) {
      const r = await t.both(TASKS, flags);
      expect(outcomes(r.ours), r.ours + r.ans).toEqual(outcomes(r.ans));
      expect(outcomes(r.ours)).toEqual([...Array(13).fill('failed'), 'ok', 'ok']);
      const [ours, ans] = [debugMsgs(r.ours), debugMsgs(r.ans)];
      expect(ours[0], r.ours + r.ans).toBe(ans[0]);
      expect(ours[0]).toContain('Failed to find required executable \\"pacman\\" in paths: ');
      expect(ours[0]).toContain('Could not detect which major revision of yum is in use');
      expect(ours[0]).toContain('"pkg_mgr": "apt"');
      // dnf on a node without it: the one place the words differ (see the header).
      expect(ans[1]).toContain('Could not import the dnf python module');
      expect(ours[1]).toContain('Failed to find required executable \\"dnf\\" in paths: ');
      // dnf's required_one_of never fires (name defaults to []): state alone reaches the node too.
      expect(ours[1].match(/Failed to find required executable/g)).toHaveLength(2);
      expect(ours[1]).toContain('[]');
      // The status lines: a module's own results list is no loop (its fatal line is printed).
      const status = (o: string) => o.split('\n').filter((l) => /^(fatal|ok|changed): /.test(l)).map((l) => l.replace(/node\d/, 'nodeN').replace(/ =>.*/, ''));
      expect(status(r.ours)).toEqual(status(r.ans));
      expect(r.ours).toContain('An exception occurred during task execution. To see the full traceback, use -vvv. The error was: NoneType: None');
    }
  }, 180_000);
});
