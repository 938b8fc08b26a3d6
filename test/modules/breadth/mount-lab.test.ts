/**
 * ansible.posix.mount on twin lab nodes, differential against ansible-playbook 2.14: tmpfs
 * mounts (mounted, remount on changed opts, unmounted, absent), a present-only bind line with
 * boot: false, ephemeral, check mode. The nodes' mount namespaces and /etc are private, so
 * the machine's own mounts and fstab never change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugMsgs, outcomes, startTwin, type Twin } from './twin.js';

let t: Twin;

const TASKS = `    - ansible.posix.mount: {path: /var/lib/phl-m, src: tmpfs, fstype: tmpfs, opts: size=1m, state: mounted}
      register: m1
    - ansible.posix.mount: {path: /var/lib/phl-m, src: tmpfs, fstype: tmpfs, opts: size=1m, state: mounted}
    - ansible.posix.mount: {path: /var/lib/phl-m, src: tmpfs, fstype: tmpfs, opts: size=2m, state: mounted}
    - mount: {path: /var/lib/phl-p, src: /var/lib/dpkg, fstype: none, opts: bind, state: present, boot: false}
      register: m2
    - mount: {path: /var/lib/phl-e, src: tmpfs, fstype: tmpfs, opts: size=1m, state: ephemeral}
    - mount: {path: /var/lib/phl-e, state: unmounted}
    - mount: {path: /var/lib/phl-e, state: unmounted}
    - mount: {path: /var/lib/phl-m, state: remounted}
    - mount: {path: /var/lib/phl-m, state: absent}
      register: m3
    - mount: {path: /var/lib/phl-p, state: absent_from_fstab}
    - mount: {path: /var/lib/phl-x, state: mounted, fstype: tmpfs}
      ignore_errors: true
    - debug: {msg: "{{ [m1.name, m1.opts, m1.fstab, m1.boot, m1.dump, m1.passno, m2.opts, m2.boot, m3.changed] }}"}
`;

const STATE = "grep phl- /etc/fstab; awk 'index($5, \"/var/lib/phl-\") == 1 {print $5}' /proc/self/mountinfo; ls -d /var/lib/phl-* 2>/dev/null; true";

describe('mount in lab nodes (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    t = await startTwin('mnt');
  }, 120_000);
  afterAll(async () => {
    await t?.down();
  });

  it('same outcomes, fstab and mount table as Ansible; check mode changes nothing', async () => {
    const check = await t.both(TASKS, ['--check']);
    expect(outcomes(check.ours), check.ours + check.ans).toEqual(outcomes(check.ans));
    expect(outcomes(check.ours)).toContain('changed');
    const [ca, co] = await t.state(STATE);
    expect(co).toBe(ca);
    const r = await t.both(TASKS.replace(/    - mount: \{path: \/var\/lib\/phl-m, state: absent\}\n      register: m3\n/, '    - debug: {msg: keep}\n      register: m3\n'));
    expect(outcomes(r.ours), r.ours + r.ans).toEqual(outcomes(r.ans));
    expect(debugMsgs(r.ours)).toEqual(debugMsgs(r.ans));
    const [a, o] = await t.state(STATE);
    expect(o).toBe(a);
    expect(o).toContain('tmpfs /var/lib/phl-m tmpfs size=2m 0 0');
    expect(o).not.toContain('phl-p');
    expect(o).toMatch(/^\/var\/lib\/phl-m$/m);
    expect(outcomes(r.ours)).toEqual(['changed', 'ok', 'changed', 'changed', 'changed', 'changed', 'ok', 'changed', 'ok', 'changed', 'failed', 'ok']);
    const gone = await t.both('    - mount: {path: /var/lib/phl-m, state: absent}\n    - mount: {path: /var/lib/phl-m, state: absent}\n');
    expect(outcomes(gone.ours), gone.ours + gone.ans).toEqual(['changed', 'ok']);
    expect(outcomes(gone.ans)).toEqual(['changed', 'ok']);
    const [a2, o2] = await t.state(STATE);
    expect(o2).toBe(a2);
    expect(o2).toBe('/var/lib/phl-e\n');
  }, 180_000);
});
