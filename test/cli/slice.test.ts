// --slice K/N (AWX job slicing) and `philote job merge`: the arithmetic, and four slices of a
// local run merged into one result equal to the unsliced run's (same JSON, same recap, same exit code).
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSlice, sliceOf } from '../../src/cli/slice.js';
import { exitCodeOf, mergeResults, readSliceResult } from '../../src/cli/job-merge.js';
import { PhiloteError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { comparableResult } from '../helpers/json-result.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('slice arithmetic', () => {
  it('slice K gets host i when i mod N = K-1: every host once, sizes within one, stable', () => {
    const hosts = Array.from({ length: 23 }, (_, i) => `h${i}`);
    for (const n of [1, 2, 3, 4, 7, 23, 30]) {
      const slices = Array.from({ length: n }, (_, k) => sliceOf(hosts, { index: k + 1, count: n }));
      expect(slices.flat().sort()).toEqual([...hosts].sort());
      const sizes = slices.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      slices.forEach((s, k) => s.forEach((h) => expect(hosts.indexOf(h) % n).toBe(k)));
    }
    expect(sliceOf(hosts, { index: 2, count: 4 })).toEqual(['h1', 'h5', 'h9', 'h13', 'h17', 'h21']);
    expect(sliceOf(['a', 'b'], { index: 3, count: 3 })).toEqual([]);
  });
  it('parses K/N and refuses anything else as an option error', () => {
    expect(parseSlice('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '2', '1/0', 'a/b', '-1/3', '1/2/3']) {
      expect(() => parseSlice(bad)).toThrowError(PhiloteError);
      try {
        parseSlice(bad);
      } catch (e) {
        expect((e as PhiloteError).kind).toBe('option');
      }
    }
  });
});

const INVENTORY = `[web]
h1
h2
h3
[db]
h4
h5
[other]
h6
h7
[all:vars]
ansible_connection=local
`;
// Tasks of every outcome: changed on some hosts, a failure on one, skipped, a play on a group, and
// a task that only the slices holding a web host run (the others have no host left for it).
const PLAYBOOK = `- hosts: all
  gather_facts: false
  tasks:
    - command: echo {{ inventory_hostname }}
      register: r
      changed_when: inventory_hostname in groups.web
    - debug: { msg: "{{ r.stdout }} of {{ groups.all | length }}" }
    - fail: { msg: boom }
      when: inventory_hostname == 'h5'
    - debug: { msg: after }
- hosts: db
  gather_facts: false
  tasks:
    - debug: { msg: db }
- hosts: web
  gather_facts: false
  tasks:
    - set_fact: { x: 1 }
`;

describe('a sliced run merged', () => {
  it('four slices merged equal the unsliced run: JSON, recap and exit code', async () => {
    const dir = tempDir('philote-slice-');
    writeFileSync(join(dir, 'inv.ini'), INVENTORY);
    writeFileSync(join(dir, 'pb.yml'), PLAYBOOK);
    const env = { ANSIBLE_STDOUT_CALLBACK: 'json', PHILOTE_RECORD: '0', HOME: dir };
    const whole = await runCli(['playbook', '-i', 'inv.ini', 'pb.yml'], { cwd: dir, env });
    expect(whole.code, whole.err).toBe(2);
    const files: string[] = [];
    const hostsPerSlice: string[][] = [];
    for (let k = 1; k <= 4; k++) {
      const r = await runCli(['playbook', '-i', 'inv.ini', '--slice', `${k}/4`, 'pb.yml'], { cwd: dir, env });
      // Only the slice holding h5 (index 4: slice 1) fails.
      expect(r.code, r.err).toBe(k === 1 ? 2 : 0);
      const f = join(dir, `slice-${k}.json`);
      writeFileSync(f, r.out);
      files.push(f);
      hostsPerSlice.push(Object.keys((JSON.parse(r.out) as { stats: object }).stats));
    }
    expect(hostsPerSlice).toEqual([['h1', 'h5'], ['h2', 'h6'], ['h3', 'h7'], ['h4']]);
    const merged = await runCli(['job', 'merge', ...files], { cwd: dir, env });
    expect(merged.code).toBe(2);
    expect(comparableResult(merged.out)).toEqual(comparableResult(whole.out));
    const recap = await runCli(['job', 'merge', '--recap', ...files.reverse()], { cwd: dir, env });
    expect(recap.out).toContain('PLAY RECAP ****');
    expect(recap.out).toMatch(/h5 +: ok=2 +changed=0 +unreachable=0 +failed=1 /);
    expect(recap.out).toMatch(/h1 +: ok=4 +changed=1 /);
  });

  it('an empty slice (more slices than hosts) runs no host and exits 0', async () => {
    const dir = tempDir('philote-slice-');
    writeFileSync(join(dir, 'inv.ini'), 'a ansible_connection=local\nb ansible_connection=local\n');
    writeFileSync(join(dir, 'pb.yml'), '- hosts: all\n  gather_facts: false\n  tasks:\n    - debug: { msg: hi }\n');
    const r = await runCli(['playbook', '-i', 'inv.ini', '--slice', '3/3', 'pb.yml'], { cwd: dir, env: { PHILOTE_RECORD: '0', HOME: dir } });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('skipping: no hosts matched');
    const bad = await runCli(['playbook', '-i', 'inv.ini', '--slice', '4/3', 'pb.yml'], { cwd: dir, env: { PHILOTE_RECORD: '0', HOME: dir } });
    expect(bad.code).toBe(5);
    expect(bad.err).toContain('--slice');
  });

  it('merge: unreachable wins over failed (exit 4); a file that is not a json result is an error', () => {
    const dir = tempDir('philote-merge-');
    const stats = (h: string, s: Partial<Record<string, number>>) => ({ [h]: { ok: 0, changed: 0, unreachable: 0, failures: 0, skipped: 0, rescued: 0, ignored: 0, ...s } });
    const doc = (st: object) => JSON.stringify({ custom_stats: {}, global_custom_stats: {}, plays: [], stats: st });
    writeFileSync(join(dir, 'a.json'), doc(stats('a', { failures: 1 })));
    writeFileSync(join(dir, 'b.json'), '[WARNING]: something\n' + doc(stats('b', { unreachable: 1 })));
    writeFileSync(join(dir, 'c.json'), 'ERROR! no such playbook\n');
    const m = mergeResults([readSliceResult(join(dir, 'a.json')), readSliceResult(join(dir, 'b.json'))]);
    expect(Object.keys(m.stats)).toEqual(['a', 'b']);
    expect(exitCodeOf(m.stats)).toBe(4);
    expect(exitCodeOf(stats('a', { failures: 1 }) as never)).toBe(2);
    expect(exitCodeOf(stats('a', { rescued: 1, ok: 3 }) as never)).toBe(0);
    expect(() => readSliceResult(join(dir, 'c.json'))).toThrowError(/not the output of the json callback/);
  });
});
