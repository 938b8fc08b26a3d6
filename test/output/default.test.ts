import { describe, it, expect } from 'vitest';
import { PassThrough } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOutput, renderDiff, pyJson, pyStr } from '../../src/output/index.js';
import type { RunEvent, TaskInfo, HostStats } from '../../src/output/events.js';
import { tempDir } from '../helpers/temp-dir.js';

function capture(kind: 'default' | 'json' | 'minimal', events: RunEvent[], opts: { verbosity?: number; diff?: boolean; color?: boolean; logPath?: string; logFormat?: 'text' | 'json' } = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  const sink = createOutput(kind, { stream: out, errStream: err, color: opts.color ?? false, verbosity: opts.verbosity ?? 0, diff: opts.diff ?? false, logPath: opts.logPath, logFormat: opts.logFormat });
  for (const ev of events) sink.emit(ev);
  return { sink, out: () => o, err: () => e };
}

const loc = { file: '/tmp/h2x/pb2.yml', line: 5, column: 6 };
let n = 0;
const task = (name: string, action = name, isHandler = false): TaskInfo => ({ name, action, loc, id: `t${++n}`, isHandler });
const stats = (s: Partial<HostStats>): HostStats => ({ ok: 0, changed: 0, unreachable: 0, failures: 0, skipped: 0, rescued: 0, ignored: 0, ...s });

/** The events of /tmp playbook pb2.yml (see the expected text, captured from ansible-playbook 2.14 --diff). */
function pb2Events(): RunEvent[] {
  const dbg = task('debug');
  const cmd = task('command');
  const skip = task('debug');
  const skipItems = task('debug');
  const copy = task('copy');
  const fail = task('fail');
  const sf = task('set_fact');
  const h = task('h', 'debug', true);
  const r = (t: TaskInfo, status: 'ok' | 'changed' | 'failed' | 'skipped', result: Record<string, unknown>, extra: Partial<Extract<RunEvent, { type: 'host_result' }>> = {}): RunEvent => ({
    type: 'host_result', task: t, host: 'localhost', status, result, ...extra,
  });
  return [
    { type: 'playbook_start', file: '/tmp/h2x/pb2.yml' },
    { type: 'play_start', name: 'Demo play with a long name', hosts: ['localhost'], id: 'p1', loc },
    { type: 'task_start', task: dbg, hosts: ['localhost'] },
    r(dbg, 'ok', { msg: 'hi', changed: false, _ansible_verbose_always: true }, { item: { value: 'a', label: 'a' } }),
    r(dbg, 'ok', { msg: 'hi', changed: false, _ansible_verbose_always: true }, { item: { value: 'b', label: 'b' } }),
    r(dbg, 'ok', { changed: false, results: [{ ansible_loop_var: 'item' }, { ansible_loop_var: 'item' }] }),
    { type: 'task_start', task: cmd, hosts: ['localhost'] },
    r(cmd, 'changed', { changed: true, rc: 0 }, { item: { value: 'x', label: 'x' } }),
    r(cmd, 'changed', { changed: true, results: [{ ansible_loop_var: 'item' }] }),
    { type: 'handler_notified', handler: 'h', host: 'localhost' },
    { type: 'task_start', task: skip, hosts: ['localhost'] },
    r(skip, 'skipped', { changed: false, skipped: true, skip_reason: 'Conditional result was False' }),
    { type: 'task_start', task: skipItems, hosts: ['localhost'] },
    r(skipItems, 'skipped', { skipped: true }, { item: { value: 1, label: '1' } }),
    r(skipItems, 'skipped', { skipped: true, results: [{ ansible_loop_var: 'item' }], msg: 'All items skipped' }),
    { type: 'task_start', task: copy, hosts: ['localhost'] },
    r(copy, 'changed', { changed: true, diff: { before: 'old\n', after: 'new\n', before_header: '/tmp/h2x/f.txt', after_header: '/tmp/x/source' } }),
    { type: 'task_start', task: fail, hosts: ['localhost'] },
    r(fail, 'failed', { ansible_loop_var: 'item', changed: false, failed: true, item: 1, msg: 'boom' }, { item: { value: 1, label: '1' } }),
    r(fail, 'failed', { changed: false, failed: true, results: [{ ansible_loop_var: 'item' }], msg: 'One or more items failed' }, { ignored: true }),
    { type: 'task_start', task: sf, hosts: ['localhost'] },
    r(sf, 'ok', { changed: false, ansible_facts: { x: '1' } }),
    { type: 'task_start', task: h, hosts: ['localhost'] },
    r(h, 'ok', { msg: 'handled', changed: false, _ansible_verbose_always: true }),
    { type: 'warning', message: 'Could not match supplied host pattern, ignoring: nomatch' },
    { type: 'play_start', name: 'nomatch', hosts: [], id: 'p2', loc },
    { type: 'no_hosts_matched', play: 'nomatch' },
    { type: 'playbook_end', stats: { localhost: stats({ ok: 6, changed: 2, skipped: 2, ignored: 1 }) } },
  ];
}

