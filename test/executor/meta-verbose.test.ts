/**
 * Against ansible-playbook 2.14: every explicit meta task gets its TASK [meta] banner, and at -vv
 * a "META: ..." line says what it did (or why it was skipped); reset_connection on a local
 * connection warns before its META line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'phl-metavv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'play.yml'),
  `- hosts: localhost
  gather_facts: false
  tasks:
    - meta: noop
    - meta: flush_handlers
    - meta: refresh_inventory
    - meta: clear_facts
    - meta: clear_host_errors
    - meta: reset_connection
    - name: named noop
      meta: noop
    - meta: end_host
      when: false
    - meta: end_play
    - debug: msg=never
`,
);

const shape = (text: string) => text.split('\n').filter((l) => /^(META:|TASK|skipping|\[WARNING\]: Reset|ok:|PLAY RECAP)/.test(l));

describe('meta tasks', () => {
  it('print banners and -vv META lines as ansible-playbook does', async () => {
    const env = { ANSIBLE_NOCOLOR: '1', HOME: dir, ANSIBLE_LOCALHOST_WARNING: 'false', ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false' };
    const ans = spawnSync('ansible-playbook', ['-vv', 'play.yml'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
    const ours = await runCli(['playbook', '-vv', 'play.yml'], { cwd: dir, env });
    expect(ours.code).toBe(ans.status);
    const want = shape(ans.stdout + ans.stderr);
    expect(want.filter((l) => l.startsWith('META:'))).toHaveLength(9);
    expect(shape(ours.out + ours.err)).toEqual(want);
  }, 60_000);
});
