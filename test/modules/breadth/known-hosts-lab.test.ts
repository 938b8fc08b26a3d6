/**
 * known_hosts on twin lab nodes, differential against ansible-playbook 2.14: add (plain and
 * hashed), again, a new key of the same type replacing the old line, a second key type, absent
 * with a key, absent without one (ssh-keygen -R), a key that does not name the host; check mode
 * and --diff. The files live in the nodes' private /root and /var/lib.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugMsgs, outcomes, startTwin, type Twin } from './twin.js';

let t: Twin;
let tasks = '';
const STATE = "cat /var/lib/phl-kh/known_hosts 2>&1 | sed 's/|1|[^ ]*/HASHED/'; ls /var/lib/phl-kh; cat /root/.ssh/known_hosts 2>&1 | grep -c k3s-1";

describe('known_hosts in lab nodes (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    t = await startTwin('kh');
    const key = (n: string, type: string) => {
      execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', join(t.dir, n)]);
      return readFileSync(join(t.dir, `${n}.pub`), 'utf8').trim().split(' ').slice(0, 2).join(' ');
    };
    const [e1, e2, r1] = [key('e1', 'ed25519'), key('e2', 'ed25519'), key('r1', 'ecdsa')];
    const KH = (args: string) => `    - known_hosts: {path: /var/lib/phl-kh/known_hosts, ${args}}\n`;
    tasks =
      `    - file: {path: /var/lib/phl-kh, state: directory}\n` +
      // The last task writes the default ~/.ssh/known_hosts: the node's /root is an overlay of the
      // machine's, which has no .ssh on a fresh machine (ansible-core does not create it either).
      `    - file: {path: /root/.ssh, state: directory, mode: '0700'}\n      check_mode: false\n` +
      KH(`name: k3s-1, key: "k3s-1 ${e1}"`) +
      `      register: k1\n` +
      KH(`name: k3s-1, key: "k3s-1 ${e1}"`) +
      KH(`name: "[10.0.0.5]:2222", key: "[10.0.0.5]:2222 ${r1}", hash_host: true`) +
      KH(`name: "[10.0.0.5]:2222", key: "[10.0.0.5]:2222 ${r1}", hash_host: true`) +
      KH(`name: k3s-1, key: "k3s-1 ${e2}"`) +
      KH(`name: k3s-1, key: "k3s-1 ${r1}"`) +
      KH(`name: k3s-1, key: "k3s-1 ${e2}", state: absent`) +
      KH(`name: k3s-1, key: "k3s-1 ${e2}", state: absent`) +
      KH(`name: k3s-1, state: absent`) +
      KH(`name: k3s-2, key: "k3s-1 ${e1}"`) +
      `      ignore_errors: true\n      register: bad\n` +
      `    - known_hosts: {name: k3s-1, key: "k3s-1 ${e1}"}\n` +
      `    - debug: {msg: "{{ [k1.name, k1.path, k1.state, k1.hash_host, bad.msg] }}"}\n`;
  }, 120_000);
  afterAll(async () => {
    await t?.down();
  });

  it('same outcomes, files and diffs as Ansible; check mode changes nothing', async () => {
    const check = await t.both(tasks.replace('state: directory}\n', 'state: directory}\n      check_mode: false\n'), ['--check']);
    expect(outcomes(check.ours), check.ours + check.ans).toEqual(outcomes(check.ans));
    const afterCheck = await t.state(STATE);
    expect(afterCheck[1]).toBe(afterCheck[0]);
    const r = await t.both(tasks, ['--diff']);
    expect(outcomes(r.ours), r.ours + r.ans).toEqual(outcomes(r.ans));
    expect(outcomes(r.ours)).toEqual(['ok', 'ok', 'changed', 'ok', 'changed', 'ok', 'changed', 'changed', 'changed', 'ok', 'changed', 'failed', 'changed', 'ok']);
    expect(debugMsgs(r.ours)).toEqual(debugMsgs(r.ans));
    const [a, o] = await t.state(STATE);
    expect(o).toBe(a);
    expect(o).toMatch(/^HASHED ecdsa-sha2-nistp256 \S+\nknown_hosts\nknown_hosts.old\n1\n$/);
  }, 180_000);
});
