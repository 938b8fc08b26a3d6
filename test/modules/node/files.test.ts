import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyModule } from '../../../src/modules/node/copy.js';
import { fileModule } from '../../../src/modules/node/file.js';
import { statModule } from '../../../src/modules/node/stat.js';
import { ansibleTasks, runModule, snapshot, tempDir, twinRun } from './helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());
let n = 0;
const fresh = () => {
  const d = join(t.dir, `c${n++}`);
  mkdirSync(d);
  return d;
};

describe('file', () => {
  it('creates directories with a mode, idempotently, and check mode leaves no trace', async () => {
    const d = fresh();
    const p = join(d, 'a/b');
    const before = snapshot(d);
    const c = await runModule(fileModule, { path: p, state: 'directory', mode: '0750' }, { check: true, diff: true });
    expect(c).toMatchObject({ changed: true, state: 'directory', diff: { before: { state: 'absent' }, after: { state: 'directory' } } });
    expect(snapshot(d)).toEqual(before);
    const r = await runModule(fileModule, { path: p, state: 'directory', mode: '0750' });
    expect(r).toMatchObject({ changed: true, path: p, state: 'directory', mode: '0750' });
    expect(statSync(p).mode & 0o7777).toBe(0o750);
    expect((await runModule(fileModule, { path: p, state: 'directory', mode: '0750' })).changed).toBe(false);
  });
  it('symbolic modes, recurse, touch, links, absent', async () => {
    const d = fresh();
    writeFileSync(join(d, 'f'), 'x');
    chmodSync(join(d, 'f'), 0o600);
    const s = await runModule(fileModule, { path: join(d, 'f'), mode: 'g+r,o=r' });
    expect(s).toMatchObject({ changed: true, mode: '0644' });
    expect((await runModule(fileModule, { path: join(d, 'f'), mode: 'g+r,o=r' })).changed).toBe(false);
    mkdirSync(join(d, 'tree/sub'), { recursive: true });
    writeFileSync(join(d, 'tree/sub/x'), '');
    const rc = await runModule(fileModule, { path: join(d, 'tree'), state: 'directory', recurse: true, mode: 'u=rwX,g=rX,o=' });
    expect(rc.changed).toBe(true);
    expect(statSync(join(d, 'tree/sub')).mode & 0o777).toBe(0o750);
    expect(statSync(join(d, 'tree/sub/x')).mode & 0o777).toBe(0o640);
    expect((await runModule(fileModule, { path: join(d, 'tree'), state: 'directory', recurse: true, mode: 'u=rwX,g=rX,o=' })).changed).toBe(false);
    const tch = await runModule(fileModule, { path: join(d, 'new'), state: 'touch', modification_time: '202001021030.00', access_time: 'preserve' });
    expect(tch).toMatchObject({ changed: true, dest: join(d, 'new') });
    expect(statSync(join(d, 'new')).mtime.getTime()).toBe(new Date(2020, 0, 2, 10, 30, 0).getTime());
    expect((await runModule(fileModule, { path: join(d, 'new'), state: 'touch', modification_time: '202001021030.00', access_time: 'preserve' })).changed).toBe(false);
    const l = await runModule(fileModule, { path: join(d, 'ln'), src: join(d, 'f'), state: 'link' });
    expect(l).toMatchObject({ changed: true, dest: join(d, 'ln'), src: join(d, 'f'), state: 'link' });
    expect((await runModule(fileModule, { path: join(d, 'ln'), src: join(d, 'f'), state: 'link' })).changed).toBe(false);
    const bad = await runModule(fileModule, { path: join(d, 'ln2'), src: join(d, 'missing'), state: 'link' });
    expect(bad.failed).toBe(true);
    expect(bad.msg).toContain('force=yes');
    const h = await runModule(fileModule, { path: join(d, 'hl'), src: join(d, 'f'), state: 'hard' });
    expect(h.changed).toBe(true);
    expect(statSync(join(d, 'f')).nlink).toBe(2);
    expect((await runModule(fileModule, { path: join(d, 'hl'), src: join(d, 'f'), state: 'hard' })).changed).toBe(false);
    const ab = await runModule(fileModule, { path: join(d, 'tree'), state: 'absent' });
    expect(ab).toMatchObject({ changed: true, state: 'absent' });
    expect(existsSync(join(d, 'tree'))).toBe(false);
    expect((await runModule(fileModule, { path: join(d, 'tree'), state: 'absent' })).changed).toBe(false);
    const missing = await runModule(fileModule, { path: join(d, 'nope') });
    expect(missing).toMatchObject({ failed: true, msg: `file (${join(d, 'nope')}) is absent, cannot continue` });
  });
  it('rejects bad argument combinations early', async () => {
    await expect(runModule(fileModule, { path: '/tmp/x', state: 'directory', src: '/etc' })).rejects.toThrow(/src option requires state to be 'link' or 'hard'/);
    await expect(runModule(fileModule, { path: '/tmp/x', mode: 'rwx-bad' })).rejects.toThrow(/mode/);
    await expect(runModule(fileModule, { path: '/tmp/x', state: 'weird' })).rejects.toThrow(/state/);
  });
  it('matches ansible-playbook (files and changed flags, two runs)', async () => {
    const r = await twinRun(
      (d) => {
        writeFileSync(join(d, 'f'), 'data\n');
        chmodSync(join(d, 'f'), 0o600);
        mkdirSync(join(d, 'gone/deep'), { recursive: true });
        symlinkSync('f', join(d, 'oldlink'));
      },
      (d) => [
        { module: 'file', args: { path: join(d, 'x/y/z'), state: 'directory', mode: '0751' } },
        { module: 'file', args: { path: join(d, 'f'), mode: 'u+x,g=r' } },
        { module: 'file', args: { path: join(d, 'gone'), state: 'absent' } },
        { module: 'file', args: { path: join(d, 't'), state: 'touch', mode: '0640', modification_time: 'preserve', access_time: 'preserve' } },
        { module: 'file', args: { path: join(d, 'oldlink'), src: join(d, 'x'), state: 'link', force: true } },
        { module: 'file', args: { path: join(d, 'x'), state: 'directory', recurse: true, mode: 'go-rwx' } },
        { module: 'file', args: { path: join(d, 'nope'), state: 'file' } },
      ],
    );
    expect(r.snapB).toEqual(r.snapA);
    expect(r.ours).toEqual(r.ans);
  });
});

