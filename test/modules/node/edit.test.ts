import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blockinfileModule } from '../../../src/modules/node/blockinfile.js';
import { lineinfileModule } from '../../../src/modules/node/lineinfile.js';
import { replaceModule } from '../../../src/modules/node/replace.js';
import { runModule, snapshot, tempDir, twinRun } from './helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());

const CONF = '# k3s\nSELINUX=enforcing\n[Service]\nExecStart=/usr/bin/k3s\nfoo=1\nfoo=2\n';

describe('lineinfile, blockinfile, replace: same files and changed flags as ansible-playbook', () => {
  it('lineinfile', async () => {
    const r = await twinRun(
      (d) => {
        writeFileSync(join(d, 'c'), CONF);
        writeFileSync(join(d, 'nonl'), 'a\nb');
      },
      (d) => [
        { module: 'lineinfile', args: { path: join(d, 'c'), regexp: '^SELINUX=', line: 'SELINUX=disabled' } },
        { module: 'lineinfile', args: { path: join(d, 'c'), line: 'Env=A', insertafter: '^\\[Service\\]' } },
        { module: 'lineinfile', args: { path: join(d, 'c'), line: 'top', insertbefore: 'BOF' } },
        { module: 'lineinfile', args: { path: join(d, 'c'), regexp: '^foo=', line: 'foo=first', firstmatch: true } },
        { module: 'lineinfile', args: { path: join(d, 'c'), regexp: '^(ExecStart=\\S+)(.*)$', line: '\\1 server\\2', backrefs: true } },
        { module: 'lineinfile', args: { path: join(d, 'c'), regexp: '^nomatch', line: 'x=\\1', backrefs: true } },
        { module: 'lineinfile', args: { path: join(d, 'c'), search_string: '# k3s', state: 'absent' } },
        { module: 'lineinfile', args: { path: join(d, 'c'), line: 'before-service', insertbefore: '^\\[Service\\]' } },
        { module: 'lineinfile', args: { path: join(d, 'nonl'), line: 'c' } },
        { module: 'lineinfile', args: { path: join(d, 'new/file'), line: 'created', create: true, mode: '0600' } },
        { module: 'lineinfile', args: { path: join(d, 'missing'), line: 'x' } },
        { module: 'lineinfile', args: { path: join(d, 'c'), regexp: '^foo=', state: 'absent' } },
      ],
    );
    expect(r.snapB).toEqual(r.snapA);
    expect(r.ours).toEqual(r.ans);
    const m = (x: unknown) => String(x).replace(/\/tmp\/phl-mod-twin[AB]-\w+/g, '<D>');
    r.ansResults[0]!.forEach((a, i) => expect([i, m(r.ourResults[0]![i]!['msg'])]).toEqual([i, m(a['msg'])]));
  });
  it('blockinfile and replace', async () => {
    const r = await twinRun(
      (d) => writeFileSync(join(d, 'c'), CONF),
      (d) => [
        { module: 'blockinfile', args: { path: join(d, 'c'), block: 'line1\nline2' } },
        { module: 'blockinfile', args: { path: join(d, 'c'), block: 'svc', marker: '## {mark} svc', insertafter: '^\\[Service\\]' } },
        { module: 'blockinfile', args: { path: join(d, 'c'), block: 'first', marker: '## {mark} top', insertbefore: 'BOF' } },
        { module: 'blockinfile', args: { path: join(d, 'c'), marker: '## {mark} svc', state: 'absent' } },
        { module: 'blockinfile', args: { path: join(d, 'h'), block: 'new', create: true } },
        { module: 'replace', args: { path: join(d, 'c'), regexp: '^foo=(\\d)$', replace: 'bar=\\1' } },
        { module: 'replace', args: { path: join(d, 'c'), regexp: 'k3s', replace: 'K3S', after: '\\[Service\\]' } },
        { module: 'replace', args: { path: join(d, 'c'), regexp: '(?P<k>SELINUX)=\\w+', replace: '\\g<k>=permissive', before: '\\[Service\\]' } },
        { module: 'replace', args: { path: join(d, 'c'), regexp: 'zzz', replace: 'y' } },
      ],
    );
    expect(r.snapB).toEqual(r.snapA);
    expect(r.ours).toEqual(r.ans);
    r.ansResults[0]!.forEach((a, i) => expect([i, r.ourResults[0]![i]!['msg']]).toEqual([i, a['msg']]));
  });
});

describe('edit modules: check mode, diff, backup, errors', () => {
  it('check mode leaves the file untouched and diff shows before/after', async () => {
    const p = join(t.dir, 'f');
    writeFileSync(p, CONF);
    const before = snapshot(t.dir);
    const r = await runModule(lineinfileModule, { path: p, regexp: '^SELINUX=', line: 'SELINUX=off' }, { check: true, diff: true });
    expect(r.changed).toBe(true);
    expect((r.diff as Array<{ after: string }>)[0]!.after).toContain('SELINUX=off');
    const b = await runModule(blockinfileModule, { path: p, block: 'x' }, { check: true });
    expect(b.changed).toBe(true);
    const rp = await runModule(replaceModule, { path: p, regexp: 'k3s', replace: 'x' }, { check: true, diff: true });
    expect(rp).toMatchObject({ changed: true, msg: '2 replacements made' });
    expect(snapshot(t.dir)).toEqual(before);
  });
  it('backup keeps the old content', async () => {
    const p = join(t.dir, 'g');
    writeFileSync(p, 'a\n');
    const r = await runModule(lineinfileModule, { path: p, line: 'b', backup: true });
    expect(readFileSync(r['backup'] as string, 'utf8')).toBe('a\n');
    expect(readFileSync(p, 'utf8')).toBe('a\nb\n');
  });
  it('bad argument combinations name both arguments', async () => {
    await expect(runModule(lineinfileModule, { path: '/x', regexp: 'a', search_string: 'b', line: 'c' })).rejects.toThrow(/regexp and search_string/);
    await expect(runModule(lineinfileModule, { path: '/x', line: 'c', insertafter: 'a', insertbefore: 'b' })).rejects.toThrow(/insertafter and insertbefore/);
    await expect(runModule(lineinfileModule, { path: '/x', line: 'c', backrefs: true })).rejects.toThrow(/regexp is required with backrefs/);
    await expect(runModule(replaceModule, { path: '/x' })).rejects.toThrow(/regexp/);
    expect(existsSync('/x')).toBe(false);
  });
});
