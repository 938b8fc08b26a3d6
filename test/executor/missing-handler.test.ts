/**
 * A notify naming no handler ends the run (error_on_missing_handler, true by default in 2.14), and
 * only warns when the setting is off: compared with Debian's ansible-playbook on localhost.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'philote-missing-handler-'));
writeFileSync(join(dir, 'pb.yml'), '- hosts: localhost\n  gather_facts: false\n  tasks:\n    - command: "true"\n      notify: nope\n    - debug: msg=after\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[], env: Record<string, string> = {}): { code: number | null; out: string } {
  const r = spawnSync('sh', ['-c', '"$@" 2>&1', 'sh', cmd, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1', PHILOTE_FROM_SOURCE: '1', PHILOTE_RECORD: '0', ...env } });
  return { code: r.status, out: r.stdout };
}

const both = (env: Record<string, string> = {}) => {
  const args = ['-i', 'localhost,', '-c', 'local', 'pb.yml'];
  return [run('ansible-playbook', args, env), run(process.execPath, [join(root, 'bin/philote.js'), 'playbook', ...args], env)] as const;
};

describe('a notify naming no handler', () => {
  it('ends the run with the strategy error, as ansible-playbook does', () => {
    const [theirs, ours] = both();
    const error = "ERROR! The requested handler 'nope' was not found in either the main handlers list nor in the listening handlers list";
    expect(theirs.out).toContain(error);
    expect(ours.out).toContain(error);
    expect(ours.out).not.toContain('after');
    expect(ours.code).toBe(theirs.code);
  }, 60_000);

  it('only warns with ANSIBLE_ERROR_ON_MISSING_HANDLER=false, and the run goes on', () => {
    const [theirs, ours] = both({ ANSIBLE_ERROR_ON_MISSING_HANDLER: 'false' });
    expect(ours.out).toContain('"msg": "after"');
    expect(ours.out).toContain("[WARNING]: The requested handler 'nope' was not found");
    expect(theirs.out).toContain("[WARNING]: The requested handler 'nope' was not found");
    expect(ours.code).toBe(theirs.code);
  }, 60_000);
});