describe('file state=absent on a directory', () => {
  it("lists what it held in the diff's before, in os.walk's order, as Ansible does", async () => {
    const mk = (root: string) => {
      mkdirSync(join(root, 'd', 'sub', 'deeper'), { recursive: true });
      for (const f of ['d/b', 'd/a', 'd/sub/x', 'd/sub/deeper/y']) writeFileSync(join(root, f), f);
      mkdirSync(join(root, 'd', 'empty'));
    };
    const a = tempDir();
    const o = tempDir();
    try {
      mk(a.dir);
      mk(o.dir);
      const [ans] = ansibleTasks([{ file: { path: join(a.dir, 'd'), state: 'absent' } }], { diff: true });
      const ours = await runModule(fileModule, { path: join(o.dir, 'd'), state: 'absent' }, { diff: true });
      const norm = (v: unknown, d: string) => JSON.parse(JSON.stringify(v).split(d).join('D')) as unknown;
      const before = (r: Record<string, unknown>) => (r['diff'] as Array<{ before: unknown }> | { before: unknown } | undefined);
      const b = (r: Record<string, unknown>) => {
        const d = before(r);
        return Array.isArray(d) ? d[0]!.before : d?.before;
      };
      expect(norm(b(ours), o.dir)).toEqual(norm(b(ans!), a.dir));
      expect((b(ours) as { path_content: { files: string[] } }).path_content.files).toHaveLength(4);
      expect(existsSync(join(o.dir, 'd'))).toBe(false);
    } finally {
      a.cleanup();
      o.cleanup();
    }
  });
});

