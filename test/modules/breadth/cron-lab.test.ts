/**
 * cron on twin lab nodes, differential against ansible-playbook 2.14: jobs (add, again, change,
 * disabled, special_time, absent), an environment variable, a cron_file under /etc/cron.d
 * (removed when its last job goes), --diff and check mode.
 * STAND-IN: this machine has no `crontab` program (Debian's cron package would start a daemon),
 * so both tools use the same small stand-in `crontab` in the play's PATH that keeps each user's
 * crontab in /var/lib/phl-cron (the nodes' private overlay); Ansible's module requires the
 * program even for cron_file, and so does philote's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugMsgs, outcomes, startTwin, type Twin } from './twin.js';

let t: Twin;

const STANDIN = `#!/bin/sh
u=$(id -un); f=; list=
while [ $# -gt 0 ]; do case $1 in -u) u=$2; shift 2 ;; -l) list=1; shift ;; *) f=$1; shift ;; esac; done
d=/var/lib/phl-cron; mkdir -p $d
if [ -n "$list" ]; then [ -f "$d/$u" ] || { echo "no crontab for $u" >&2; exit 1; }; cat "$d/$u"; else cat "$f" > "$d/$u"; fi
`;

const C = (args: string) => `    - cron: {${args}}\n`;
const TASKS =
  C('name: k3s-backup, minute: "0", hour: "3", job: "/usr/local/bin/k3s etcd-snapshot save"') +
  `      register: c1\n` +
  C('name: k3s-backup, minute: "0", hour: "3", job: "/usr/local/bin/k3s etcd-snapshot save"') +
  C('name: k3s-backup, minute: "30", hour: "3", job: "/usr/local/bin/k3s etcd-snapshot save"') +
  C('name: reboot-task, special_time: reboot, job: "echo up", disabled: true') +
  C('name: PATH, env: true, job: "/usr/local/bin:/usr/bin:/bin"') +
  C('name: MAILTO, env: true, job: "", insertafter: PATH') +
  C('name: reboot-task, state: absent') +
  C('name: prune, cron_file: phl-prune, user: root, minute: "*/5", job: "crictl rmi --prune"') +
  `      register: c2\n` +
  C('name: prune, cron_file: phl-prune, state: absent') +
  `      register: c3\n` +
  C('name: bad, special_time: daily, minute: "5", job: x') +
  `      ignore_errors: true\n      register: c4\n` +
  `    - debug: {msg: "{{ [c1.jobs, c1.envs, c2.jobs, c3.changed, c4.msg] }}"}\n`;

const STATE = 'cat /var/lib/phl-cron/root 2>&1; ls /etc/cron.d | grep phl; true';

describe('cron in lab nodes (differential against ansible-playbook, stand-in crontab)', () => {
  beforeAll(async () => {
    t = await startTwin('crn');
    for (const n of ['node1', 'node2']) await t.lab.exec(n, `mkdir -p /var/lib/phl-bin && cat > /var/lib/phl-bin/crontab <<'EOF'\n${STANDIN}EOF\nchmod 755 /var/lib/phl-bin/crontab`);
  }, 120_000);
  afterAll(async () => {
    await t?.down();
  });

  it('same outcomes, crontabs, cron files and diffs as Ansible; check mode changes nothing', async () => {
    const play = `    - block:\n${TASKS.trimEnd().replace(/^/gm, '    ')}\n      environment: {PATH: "/var/lib/phl-bin:/usr/sbin:/usr/bin:/sbin:/bin"}\n`;
    const check = await t.both(play, ['--check']);
    expect(outcomes(check.ours), check.ours + check.ans).toEqual(outcomes(check.ans));
    expect((await t.state(STATE))[1]).toContain('No such file');
    const r = await t.both(play, ['--diff']);
    expect(outcomes(r.ours), r.ours + r.ans).toEqual(outcomes(r.ans));
    expect(outcomes(r.ours), r.ours).toEqual(['changed', 'ok', 'changed', 'changed', 'changed', 'changed', 'changed', 'changed', 'changed', 'failed', 'ok']);
    expect(debugMsgs(r.ours)).toEqual(debugMsgs(r.ans));
    const [a, o] = await t.state(STATE);
    expect(o).toBe(a);
    expect(o).toBe('PATH="/usr/local/bin:/usr/bin:/bin"\nMAILTO=""\n#Ansible: k3s-backup\n30 3 * * * /usr/local/bin/k3s etcd-snapshot save\n');
    const diffs = (s: string) => [...s.matchAll(/^[+-][^+-].*$/gm)].map((m) => m[0]);
    expect(diffs(r.ours).length).toBeGreaterThan(4);
    expect(diffs(r.ours)).toEqual(diffs(r.ans));
  }, 180_000);
});
