/**
 * The callbacks Ansible users enable most, against Debian's ansible-playbook 2.14 with the
 * `ansible` package's collections (community.general.yaml, ansible.posix.profile_tasks/timer) on
 * the same playbook and ansible.cfg: stdout_callback = yaml, callbacks_enabled = profile_tasks,
 * timer and an unknown name (a warning), [diff] always, log_path in Ansible's text format.
 * Times and dates differ between two runs and are masked; everything else is compared as printed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir = '';

const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - name: two lines
      shell: printf 'one\\ntwo\\n'
    - name: show
      debug: var=things
      vars:
        things: [a, 'yes', '0644', {k: "multi\\nline"}]
    - name: a line in a file
      lineinfile: path={{ playbook_dir }}/f.txt line=hello create=true
    - name: never
      debug: msg=x
      when: false
    - name: boom
      fail: msg=boom
      ignore_errors: true
`;

const CFG = `[defaults]
inventory = inv
stdout_callback = yaml
callbacks_enabled = profile_tasks, timer, no_such_callback
log_path = LOG
retry_files_enabled = false

[diff]
always = true
`;

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    LANG: 'C.UTF-8',
    TZ: 'UTC',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-tmp'),
    ANSIBLE_HOME: join(dir, 'ansible-home'),
    PHILOTE_RECORD: '0',
    ...extra,
  };
}

function ansible(args: string[], extra: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile('ansible-playbook', args, { cwd: dir, env: env(extra) }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout, err: stderr });
    });
  });
}

/** Dates, durations and times of day vary between runs; their shape must not. */
function mask(text: string): string {
  return text
    .replace(/(?<=^|<LOG> )\w+day \d\d \w+ \d{4} {2}\d\d:\d\d:\d\d [+-]\d{4} \(\d+:\d\d:\d\d\.\d{3}\) {7}\d+:\d\d:\d\d\.\d{3} \*+ $/gm, '<STAMP>')
    .replace(/ \d+\.\d\ds$/gm, ' N.NNs')
    .replace(/\d+ seconds$/gm, 'N seconds')
    .replace(/'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}'/g, "'<TIME>'")
    .replace(/'\d+:\d\d:\d\d\.\d{6}'/g, "'<DELTA>'")
    .replace(/Using .*ansible\.cfg as config file/, 'Using ansible.cfg as config file');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'philote-callbacks-'));
  writeFileSync(join(dir, 'inv'), 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
  writeFileSync(join(dir, 'pb.yml'), PLAYBOOK);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('callbacks compared with ansible-playbook 2.14', () => {
  it('stdout_callback = yaml, profile_tasks, timer, an unknown callback, [diff] always and the text log', async () => {
    writeFileSync(join(dir, 'ansible.cfg'), CFG.replace('LOG', join(dir, 'ansible.log')));
    rmSync(join(dir, 'f.txt'), { force: true });
    const a = await ansible(['-v', 'pb.yml'], {});
    writeFileSync(join(dir, 'ansible.cfg'), CFG.replace('LOG', join(dir, 'philote.log')));
    rmSync(join(dir, 'f.txt'), { force: true });
    const p = await runCli(['playbook', '-v', 'pb.yml'], { cwd: dir, env: env() });
    expect(a.code).toBe(0);
    expect(p.code).toBe(0);
    // The yaml body, the diff of lineinfile (--diff was not given) and one stamp line per task.
    expect(a.out).toContain('changed: [localhost] => changed=true \n  backup: \'\'');
    expect(a.out).toContain('+hello');
    expect(a.out.match(/<STAMP>/g)).toBeNull();
    expect(mask(a.out).match(/<STAMP>/g)).toHaveLength(6);
    expect(mask(a.out)).toContain('Playbook run took 0 days, 0 hours, 0 minutes, N seconds');
    // profile_tasks sorts by time: the order of tasks of (nearly) equal time is not stable.
    const sortLines = (t: string) => mask(t).split('\n').map((l) => (/ N\.NNs$/.test(l) ? '<sorted> ' + l : l));
    expect(sortLines(p.out).sort()).toEqual(sortLines(a.out).sort());
    const body = (t: string) => mask(t).split(/={79} \n/)[0];
    expect(body(p.out)).toBe(body(a.out));
    expect(p.err).toContain("[WARNING]: Skipping callback plugin 'no_such_callback', unable to load");
    expect(a.err).toContain("[WARNING]: Skipping callback plugin 'no_such_callback', unable to load");

    // log_path: Ansible's "asctime p=PID u=USER n=ansible | message" lines with the same messages.
    const logLines = (f: string) =>
      readFileSync(join(dir, f), 'utf8')
        .replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} p=\d+ u=\w+ n=ansible \| /gm, '<LOG> ')
        .split('\n');
    const al = logLines('ansible.log').map(mask);
    const pl = logLines('philote.log').map(mask);
    expect(al.filter((l) => l.startsWith('<LOG> ')).length).toBeGreaterThan(10);
    expect(pl.filter((l) => l.startsWith('<LOG> TASK ['))).toEqual(al.filter((l) => l.startsWith('<LOG> TASK [')));
    expect(pl.filter((l) => l.startsWith('<LOG> localhost '))).toEqual(al.filter((l) => l.startsWith('<LOG> localhost ')));
    expect(pl.filter((l) => l.startsWith('<LOG> <STAMP>')).length).toBe(al.filter((l) => l.startsWith('<LOG> <STAMP>')).length);
    expect(new Set(pl)).toEqual(new Set(al));
  });

  it('ANSIBLE_STDOUT_CALLBACK and ANSIBLE_CALLBACKS_ENABLED; an unknown stdout callback is an error (exit 1)', async () => {
    writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\ninventory = inv\n');
    const extra = { ANSIBLE_STDOUT_CALLBACK: 'community.general.yaml', ANSIBLE_CALLBACKS_ENABLED: 'ansible.posix.timer' };
    const p = await runCli(['playbook', 'pb.yml'], { cwd: dir, env: env(extra) });
    expect(p.code).toBe(0);
    expect(p.out).toContain('ok: [localhost] => \n  things:\n  - a\n  - \'yes\'\n  - \'0644\'\n  - k: |-\n      multi\n      line');
    expect(p.out).toMatch(/^Playbook run took 0 days, 0 hours, 0 minutes, \d+ seconds$/m);
    const [a, bad] = await Promise.all([ansible(['pb.yml'], { ANSIBLE_STDOUT_CALLBACK: 'nope' }), runCli(['playbook', 'pb.yml'], { cwd: dir, env: env({ ANSIBLE_STDOUT_CALLBACK: 'nope' }) })]);
    expect(a.code).toBe(1);
    expect(a.err).toContain('ERROR! Invalid callback for stdout specified: nope');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('Invalid callback for stdout specified: nope');
  });
});