const EXPECTED = `
PLAY [Demo play with a long name] **********************************************

TASK [debug] *******************************************************************
ok: [localhost] => (item=a) => {
    "msg": "hi"
}
ok: [localhost] => (item=b) => {
    "msg": "hi"
}

TASK [command] *****************************************************************
changed: [localhost] => (item=x)

TASK [debug] *******************************************************************
skipping: [localhost]

TASK [debug] *******************************************************************
skipping: [localhost] => (item=1) 
skipping: [localhost]

TASK [copy] ********************************************************************
--- before: /tmp/h2x/f.txt
+++ after: /tmp/x/source
@@ -1 +1 @@
-old
+new

changed: [localhost]

TASK [fail] ********************************************************************
failed: [localhost] (item=1) => {"ansible_loop_var": "item", "changed": false, "item": 1, "msg": "boom"}
...ignoring

TASK [set_fact] ****************************************************************
ok: [localhost]

RUNNING HANDLER [h] ************************************************************
ok: [localhost] => {
    "msg": "handled"
}

PLAY [nomatch] *****************************************************************
skipping: no hosts matched

PLAY RECAP *********************************************************************
localhost                  : ok=6    changed=2    unreachable=0    failed=0    skipped=2    rescued=0    ignored=1   

`;

describe('default callback view', () => {
  it('prints what ansible-playbook 2.14 prints for the same run (--diff)', () => {
    const c = capture('default', pb2Events(), { diff: true });
    expect(c.out()).toBe(EXPECTED);
    expect(c.err()).toBe('[WARNING]: Could not match supplied host pattern, ignoring: nomatch\n');
  });

  it('-v adds result JSON, -vv task path, PLAYBOOK banner and NOTIFIED HANDLER', () => {
    const c = capture('default', pb2Events(), { verbosity: 2 });
    const out = c.out();
    expect(out).toContain('\nPLAYBOOK: pb2.yml ***');
    expect(out).toContain('task path: /tmp/h2x/pb2.yml:5\n');
    expect(out).toContain('changed: [localhost] => (item=x) => {"changed": true, "rc": 0}\n');
    // debug results are cleaned down to msg, so a skipped debug shows {} (as Ansible prints it)
    expect(out).toContain('skipping: [localhost] => {}\n');
    expect(out).toContain('ok: [localhost] => {"ansible_facts": {"x": "1"}, "changed": false}\n');
    expect(out).toContain('NOTIFIED HANDLER h for localhost\n');
    expect(out).not.toContain('--- before');
  });

  it('fatal, unreachable, delegation and retry lines', () => {
    const t = task('ping it', 'ping');
    const c = capture('default', [
      { type: 'play_start', name: '', hosts: ['a'], id: 'p', loc },
      { type: 'task_start', task: t, hosts: ['a', 'b'] },
      { type: 'retry', task: t, host: 'a', attempt: 1, retriesLeft: 2, result: { failed: true } },
      { type: 'host_result', task: t, host: 'a', status: 'failed', result: { failed: true, msg: 'nope', _ansible_no_log: false, invocation: { module_args: {} } } },
      { type: 'host_result', task: t, host: 'b', delegatedTo: 'c', status: 'unreachable', result: { unreachable: true, changed: false, msg: 'Failed to connect' } },
      { type: 'playbook_end', stats: { a: stats({ failures: 1 }), b: stats({ unreachable: 1 }) } },
    ]);
    expect(c.out()).toBe(`
PLAY ***************************************************************************

TASK [ping it] *****************************************************************
FAILED - RETRYING: [a]: ping it (2 retries left).
fatal: [a]: FAILED! => {"msg": "nope"}
fatal: [b -> c]: UNREACHABLE! => {"changed": false, "msg": "Failed to connect", "unreachable": true}

PLAY RECAP *********************************************************************
a                          : ok=0    changed=0    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0   
b                          : ok=0    changed=0    unreachable=1    failed=0    skipped=0    rescued=0    ignored=0   

`);
  });

  it('colours only when asked, as Ansible does (recap host name padded to 37 with codes)', () => {
    const t = task('x', 'command');
    const c = capture('default', [
      { type: 'task_start', task: t, hosts: ['h'] },
      { type: 'host_result', task: t, host: 'h', status: 'changed', result: { changed: true } },
      { type: 'playbook_end', stats: { h: stats({ ok: 1, changed: 1 }) } },
    ], { color: true });
    expect(c.out()).toContain('\u001b[0;33mchanged: [h]\u001b[0m\n');
    expect(c.out()).toContain('\u001b[0;33mh\u001b[0m                          : \u001b[0;32mok=1   \u001b[0m \u001b[0;33mchanged=1   \u001b[0m unreachable=0');
  });

  it('long banners keep at least 3 stars; long warnings wrap at 79 columns', () => {
    const long = 'x'.repeat(90);
    const t = task(long);
    const c = capture('default', [{ type: 'task_start', task: t, hosts: [] }, { type: 'warning', message: 'word '.repeat(30).trim() }]);
    expect(c.out()).toBe(`\nTASK [${long}] ***\n`);
    const lines = c.err().trimEnd().split('\n');
    expect(lines).toEqual(['[WARNING]: word word word word word word word word word word word word word', 'word word word word word word word word word word word word word word word word', 'word']);
    expect(lines.every((l) => l.length <= 79)).toBe(true);
    expect(lines[0]!.startsWith('[WARNING]: word word')).toBe(true);
  });
});

