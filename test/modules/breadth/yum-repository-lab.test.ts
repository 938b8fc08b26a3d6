/**
 * yum_repository on twin lab nodes, differential against ansible-playbook 2.14 (the module only
 * writes the .repo INI file, so it runs on these Debian nodes): add, again, change, a second repo
 * in the same file, absent (the file removed when empty), a missing repos dir; the files and the
 * --diff texts compared byte for byte; check mode first. Files live in the nodes' private /var/lib.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugMsgs, outcomes, startTwin, type Twin } from './twin.js';

let t: Twin;

const Y = (args: string) => `    - yum_repository: {reposdir: /var/lib/phl-repos, ${args}}\n`;
const TASKS =
  `    - file: {path: /var/lib/phl-repos, state: directory}\n` +
  Y('name: k3s-stable, description: "K3s stable", baseurl: "https://rpm.rancher.io/k3s/stable/common/centos/8/noarch", gpgcheck: true, gpgkey: ["https://rpm.rancher.io/public.key", "https://example.org/k2.key"], enabled: yes, mode: "0640"') +
  `      register: y1\n` +
  Y('name: k3s-stable, description: "K3s stable", baseurl: "https://rpm.rancher.io/k3s/stable/common/centos/8/noarch", gpgcheck: true, gpgkey: ["https://rpm.rancher.io/public.key", "https://example.org/k2.key"], enabled: yes, mode: "0640"') +
  Y('name: k3s-stable, description: "K3s stable", baseurl: "https://rpm.rancher.io/k3s/stable/common/centos/8/noarch", gpgcheck: false, exclude: [k3s-selinux, foo], mode: "0640"') +
  Y('name: extras, file: k3s-stable, description: Extras, mirrorlist: "https://example.org/mirrors", priority: "10"') +
  Y('name: k3s-stable, state: absent') +
  `      register: y2\n` +
  Y('name: extras, file: k3s-stable, state: absent') +
  `    - yum_repository: {name: nodir, description: x, baseurl: "https://x"}\n      ignore_errors: true\n      register: y3\n` +
  `    - debug: {msg: "{{ [y1.repo, y1.state, y1.diff, y2.diff, y3.msg] }}"}\n`;

const STATE = 'for f in /var/lib/phl-repos/*; do echo "== $f"; stat -c %a "$f"; cat "$f"; done 2>&1';

describe('yum_repository in lab nodes (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    t = await startTwin('yum');
  }, 120_000);
  afterAll(async () => {
    await t?.down();
  });

  it('same outcomes, files and diffs as Ansible; check mode changes nothing', async () => {
    const check = await t.both(TASKS.replace('state: directory}\n', 'state: directory}\n      check_mode: false\n'), ['--check']);
    expect(outcomes(check.ours), check.ours + check.ans).toEqual(outcomes(check.ans));
    expect((await t.state(STATE))[1]).toContain('No such file');
    // Stop before the removals to compare the file with both repos in it.
    const upto = TASKS.split(Y('name: k3s-stable, state: absent'))[0]!;
    const r1 = await t.both(upto);
    expect(outcomes(r1.ours), r1.ours + r1.ans).toEqual(outcomes(r1.ans));
    const [a1, o1] = await t.state(STATE);
    expect(o1).toBe(a1);
    expect(o1).toContain('[extras]\nmirrorlist = https://example.org/mirrors\nname = Extras\npriority = 10\n');
    const r = await t.both(TASKS);
    expect(outcomes(r.ours), r.ours + r.ans).toEqual(outcomes(r.ans));
    expect(debugMsgs(r.ours)).toEqual(debugMsgs(r.ans));
    const [a, o] = await t.state(STATE);
    expect(o).toBe(a);
  }, 180_000);
});
