/**
 * unarchive on twin lab nodes, differential against ansible-playbook 2.14: tar.gz, zip and
 * tar.xz from the controller, a tar already on the node (remote_src), creates, list_files with
 * mode, include, a missing dest; then the same again (idempotence), and check mode first
 * (changed reported, nothing unpacked). /var/lib is the nodes' private overlay.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugMsgs, outcomes, startTwin, type Twin } from './twin.js';

let t: Twin;

const TASKS = `    - file: {path: /var/lib/phl-un/z, state: directory}
    - shell: chmod 0600 /var/lib/phl-un/z/app/README
      args: {removes: /var/lib/phl-un/z/app/README}
    - unarchive: {src: app.tar.gz, dest: /var/lib/phl-un}
      register: r1
    - unarchive: {src: app.zip, dest: /var/lib/phl-un/z}
      register: r2
    - file: {path: /var/lib/phl-un/x, state: directory}
    - unarchive: {src: app.tar.xz, dest: /var/lib/phl-un/x, list_files: true, mode: "0750"}
      register: r3
    - shell: tar -cf /var/lib/phl-un/node.tar -C /etc hostname
      args: {creates: /var/lib/phl-un/node.tar}
    - file: {path: /var/lib/phl-un/n, state: directory}
    - unarchive: {src: /var/lib/phl-un/node.tar, dest: /var/lib/phl-un/n, remote_src: true}
    - unarchive: {src: app.tar.gz, dest: /var/lib/phl-un, creates: /var/lib/phl-un/app}
    - unarchive: {src: app.tar.gz, dest: /var/lib/phl-un/i, include: [app/bin/run.sh]}
      ignore_errors: true
    - file: {path: /var/lib/phl-un/i, state: directory}
    - unarchive: {src: app.tar.gz, dest: /var/lib/phl-un/i, include: [app/bin/run.sh]}
    - debug: {msg: "{{ [r1.handler, r2.handler, r3.handler, r1.dest, r3.files | sort, r1.mode, r1.state] }}"}
`;

const TREE = 'cd /var/lib/phl-un 2>/dev/null && find . -path ./node.tar -prune -o -printf "%p %y %m %s\\n" | sort';

describe('unarchive in lab nodes (differential against ansible-playbook)', () => {
  beforeAll(async () => {
    t = await startTwin('un');
    const src = join(t.dir, 'src');
    mkdirSync(join(src, 'app/bin'), { recursive: true });
    writeFileSync(join(src, 'app/bin/run.sh'), '#!/bin/sh\necho run\n', { mode: 0o755 });
    writeFileSync(join(src, 'app/README'), 'readme\n');
    const files = join(t.dir, 'files');
    mkdirSync(files);
    execFileSync('tar', ['-czf', join(files, 'app.tar.gz'), '-C', src, 'app']);
    execFileSync('tar', ['-cJf', join(files, 'app.tar.xz'), '-C', src, 'app']);
    execFileSync('zip', ['-qr', join(files, 'app.zip'), 'app'], { cwd: src });
  }, 120_000);
  afterAll(async () => {
    await t?.down();
  });

  it('check mode, first run and second run agree with Ansible', async () => {
    // Check mode before anything exists: the directories are not made, so the unpacks fail alike.
    const check = await t.both(TASKS.replace(/\n    - debug.*\n/, '\n'), ['--check']);
    expect(outcomes(check.ours), check.ours).toEqual(outcomes(check.ans));
    expect((await t.state('ls /var/lib/phl-un 2>&1 | head -1'))[1]).toContain('No such file');
    for (const pass of [1, 2]) {
      const r = await t.both(TASKS);
      expect(r.oursCode, r.ours).toBe(r.ansCode);
      expect(outcomes(r.ours), `pass ${pass}\n${r.ours}\n---\n${r.ans}`).toEqual(outcomes(r.ans));
      expect(debugMsgs(r.ours)).toEqual(debugMsgs(r.ans));
      const [a, o] = await t.state(TREE);
      expect(o).toBe(a);
      expect(o).toContain('./app/bin/run.sh f 755 19');
      expect(o).toContain('./x/app/README f 750 7');
      expect(o).toContain('./z/app/README f 644 7');
      if (pass === 1) expect(outcomes(r.ours)).toEqual(['changed', 'ok', 'changed', 'changed', 'changed', 'changed', 'changed', 'changed', 'changed', 'skipping', 'failed', 'changed', 'changed', 'ok']);
      // The second pass: only the zip's README, whose mode the shell task changed, is unpacked again.
      else expect(outcomes(r.ours)).toEqual(['ok', 'changed', 'ok', 'changed', 'ok', 'ok', 'ok', 'ok', 'ok', 'skipping', 'ok', 'ok', 'ok', 'ok']);
    }
  }, 180_000);
});