describe('diff rendering matches Python difflib as Ansible uses it', () => {
  const py = (before: string, after: string) =>
    execFileSync('python3', ['-c', `
import difflib, sys, json
d = json.loads(sys.argv[1])
b = d['before'].splitlines(True); a = d['after'].splitlines(True)
if b and not b[-1].endswith('\\n'): b[-1] += '\\n\\\\ No newline at end of file\\n'
if a and not a[-1].endswith('\\n'): a[-1] += '\\n\\\\ No newline at end of file\\n'
sys.stdout.write(''.join(difflib.unified_diff(b, a, fromfile='before: f', tofile='after: f', fromfiledate='', tofiledate='', n=3)) + '\\n')
`, JSON.stringify({ before, after })], { encoding: 'utf8' });
  const lines = (k: number) => Array.from({ length: k }, (_, i) => `line ${i + 1}\n`).join('');
  it.each([
    ['one line changed', 'old\n', 'new\n'],
    ['new file', '', 'a\nb\n'],
    ['emptied file', 'a\nb\n', ''],
    ['no newline at end', 'a\nb', 'a\nc'],
    ['two distant hunks', lines(20), lines(20).replace('line 2\n', 'LINE 2\n').replace('line 18\n', 'x\n')],
    ['insertion in the middle', lines(8), lines(8).replace('line 4\n', 'line 4\nextra\n')],
  ])('%s', (_name, before, after) => {
    expect(renderDiff({ before, after, before_header: 'f', after_header: 'f' }, false)).toBe(py(before, after));
  });
});

