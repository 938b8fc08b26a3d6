import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandModule } from '../../../src/modules/node/command.js';
import { rawModule } from '../../../src/modules/node/raw.js';
import { scriptModule } from '../../../src/modules/node/run-script.js';
import { shellModule } from '../../../src/modules/node/shell.js';
import { ansibleTasks, runModule, tempDir } from './helpers.js';

const t = tempDir();
afterAll(() => t.cleanup());

describe('command', () => {
  it('runs argv without a shell and returns Ansible fields', async () => {
    // run_command expands $VARS in every argument (expand_user_and_vars); cmd shows them as written.
    const r = await runModule(commandModule, { argv: ['echo', 'a  b', '$HOME'] });
    const home = process.env['HOME'];
    expect(r).toMatchObject({ changed: true, rc: 0, stdout: `a  b ${home}`, stdout_lines: [`a  b ${home}`], stderr: '', cmd: ['echo', 'a  b', '$HOME'], msg: '' });
    const kept = await runModule(commandModule, { argv: ['echo', '$HOME'], expand_argument_vars: false });
    expect(kept.stdout).toBe('$HOME');
    expect(r['delta']).toMatch(/^0:00:0\d\.\d{6}$/);
  });
  it('splits free form like shlex, chdir, stdin', async () => {
    const r = await runModule(commandModule, { _raw_params: `sh -c 'pwd; cat'`, chdir: t.dir, stdin: 'hello' });
    expect(r.stdout).toBe(`${t.dir}\nhello`);
    expect(r.cmd).toEqual(['sh', '-c', 'pwd; cat']);
  });
  it('fails on non-zero rc and on a missing program', async () => {
    const r = await runModule(commandModule, { cmd: 'sh -c "echo out; echo err >&2; exit 3"' });
    expect(r).toMatchObject({ failed: true, rc: 3, msg: 'non-zero return code', stdout: 'out', stderr: 'err' });
    const m = await runModule(commandModule, { cmd: 'no-such-program-phl' });
    expect(m).toMatchObject({ failed: true, rc: 2 });
    expect(m.msg).toContain('No such file or directory');
  });
  it('creates/removes skip, and check mode does not run', async () => {
    const marker = join(t.dir, 'marker');
    const c = await runModule(commandModule, { cmd: `touch ${marker}`, creates: marker }, { check: true });
    expect(c).toMatchObject({ changed: true, msg: 'Command would have run if not in check mode' });
    expect(existsSync(marker)).toBe(false);
    const s = await runModule(commandModule, { cmd: `touch ${marker}` }, { check: true });
    expect(s.skipped).toBe(true);
    await runModule(commandModule, { cmd: `touch ${marker}`, creates: marker });
    expect(existsSync(marker)).toBe(true);
    const again = await runModule(commandModule, { cmd: `touch ${marker}`, creates: join(t.dir, 'mark*') });
    expect(again).toMatchObject({ changed: false, rc: 0, msg: `Did not run command since '${join(t.dir, 'mark*')}' exists` });
    const rm = await runModule(commandModule, { cmd: 'true', removes: join(t.dir, 'nothing') });
    expect(rm.changed).toBe(false);
  });
  it("fails argv together with cmd with the module's words and rc 256 (ansible-core's command_shell target)", async () => {
    const r = await runModule(commandModule, { argv: ['ls'], cmd: 'ls' });
    expect(r).toMatchObject({ failed: true, rc: 256, msg: 'only command or argv can be given, not both' });
  });
  it('matches ansible-playbook on the same tasks', async () => {
    const tasks = [
      { command: { argv: ['printf', 'x\\ny\\n\\n'] } },
      { shell: 'echo $((1+2)) | tr 3 z; echo e >&2', args: { chdir: t.dir } },
      { command: 'true', args: { creates: t.dir } },
      // Killed by a signal: Python's subprocess says minus the signal number.
      { command: { argv: ['sh', '-c', 'echo before; kill -TERM $$'] }, ignore_errors: true },
    ];
    const ans = ansibleTasks(tasks);
    const ours = [
      await runModule(commandModule, tasks[0]!.command as Record<string, unknown>),
      await runModule(shellModule, { _raw_params: tasks[1]!.shell, chdir: t.dir }),
      await runModule(commandModule, { _raw_params: 'true', creates: t.dir }),
      await runModule(commandModule, tasks[3]!.command as Record<string, unknown>),
    ];
    expect(ours[3]).toMatchObject({ rc: -15, failed: true, stdout: 'before' });
    for (let i = 0; i < 4; i++) {
      for (const k of ['changed', 'rc', 'stdout', 'stderr', 'stdout_lines', 'cmd', 'msg']) expect([i, k, ours[i]![k]]).toEqual([i, k, ans[i]![k]]);
    }
  });
});

describe('shell, raw, script', () => {
  it('shell uses the executable and returns cmd as a string', async () => {
    const r = await runModule(shellModule, { _raw_params: 'echo $0; echo a | tr a b', executable: '/bin/dash' });
    expect(r).toMatchObject({ changed: true, cmd: 'echo $0; echo a | tr a b', stdout: '/bin/dash\nb' });
  });
  it('raw sends the line as is', async () => {
    const r = await runModule(rawModule, { _raw_params: 'echo raw; exit 4' });
    expect(r).toMatchObject({ changed: true, rc: 4, failed: true, stdout: 'raw\n' });
  });
  it('script copies a local file and runs it with arguments', async () => {
    const s = join(t.dir, 's.sh');
    writeFileSync(s, '#!/bin/sh\necho "args: $*"; pwd\n');
    const r = await runModule(scriptModule, { _raw_params: `${s} one 'two three'`, chdir: '/' });
    expect(r).toMatchObject({ changed: true, rc: 0, stdout: 'args: one two three\n/\n' });
    const c = await runModule(scriptModule, { _raw_params: s }, { check: true });
    expect(c.skipped).toBe(true);
  });
});
