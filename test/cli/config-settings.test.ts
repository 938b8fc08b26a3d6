/**
 * ansible.cfg settings that change a run's outcome, given through their environment variables,
 * against ansible-playbook 2.14 on the same files: ANSIBLE_HOST_PATTERN_MISMATCH=error refuses
 * a play whose hosts match nothing; ANSIBLE_ANY_ERRORS_FATAL makes one failure end the play for
 * every host (the later task runs nowhere).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { isolatedAnsibleEnv } from '../helpers/ansible-env.js';

let dir = '';

function baseEnv(): Record<string, string> {
  return isolatedAnsibleEnv(dir);
}

function ansible(args: string[], extra: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('ansible-playbook', args, { cwd: dir, env: { ...baseEnv(), ...extra } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr });
    });
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'philote-cfgset-'));
  writeFileSync(join(dir, 'inv'), 'a ansible_connection=local ansible_python_interpreter=/usr/bin/python3\nb ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
  writeFileSync(join(dir, 'nomatch.yml'), '- hosts: nomatch\n  gather_facts: false\n  tasks:\n    - debug: msg=hi\n');
  writeFileSync(
    join(dir, 'fatal.yml'),
    "- hosts: all\n  gather_facts: false\n  tasks:\n    - fail: msg=x\n      when: inventory_hostname == 'a'\n    - debug: msg=after\n",
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ansible.cfg settings from the environment', () => {
  it('ANSIBLE_HOST_PATTERN_MISMATCH=error: exit code and message as ansible-playbook', async () => {
    const extra = { ANSIBLE_HOST_PATTERN_MISMATCH: 'error' };
    const [a, p] = await Promise.all([ansible(['-i', 'inv', 'nomatch.yml'], extra), runCli(['playbook', '-i', 'inv', 'nomatch.yml'], { cwd: dir, env: { ...baseEnv(), ...extra } })]);
    expect(a.code).toBe(1);
    expect(p.code).toBe(a.code);
    expect(a.out).toContain('Could not match supplied host pattern, ignoring: nomatch');
    expect(p.out + p.err).toContain('Could not match supplied host pattern, ignoring: nomatch');
    // The default (warning) runs the play on no host and succeeds.
    const dflt = await runCli(['playbook', '-i', 'inv', 'nomatch.yml'], { cwd: dir, env: baseEnv() });
    expect(dflt.code).toBe(0);
  });

  it('ANSIBLE_ANY_ERRORS_FATAL=1: the second task runs on no host, exit 2', async () => {
    const extra = { ANSIBLE_ANY_ERRORS_FATAL: '1' };
    const [a, p] = await Promise.all([ansible(['-i', 'inv', 'fatal.yml'], extra), runCli(['playbook', '-i', 'inv', 'fatal.yml'], { cwd: dir, env: { ...baseEnv(), ...extra } })]);
    expect(a.code).toBe(2);
    expect(p.code).toBe(2);
    for (const out of [a.out, p.out]) {
      expect(out).not.toContain('"msg": "after"');
      expect(out).toMatch(/^b\s+: ok=0\s+changed=0\s+unreachable=0\s+failed=0\s+skipped=1/m);
    }
    const without = await runCli(['playbook', '-i', 'inv', 'fatal.yml'], { cwd: dir, env: baseEnv() });
    expect(without.code).toBe(2);
    expect(without.out).toContain('"msg": "after"');
  });
});
