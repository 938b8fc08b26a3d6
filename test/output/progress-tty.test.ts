/**
 * The live status line in a real pseudo-terminal (util-linux `script` gives the CLI a pty for
 * stdout and stderr): drawn while a task runs, erased before each result line, so that once the
 * status lines and escapes are taken out the screen reads exactly as the piped output. Never drawn
 * for JSON output, with PHILOTE_PROGRESS=0, during pause (it may prompt) or when the output is a pipe.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'philote.js');
let dir = '';

const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - name: slow one
      shell: "sleep {{ 1.4 if inventory_hostname == 'web1' else 2.4 }}"
    - name: quick
      debug: msg=hi
`;

function sh(command: string, extra: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, PHILOTE_RECORD: '0', ANSIBLE_CONFIG: '', ...extra };
    execFile('/bin/sh', ['-c', command], { cwd: dir, env }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr }));
  });
}

/** `script` runs the command on a new pty of 80 columns (banners as wide as in a pipe); its transcript goes to stdout. */
const inPty = (cmd: string) => `script -qfec 'stty cols 80 rows 30; ${cmd}' /dev/null`;
const philote = `node ${BIN} playbook -i inv pb.yml`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'philote-progress-'));
  writeFileSync(join(dir, 'inv'), ['web1', 'db1'].map((h) => `${h} ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n`).join(''));
  writeFileSync(join(dir, 'pb.yml'), PLAYBOOK);
  writeFileSync(join(dir, 'pause.yml'), '- hosts: web1\n  gather_facts: false\n  tasks:\n    - pause: seconds=2\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('live progress', () => {
  it('draws a status line on a terminal and erases it before each result', async () => {
    const [tty, piped] = await Promise.all([sh(inPty(philote), { NO_COLOR: '1' }), sh(`${philote} 2>&1 | cat`)]);
    expect(tty.code).toBe(0);
    const screen = tty.out.replace(/\r/g, '');
    expect(screen).toMatch(/^slow one: 0\/2 hosts done, 2 running, 0 failed, 1s$/m);
    expect(screen).toMatch(/^slow one: 1\/2 hosts done, 1 running, 0 failed, \ds$/m);
    // log-update erases the line (erase line, cursor up) right before the result is printed.
    expect(screen).toContain('\u001b[2K\u001b[1A\u001b[2K\u001b[Gchanged: [db1]');
    const cleaned = screen
      .replace(/\u001b\[(2K|1A|G)/g, '')
      .replace(/^slow one: .*\n/gm, '');
    expect(cleaned).toBe(piped.out);
    expect(piped.out).toContain('changed: [db1]');
    expect(piped.out).not.toContain('hosts done');
  });

  it('never for JSON output, with PHILOTE_PROGRESS=0, or over pause\'s prompt', async () => {
    const [json, off, pause] = await Promise.all([
      sh(inPty(philote), { ANSIBLE_STDOUT_CALLBACK: 'json' }),
      sh(inPty(philote), { PHILOTE_PROGRESS: '0' }),
      sh(inPty(`node ${BIN} playbook -i inv pause.yml`)),
    ]);
    expect(json.out).toContain('"plays": [');
    expect(off.out).toContain('changed: [db1]');
    expect(pause.out).toContain('TASK [pause]');
    for (const r of [json, off, pause]) {
      expect(r.code).toBe(0);
      expect(r.out).not.toContain('hosts done');
      expect(r.out).not.toContain('\u001b[1A');
    }
  });
});