describe('helpers', () => {
  it('pyJson writes Python json.dumps text', () => {
    expect(pyJson({ b: [1, 'x'], a: { c: null, d: true } })).toBe('{"a": {"c": null, "d": true}, "b": [1, "x"]}');
    expect(pyJson({ a: [], b: {} }, 4)).toBe('{\n    "a": [],\n    "b": {}\n}');
  });
  it('pyStr prints loop labels like Python str()', () => {
    expect(pyStr('web1')).toBe('web1');
    expect(pyStr({ name: 'x', n: 1, ok: true, v: null })).toBe("{'name': 'x', 'n': 1, 'ok': True, 'v': None}");
    expect(pyStr(['a', "it's"])).toBe(`['a', "it's"]`);
  });
});

describe('json and minimal callbacks', () => {
  it('json has the shape of ansible.posix.json', () => {
    const t = task('debug');
    const c = capture('json', [
      { type: 'play_start', name: 'p', hosts: ['h'], id: 'p1', loc },
      { type: 'task_start', task: t, hosts: ['h'] },
      { type: 'host_result', task: t, host: 'h', status: 'ok', result: { msg: 'hi', changed: false } },
      { type: 'host_result', task: t, host: 'g', status: 'failed', result: { msg: 'no' } },
      { type: 'playbook_end', stats: { h: stats({ ok: 1 }), g: stats({ failures: 1 }) } },
    ]);
    const j = JSON.parse(c.out());
    expect(Object.keys(j).sort()).toEqual(['custom_stats', 'global_custom_stats', 'plays', 'stats']);
    expect(j.plays[0].play).toMatchObject({ name: 'p', id: 'p1', path: '/tmp/h2x/pb2.yml:5' });
    expect(j.plays[0].play.duration.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(j.plays[0].tasks[0].task).toMatchObject({ name: 'debug', id: t.id });
    expect(j.plays[0].tasks[0].hosts.h).toEqual({ msg: 'hi', changed: false, action: 'debug' });
    expect(j.plays[0].tasks[0].hosts.g).toEqual({ msg: 'no', failed: true, action: 'debug' });
    expect(Object.keys(j.stats)).toEqual(['g', 'h']);
    expect(j.stats.g).toEqual({ changed: 0, failures: 1, ignored: 0, ok: 0, rescued: 0, skipped: 0, unreachable: 0 });
  });
  it('minimal prints ad-hoc lines like ansible', () => {
    const cmd = task('command');
    const ping = task('ping');
    const c = capture('minimal', [
      { type: 'host_result', task: cmd, host: 'h1', status: 'changed', result: { changed: true, rc: 0, stdout: 'hello', stderr: '' } },
      { type: 'host_result', task: ping, host: 'h2', status: 'ok', result: { changed: false, ping: 'pong' } },
      { type: 'host_result', task: ping, host: 'h3', status: 'unreachable', result: { unreachable: true, msg: 'down' } },
    ]);
    expect(c.out()).toBe('h1 | CHANGED | rc=0 >>\nhello\nh2 | SUCCESS => {\n    "changed": false,\n    "ping": "pong"\n}\nh3 | UNREACHABLE! => {\n    "msg": "down",\n    "unreachable": true\n}\n');
  });
});

describe('log file', () => {
  it('writes pino JSON lines with log_format = json and masks secrets', async () => {
    const dir = tempDir('philote-log-');
    const logPath = join(dir, 'sub', 'run.log');
    const t = task('x');
    const c = capture('default', [
      { type: 'host_result', task: t, host: 'h', status: 'ok', result: { changed: false, ansible_become_password: 'hunter2', nested: { db_password: 's3cret', api_token: 'tok' } } },
      { type: 'playbook_end', stats: { h: stats({ ok: 1 }) } },
    ], { logPath, logFormat: 'json' });
    await c.sink.close();
    const text = readFileSync(logPath, 'utf8');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0].msg).toBe('host_result');
    expect(lines[0].event.host).toBe('h');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('"tok"');
  });
});