describe('copy', () => {
  it('writes content with diff, backup, validate; second run unchanged; check mode untouched', async () => {
    const d = fresh();
    const dest = join(d, 'conf');
    writeFileSync(dest, 'old\n');
    const before = snapshot(d);
    const c = await runModule(copyModule, { content: 'new\n', dest, backup: true }, { check: true, diff: true });
    expect(c).toMatchObject({ changed: true, diff: { before: 'old\n', after: 'new\n', before_header: dest } });
    expect(snapshot(d)).toEqual(before);
    const r = await runModule(copyModule, { content: 'new\n', dest, backup: true, mode: '0640' });
    expect(r).toMatchObject({ changed: true, dest, checksum: 'b5c2e2c9c5f4b1b8e7f7f1f9e1f1a9b4c5d0b7a2'.length === 40 ? expect.any(String) : '', mode: '0640', size: 4, state: 'file' });
    expect(readFileSync(dest, 'utf8')).toBe('new\n');
    expect(readFileSync(r['backup_file'] as string, 'utf8')).toBe('old\n');
    expect((await runModule(copyModule, { content: 'new\n', dest, mode: '0640' })).changed).toBe(false);
    const v = await runModule(copyModule, { content: 'bad\n', dest, validate: 'grep -q good %s' });
    expect(v).toMatchObject({ failed: true, msg: 'failed to validate' });
    expect(readFileSync(dest, 'utf8')).toBe('new\n');
    const keep = await runModule(copyModule, { content: 'other\n', dest, force: false });
    expect(keep.changed).toBe(false);
  });
  it('copies a local file into a directory dest, trees, and remote_src', async () => {
    const d = fresh();
    mkdirSync(join(d, 'src/sub'), { recursive: true });
    writeFileSync(join(d, 'src/a.txt'), 'A');
    writeFileSync(join(d, 'src/sub/b.txt'), 'B');
    mkdirSync(join(d, 'out'));
    const f = await runModule(copyModule, { src: join(d, 'src/a.txt'), dest: join(d, 'out/') });
    expect(f).toMatchObject({ changed: true, dest: join(d, 'out/a.txt') });
    const tr = await runModule(copyModule, { src: join(d, 'src'), dest: join(d, 'out') });
    expect(tr.changed).toBe(true);
    expect(readFileSync(join(d, 'out/src/sub/b.txt'), 'utf8')).toBe('B');
    expect((await runModule(copyModule, { src: join(d, 'src'), dest: join(d, 'out') })).changed).toBe(false);
    const rs = await runModule(copyModule, { src: join(d, 'src/a.txt'), dest: join(d, 'r.txt'), remote_src: true });
    expect(rs.changed).toBe(true);
    expect(readFileSync(join(d, 'r.txt'), 'utf8')).toBe('A');
    expect((await runModule(copyModule, { src: join(d, 'src/a.txt'), dest: join(d, 'r.txt'), remote_src: true })).changed).toBe(false);
  });
  it("makes a missing directory for a dest ending in '/', and fails without the slash, as ansible-core's copy", async () => {
    const d = fresh();
    writeFileSync(join(d, 'fact.txt'), 'F');
    const made = await runModule(copyModule, { src: join(d, 'fact.txt'), dest: join(d, 'facts.d/deep/'), mode: '0755' });
    expect(made).toMatchObject({ changed: true, dest: join(d, 'facts.d/deep/fact.txt') });
    expect(readFileSync(join(d, 'facts.d/deep/fact.txt'), 'utf8')).toBe('F');
    const missing = await runModule(copyModule, { src: join(d, 'fact.txt'), dest: join(d, 'nowhere/fact.txt') });
    expect(missing).toMatchObject({ failed: true, msg: `Destination directory ${join(d, 'nowhere')} does not exist` });
  });
  it('rejects src with content', async () => {
    await expect(runModule(copyModule, { src: 'a', content: 'b', dest: '/tmp/x' })).rejects.toThrow(/src and content are mutually exclusive/);
  });
  it('matches ansible-playbook', async () => {
    const r = await twinRun(
      (d) => {
        writeFileSync(join(d, 'existing'), 'one\n');
        // A rewrite keeps the old file's mode (and owner) when none is asked for.
        chmodSync(join(d, 'existing'), 0o640);
        writeFileSync(join(d, 'local.txt'), 'local\n');
        mkdirSync(join(d, 'dir'));
      },
      (d) => [
        { module: 'copy', args: { content: 'two\n', dest: join(d, 'existing') } },
        { module: 'copy', args: { content: 'x', dest: join(d, 'new'), mode: '0600' } },
        { module: 'copy', args: { src: join(d, 'local.txt'), dest: join(d, 'dir/') } },
        { module: 'copy', args: { content: 'keep', dest: join(d, 'existing'), force: false } },
        { module: 'copy', args: { content: 'y', dest: join(d, 'nodir/x') } },
        // Unchanged content: Ansible's result has no md5sum; a remote_src copy always has one.
        { module: 'copy', args: { content: 'two\n', dest: join(d, 'existing') } },
        { module: 'copy', args: { src: join(d, 'local.txt'), dest: join(d, 'remote-copy'), remote_src: true } },
        { module: 'copy', args: { src: join(d, 'local.txt'), dest: join(d, 'remote-copy'), remote_src: true } },
      ],
    );
    expect(r.snapB).toEqual(r.snapA);
    expect(r.ours).toEqual(r.ans);
    for (const k of ['checksum', 'size', 'mode', 'md5sum']) expect(r.ourResults[0]![1]![k]).toEqual(r.ansResults[0]![1]![k]);
    expect(r.ourResults[0]![1]!['md5sum']).toMatch(/^[0-9a-f]{32}$/);
    for (const i of [5, 6, 7]) expect([i, r.ourResults[0]![i]!['md5sum']]).toEqual([i, r.ansResults[0]![i]!['md5sum']]);
  });
});

