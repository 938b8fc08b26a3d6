/**
 * The reserved-name warning at play start, compared with Debian's ansible-playbook 2.14 on the
 * conformance case that defines `port` as a play variable (controller-local hosts only).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cases = join(root, 'test/conformance/playbooks/cases');

function run(cmd: string, args: string[]): string {
  // stderr into stdout, in the order they were written (the warning goes to stderr).
  const r = spawnSync('sh', ['-c', '"$@" 2>&1', 'sh', cmd, ...args], { cwd: cases, encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1', PHILOTE_FROM_SOURCE: '1', PHILOTE_RECORD: '0' } });
  return r.stdout;
}

describe('reserved variable names', () => {
  it('are warned about when the play starts, before its banner, as ansible-playbook does', () => {
    const args = ['-i', '../inventory.ini', '77-reserved-variable-names.yml'];
    const theirs = run('ansible-playbook', args);
    const ours = run(process.execPath, [join(root, 'bin/philote.js'), 'playbook', ...args]);
    const first = (out: string) => out.split('\n').filter((l) => l.trim() !== '').slice(0, 2);
    expect(first(theirs)).toEqual(['[WARNING]: Found variable using reserved name: port', 'PLAY [reserved names] **********************************************************']);
    expect(first(ours)).toEqual(first(theirs));
  }, 60_000);
});
