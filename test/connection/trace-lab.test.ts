/**
 * -vvvv prints the connection trace (address, port, user, key file, host key checking, host key,
 * authentication, channel opens) for a lab node reached over real SSH; the first line is the one
 * ansible-playbook -vvvv prints for the same node. Nothing of it at -vvv, and no secret in it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../src/lab/index.js';
import { runCli } from '../helpers/cli.js';
import { uniqueLabName } from '../helpers/lab-name.js';

let lab: Lab;
const dir = mkdtempSync(join(tmpdir(), 'phl-trace-'));

describe('-vvvv connection trace', () => {
  beforeAll(async () => {
    lab = await createLab({ name: uniqueLabName('trace'), nodes: 1 });
    writeFileSync(join(dir, 'pb.yml'), '- hosts: node1\n  gather_facts: false\n  tasks:\n    - copy: {content: "x\\n", dest: /tmp/phl-trace.txt}\n      vars: {db_password: hunter2-trace}\n');
  }, 120_000);
  afterAll(async () => {
    await lab?.down();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows what is dialled and every channel, as ansible-playbook -vvvv starts it', async () => {
    const r = await runCli(['playbook', '-vvvv', '-i', lab.inventoryPath, join(dir, 'pb.yml')], { cwd: dir });
    expect(r.code, r.out + "\n---\n" + r.err).toBe(0);
    const trace = r.out.split('\n').filter((l) => l.startsWith('<127.0.0.1> '));
    expect(trace[0]).toMatch(/^<127\.0\.0\.1> ESTABLISH SSH CONNECTION FOR USER: \w+$/);
    const connecting = trace.find((l) => l.includes('SSH: connecting to'))!;
    expect(connecting).toMatch(/SSH: connecting to 127\.0\.0\.1 port \d+, key files: \S+, auth methods: publickey.*, host key checking: yes \(.*known_hosts.*\), connect timeout 10s/);
    expect(trace.some((l) => /SSH: host key SHA256:\S+ accepted$/.test(l))).toBe(true);
    expect(trace.some((l) => /SSH: authenticated as \w+ with publickey, connection ready$/.test(l))).toBe(true);
    expect(trace.filter((l) => /SSH: channel open: (exec|sftp)/.test(l)).length).toBeGreaterThan(0);
    expect(r.out + r.err).not.toContain('hunter2-trace');

    const vvv = await runCli(['playbook', '-vvv', '-i', lab.inventoryPath, join(dir, 'pb.yml')], { cwd: dir });
    expect(vvv.code).toBe(0);
    expect(vvv.out).not.toContain('ESTABLISH SSH CONNECTION');

    const ans = spawnSync('ansible-playbook', ['-vvvv', '-i', lab.inventoryPath, join(dir, 'pb.yml')], { cwd: dir, encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' } });
    expect(ans.status, ans.stdout + ans.stderr).toBe(0);
    expect(ans.stdout).toContain(trace[0]);
  });

  it('shows the become program as run (sudo -H -S ...), never the script, the environment or the password', async () => {
    writeFileSync(
      join(dir, 'become.yml'),
      '- hosts: node1\n  gather_facts: false\n  become: true\n  tasks:\n    - command: id -u\n      environment: {API_TOKEN: env-secret-trace}\n      vars: {ansible_become_password: become-secret-trace}\n',
    );
    for (const shell of ['1', '0']) {
      const r = await runCli(['playbook', '-vvvv', '-i', lab.inventoryPath, join(dir, 'become.yml')], { cwd: dir, env: { PHILOTE_NODE_SHELL: shell } });
      expect(r.code, r.out + r.err).toBe(0);
      const exec = r.out.split('\n').filter((l) => l.startsWith('<127.0.0.1> EXEC '));
      expect(exec.length, r.out).toBeGreaterThan(0);
      for (const l of exec) expect(l).toMatch(/^<127\.0\.0\.1> EXEC sudo -H -S -p '\[sudo via philote, key=\w+\] password:' -u root \/bin\/sh -c <script of \d+ bytes>( \(the node shell\))?$/);
      expect(r.out + r.err).not.toMatch(/env-secret-trace|become-secret-trace/);
    }
  });
});