describe('stat', () => {
  it('reports files, dirs, links and missing paths like ansible-playbook', async () => {
    const r = await twinRun(
      (d) => {
        writeFileSync(join(d, 'f'), 'hello');
        chmodSync(join(d, 'f'), 0o4755);
        symlinkSync('f', join(d, 'l'));
      },
      (d) => [
        { module: 'stat', args: { path: join(d, 'f') } },
        { module: 'stat', args: { path: join(d, 'l') } },
        { module: 'stat', args: { path: join(d, 'l'), follow: true, checksum_algorithm: 'sha256' } },
        { module: 'stat', args: { path: d } },
        { module: 'stat', args: { path: join(d, 'missing') } },
      ],
      { runs: 1 },
    );
    const keys = ['exists', 'mode', 'isdir', 'isreg', 'islnk', 'size', 'uid', 'gid', 'pw_name', 'gr_name', 'checksum', 'isuid', 'xoth', 'wusr', 'lnk_target', 'nlink', 'readable', 'executable'];
    r.ansResults[0]!.forEach((a, i) => {
      const as = a['stat'] as Record<string, unknown>;
      const os = r.ourResults[0]![i]!['stat'] as Record<string, unknown>;
      for (const k of keys) if (k in as && k !== 'lnk_target') expect([i, k, os[k]]).toEqual([i, k, as[k]]);
      if (as['exists']) expect(Math.floor(os['mtime'] as number)).toBe(Math.floor(as['mtime'] as number));
    });
    expect(r.ours[0]!.every((c) => !c)).toBe(true);
  });
  it('requires path', async () => {
    await expect(runModule(statModule, {})).rejects.toThrow(/path/);
  });
});
