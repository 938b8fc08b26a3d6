/**
 * find against ansible-core's own find module: the same tree, the same tasks, compared through
 * the paths, counts and keys both report (local connection; the lab covers SSH for node modules).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'phl-find-'));
const d = join(root, 'd');
mkdirSync(join(d, 'sub'), { recursive: true });
mkdirSync(join(d, '.hid'));
writeFileSync(join(d, '10-calico.conflist'), 'cali\n');
writeFileSync(join(d, 'calico-kubeconfig'), 'x\n');
writeFileSync(join(d, 'sub', '87-calico.conf'), 'y\n');
writeFileSync(join(d, '.hid', 'calico-h'), 'z\n');
writeFileSync(join(d, '05-cilium.conflist'), 'keep\n'.repeat(400));
symlinkSync('10-calico.conflist', join(d, 'link-calico'));
const playbook = join(root, 'pb.yml');
writeFileSync(
  playbook,
  `- hosts: localhost
  gather_facts: false
  tasks:
    - find: {paths: ${d}, patterns: '*calico*'}
      register: r1
    - find: {paths: ${d}, patterns: '*calico*', recurse: true, file_type: any, hidden: true}
      register: r2
    - find: {paths: [${d}, ${root}/nope], contains: 'cal', recurse: true}
      register: r3
    - find: {paths: ${d}, patterns: '^[0-9]+-', use_regex: true, excludes: '05*'}
      register: r4
    - find: {paths: ${d}, size: 1k, recurse: true, depth: 1}
      register: r5
    - find: {paths: ${d}, age: -1d, file_type: directory, get_checksum: true}
      register: r6
    - debug:
        msg: "{{ [r1, r2, r3, r4, r5, r6] | map(attribute='files') | map('map', attribute='path') | map('sort') | list }}
          {{ [r1, r2, r3, r4, r5, r6] | map(attribute='matched') | list }} {{ [r1, r2, r3, r4, r5, r6] | map(attribute='examined') | list }}
          {{ r3.msg }} {{ r3.skipped_paths | length }} {{ r1.files[0] | dict2items | map(attribute='key') | sort }} {{ r1.files[0].mode }}"
`,
);

afterAll(() => rmSync(root, { recursive: true, force: true }));

function debugMsg(stdout: string): string {
  const m = /"msg": "(.*)"\n/.exec(stdout);
  if (!m) throw new Error(`no debug msg in:\n${stdout}`);
  return m[1]!;
}

describe('find (differential against ansible-core)', () => {
  it('selects the same files with patterns, regex, excludes, recurse, hidden, contains, size, age', async () => {
    const ansible = execFileSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', playbook], {
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCALHOST_WARNING: '0' },
    });
    const { code, out, err } = await runCli(['playbook', '-i', 'localhost,', '-c', 'local', playbook]);
    expect(code, err).toBe(0);
    const expected = debugMsg(ansible);
    expect(expected).toContain("'/tmp");
    expect(debugMsg(out)).toBe(expected);
  });
});
