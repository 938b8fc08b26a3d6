/**
 * ansible.posix.authorized_key on twin lab nodes, differential against ansible-playbook 2.14:
 * add, again (no change), options, a new comment, absent, exclusive, an unknown user and an
 * invalid key; the file's content and modes are compared byte for byte, with --diff and in check
 * mode first. The account is made for the test in the nodes' private /etc and /var/lib.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugMsgs, outcomes, startTwin, type Twin } from './twin.js';

let t: Twin;
let tasks = '';

const STATE = 'cat /var/lib/phlak/.ssh/authorized_keys 2>&1; stat -c "%a %U" /var/lib/phlak/.ssh /var/lib/phlak/.ssh/authorized_keys 2>&1';

describe('authorized_key in lab nodes (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    t = await startTwin('ak');
    const keys = ['k1', 'k2'].map((n) => {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${n}@test`, '-f', join(t.dir, n)]);
      return readFileSync(join(t.dir, `${n}.pub`), 'utf8').trim();
    });
    const AK = (args: string) => `    - ansible.posix.authorized_key: {user: phlak, ${args}}\n`;
    tasks =
      `    - user: {name: phlak, home: /var/lib/phlak, create_home: true}\n` +
      AK(`key: "${keys[0]}"`) +
      `      register: r1\n` +
      AK(`key: "${keys[0]}"`) +
      AK(`key: "${keys[1]}", key_options: 'no-pty,from="10.0.0.0/8"'`) +
      AK(`key: "${keys[0]}", comment: renamed`) +
      AK(`key: "${keys[1]}", state: absent`) +
      AK(`key: "${keys[1]}", exclusive: true`) +
      `      register: r2\n` +
      `    - authorized_key: {user: nosuchuser, key: "${keys[0]}"}\n      ignore_errors: true\n      register: r3\n` +
      AK(`key: "ssh-nope AAAA x"`) +
      `      ignore_errors: true\n      register: r4\n` +
      `    - debug: {msg: "{{ [r1.keyfile, r1.user, r1.state, r1.exclusive, r1.manage_dir, r1.key_options, r2.changed, r3.msg, r4.msg] }}"}\n`;
  }, 120_000);
  afterAll(async () => {
    await t?.down();
  });

  it('same outcomes, file content and modes as Ansible; check mode changes nothing', async () => {
    const before = await t.state(STATE);
    const check = await t.both(tasks.replace('create_home: true}\n', 'create_home: true}\n      check_mode: false\n'), ['--check']);
    expect(outcomes(check.ours), check.ours + check.ans).toEqual(outcomes(check.ans));
    const afterCheck = await t.state(STATE);
    expect(afterCheck[1]).toBe(afterCheck[0]);
    expect(afterCheck[1]).toContain('No such file');
    expect(before[1]).toContain('No such file');
    const r = await t.both(tasks, ['--diff']);
    expect(outcomes(r.ours), r.ours + r.ans).toEqual(outcomes(r.ans));
    expect(outcomes(r.ours)).toEqual(['ok', 'changed', 'ok', 'changed', 'changed', 'changed', 'changed', 'failed', 'failed', 'ok']);
    expect(debugMsgs(r.ours)).toEqual(debugMsgs(r.ans));
    const [a, o] = await t.state(STATE);
    expect(o).toBe(a);
    // The exclusive task names k2 without options, so its line is rewritten without them.
    expect(o).toMatch(/^ssh-ed25519 \S+ k2@test\n700 phlak\n600 phlak\n$/);
    // The --diff texts agree too (the file names differ only by the node's).
    const diffs = (s: string) => [...s.matchAll(/^[+-](?:no-pty|ssh-ed25519).*$/gm)].map((m) => m[0]);
    expect(diffs(r.ours).length).toBeGreaterThan(2);
    expect(diffs(r.ours)).toEqual(diffs(r.ans));
  }, 180_000);
});
