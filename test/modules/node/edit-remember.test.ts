/**
 * Consecutive edits of one file answer from the text the host last read or wrote and write with
 * a compare-and-swap (src/modules/node/edit.ts): the outcome must be exactly ansible-playbook's,
 * also when something else changed the file in between (a shell append, a copy, a replace), in
 * check mode, and when a remembered text would lead to no write or a failure. Both tools run the
 * same playbook on local-connection hosts in their own directories; files and per-task
 * changed/failed flags are compared.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const PLAY = (w: string) => `
- hosts: h
  gather_facts: false
  tasks:
    - lineinfile: { path: ${w}/flags.yaml, line: "flannel-backend: none", create: true }
    - lineinfile: { path: ${w}/flags.yaml, line: "disable-network-policy: true" }
    - lineinfile: { path: ${w}/flags.yaml, regexp: "^cluster-cidr:", line: "cluster-cidr: 10.244.0.0/16" }
    - shell: 'echo "cluster-cidr: 10.42.0.0/16" >> ${w}/flags.yaml'
    - lineinfile: { path: ${w}/flags.yaml, regexp: "^cluster-cidr:", line: "cluster-cidr: 10.244.0.0/16" }
    - copy: { dest: ${w}/flags.yaml, content: "a: 1\\n" }
    - lineinfile: { path: ${w}/flags.yaml, line: "b: 2" }
    - replace: { path: ${w}/flags.yaml, regexp: "^a: 1$", replace: "a: 3" }
    - blockinfile: { path: ${w}/flags.yaml, block: "c: 4" }
    - lineinfile: { path: ${w}/flags.yaml, line: "b: 2" }
    - shell: rm ${w}/flags.yaml
    - lineinfile: { path: ${w}/flags.yaml, line: "gone: true" }
      ignore_errors: true
    - lineinfile: { path: ${w}/flags.yaml, line: "back: true", create: true }
    - lineinfile: { path: ${w}/flags.yaml, line: "back: true", state: absent }
`;

function setUp(): { dir: string; work: string } {
  const dir = mkdtempSync(join(tmpdir(), 'phl-edit-mem-'));
  dirs.push(dir);
  const work = join(dir, 'work');
  execFileSync('mkdir', ['-p', work]);
  writeFileSync(join(dir, 'inv'), 'h ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
  writeFileSync(join(dir, 'play.yml'), PLAY(work));
  return { dir, work };
}

function files(work: string): Record<string, string> {
  return Object.fromEntries(readdirSync(work).sort().map((f) => [f, readFileSync(join(work, f), 'utf8')]));
}

/** changed/failed per task, from the JSON callback (ansible) or the JSON output (philote). */
function flags(json: string): string[] {
  const out = JSON.parse(json) as { plays: Array<{ tasks: Array<{ hosts: Record<string, { changed?: boolean; failed?: boolean; skipped?: boolean }> }> }> };
  return out.plays[0]!.tasks.map((t) => {
    const r = t.hosts['h']!;
    return `${r.failed ? 'failed' : r.skipped ? 'skipped' : r.changed ? 'changed' : 'ok'}`;
  });
}

interface Outcome {
  files: Record<string, string>;
  flags: string[];
  code: number;
}

async function both(extra: string[]): Promise<{ ans: Outcome; ours: Outcome }> {
  const a = setUp();
  const o = setUp();
  const ans = spawnSync('ansible-playbook', ['-i', 'inv', 'play.yml', ...extra], {
    cwd: a.dir,
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0', HOME: a.dir },
  });
  const r = await runCli(['playbook', '-i', 'inv', 'play.yml', ...extra], { cwd: o.dir, env: { ANSIBLE_STDOUT_CALLBACK: 'json', HOME: o.dir } });
  expect(r.err).toBe('');
  const norm = (f: Record<string, string>) => JSON.parse(JSON.stringify(f).split(a.work).join('W').split(o.work).join('W')) as Record<string, string>;
  return { ans: { files: norm(files(a.work)), flags: flags(ans.stdout), code: ans.status ?? -1 }, ours: { files: norm(files(o.work)), flags: flags(r.out), code: r.code } };
}

describe('edits answered from the remembered text, checked by compare-and-swap', () => {
  it('give ansible-playbook’s files and changed/failed flags, also with changes in between', async () => {
    const { ans, ours } = await both([]);
    expect(ours).toEqual(ans);
    expect(ans.files['flags.yaml']).toBe('');
    expect(ans.flags).toContain('failed');
    expect(ans.code).toBe(0);
  }, 120_000);

  it('in check mode too', async () => {
    const { ans, ours } = await both(['--check']);
    expect(ours).toEqual(ans);
    expect(ans.files).toEqual({});
    expect(ans.code).toBe(2);
  }, 120_000);
});
