import { describe, expect, it } from 'vitest';
import { runPlays } from '../../src/executor/index.js';
import { Collector, createTemplar, block, inventory, options, play, task } from './helpers.js';

const templar = createTemplar();

async function run(plays: Parameters<typeof runPlays>[0], extra: Parameters<typeof options>[2] = {}, ini?: string) {
  const inv = await inventory(ini);
  const out = new Collector();
  const summary = await runPlays(plays, options(inv, out, extra), { templar });
  return { out, summary };
}

describe('linear strategy basics', () => {
  it('runs debug on every host and counts ok', async () => {
    const { out, summary } = await run([play([task('debug', { msg: 'hi {{ inventory_hostname }}' }, { name: 'say' })])]);
    expect(summary.exitCode).toBe(0);
    expect(out.results('say')['h2']!.result['msg']).toBe('hi h2');
    expect(summary.stats['h1']!.ok).toBe(1);
  });

  it('skips with when and registers the skipped result', async () => {
    const { out, summary } = await run([
      play([
        task('debug', { msg: 'x' }, { name: 'maybe', when: ["inventory_hostname == 'h1'"], register: 'r' }),
        task('debug', { msg: '{{ r.skipped is defined }}' }, { name: 'show' }),
      ]),
    ]);
    expect(out.results('maybe')['h2']!.status).toBe('skipped');
    expect(out.results('show')['h2']!.result['msg']).toBe(true);
    expect(out.results('show')['h1']!.result['msg']).toBe(false);
    expect(summary.stats['h2']!.skipped).toBe(1);
  });

  it('loops with loop_control and aggregates results', async () => {
    const { out } = await run([
      play([
        task('debug', { msg: '{{ x }}-{{ i }}' }, { name: 'loop', loop: ['a', 'b'], loop_control: { loop_var: 'x', index_var: 'i' }, register: 'lr', when: ["x != 'b' or inventory_hostname == 'h1'"] }),
        task('debug', { msg: '{{ lr.results | length }}' }, { name: 'count' }),
      ]),
    ]);
    const r = out.results('loop');
    expect(r['h1']!.result['msg']).toBe('All items completed');
    const items = r['h2']!.result['results'] as Array<Record<string, unknown>>;
    expect(items[0]!['msg']).toBe('a-0');
    expect(items[1]!['skipped']).toBe(true);
    expect(out.results('count')['h3']!.result['msg']).toBe('2');
  });

  it('fails a host and continues with the others; exit code 2', async () => {
    const { out, summary } = await run([
      play([task('fail', { msg: 'boom' }, { name: 'f', when: ["inventory_hostname == 'h2'"] }), task('debug', {}, { name: 'after' })]),
    ]);
    expect(summary.exitCode).toBe(2);
    expect(Object.keys(out.results('after')).sort()).toEqual(['h1', 'h3']);
    expect(summary.stats['h2']!.failures).toBe(1);
  });

  it('ignore_errors counts ignored and continues', async () => {
    const { summary, out } = await run([play([task('fail', {}, { name: 'f', ignore_errors: true }), task('debug', {}, { name: 'after' })])]);
    expect(summary.exitCode).toBe(0);
    expect(summary.stats['h1']).toMatchObject({ ok: 2, ignored: 1, failures: 0 });
    expect(Object.keys(out.results('after'))).toHaveLength(3);
  });
});

describe('blocks', () => {
  it('rescue and always, with ansible_failed_result', async () => {
    const b = block([task('fail', { msg: 'bad' }, { name: 'inner', when: ["inventory_hostname != 'h3'"] }), task('debug', {}, { name: 'not reached' })], {
      rescue: [task('debug', { msg: '{{ ansible_failed_result.msg }}' }, { name: 'rescue' })],
      always: [task('debug', { msg: 'always' }, { name: 'always' })],
    });
    const { out, summary } = await run([play([b, task('debug', {}, { name: 'after' })])]);
    expect(summary.exitCode).toBe(0);
    expect(Object.keys(out.results('not reached'))).toEqual(['h3']);
    expect(out.results('rescue')['h1']!.result['msg']).toBe('bad');
    expect(Object.keys(out.results('always')).sort()).toEqual(['h1', 'h2', 'h3']);
    expect(summary.stats['h1']).toMatchObject({ rescued: 1, failures: 0 });
    expect(Object.keys(out.results('after'))).toHaveLength(3);
  });

  it('always runs for a host that failed without rescue, which then stays failed', async () => {
    const b = block([task('fail', {}, { name: 'inner', when: ["inventory_hostname == 'h1'"] })], { always: [task('debug', {}, { name: 'always' })] });
    const { out, summary } = await run([play([b, task('debug', {}, { name: 'after' })])]);
    expect(Object.keys(out.results('always')).sort()).toEqual(['h1', 'h2', 'h3']);
    expect(Object.keys(out.results('after')).sort()).toEqual(['h2', 'h3']);
    expect(summary.exitCode).toBe(2);
  });
});

describe('handlers', () => {
  it('notify by name and listen, once, in definition order, only when changed', async () => {
    const handlers = [task('debug', { msg: 'A' }, { name: 'A', isHandler: true }), task('debug', { msg: 'B' }, { name: 'B', isHandler: true, listen: ['topic'] })];
    const { out } = await run([
      play(
        [
          task('debug', {}, { name: 't1', changed_when: ['true'], notify: ['topic', 'A'] }),
          task('debug', {}, { name: 't2', changed_when: ["inventory_hostname == 'h1'"], notify: ['A'] }),
        ],
        { handlers },
      ),
    ]);
    const order = out.order().filter((l) => l.startsWith('A:') || l.startsWith('B:'));
    expect(order.slice(0, 3).every((l) => l.startsWith('A:'))).toBe(true);
    expect(order).toHaveLength(6);
  });
});

describe('serial, run_once, until, tags, meta', () => {
  it('serial batches expose ansible_play_batch', async () => {
    const { out } = await run([play([task('debug', { msg: '{{ ansible_play_batch | join(",") }}' }, { name: 'b' })], { serial: 2 })]);
    const r = out.results('b');
    expect(r['h1']!.result['msg']).toBe('h1,h2');
    expect(r['h3']!.result['msg']).toBe('h3');
  });

  it('run_once runs on the first host and registers for all', async () => {
    const { out, summary } = await run([
      play([task('debug', { msg: 'once' }, { name: 'o', run_once: true, register: 'ro' }), task('debug', { msg: '{{ ro.msg }}' }, { name: 'see' })]),
    ]);
    expect(Object.keys(out.results('o'))).toEqual(['h1']);
    expect(out.results('see')['h3']!.result['msg']).toBe('once');
    expect(summary.stats['h2']!.ok).toBe(1);
  });

  it('until retries and reports attempts', async () => {
    const { out } = await run([
      play([task('set_fact', { n: 1 }, { name: 'init' }), task('debug', { msg: 'x' }, { name: 'u', register: 'ur', until: 'false', retries: 2, delay: 0 })]),
    ]);
    const r = out.results('u')['h1']!;
    expect(r.status).toBe('failed');
    // ansible-core 2.14.18: retries: 2 makes 3 attempts and reports attempts: 2 after the last.
    expect(r.result['attempts']).toBe(2);
    expect(out.events.filter((e) => e.type === 'retry' && e.host === 'h1')).toHaveLength(2);
  });

  it('tags select tasks; always and never', async () => {
    const tasks = [task('debug', {}, { name: 'a', tags: ['a'] }), task('debug', {}, { name: 'b', tags: ['b'] }), task('debug', {}, { name: 'al', tags: ['always'] }), task('debug', {}, { name: 'nv', tags: ['never'] })];
    const { out } = await run([play(tasks)], { tags: ['b'] });
    const names = new Set(out.order().map((l) => l.split(':')[0]));
    expect([...names].sort()).toEqual(['al', 'b']);
  });

  it('end_host stops one host', async () => {
    const { out } = await run([play([task('meta', { _raw_params: 'end_host' }, { when: ["inventory_hostname == 'h1'"] }), task('debug', {}, { name: 'after' })])]);
    expect(Object.keys(out.results('after')).sort()).toEqual(['h2', 'h3']);
  });

  it('any_errors_fatal ends the play for all hosts', async () => {
    const { out, summary } = await run([
      play([task('fail', {}, { name: 'f', when: ["inventory_hostname == 'h1'"] }), task('debug', {}, { name: 'after' })], { any_errors_fatal: true }),
      play([task('debug', {}, { name: 'next play' })]),
    ]);
    expect(out.results('after')).toEqual({});
    expect(out.results('next play')).toEqual({});
    expect(summary.exitCode).toBe(2);
  });

  it('set_fact beats play vars; extra vars beat everything', async () => {
    const { out } = await run(
      [play([task('set_fact', { a: 'fact', b: 'fact' }, { name: 's' }), task('debug', { msg: '{{ a }} {{ b }}' }, { name: 'v', vars: { a: 'task' } })], { vars: { a: 'play', b: 'play' } })],
      { extraVars: { b: 'extra' } },
    );
    expect(out.results('v')['h1']!.result['msg']).toBe('fact extra');
  });
});

describe('gather_facts', () => {
  it('runs setup first, facts become ansible_facts and ansible_* vars', async () => {
    const { out } = await run([play([task('debug', { msg: '{{ ansible_facts.hostname == ansible_hostname }}' }, { name: 'x' })], { gather_facts: true })]);
    expect(out.order()[0]).toMatch(/^Gathering Facts:h\d:ok$/);
    expect(out.results('x')['h1']!.result['msg']).toBe(true);
  });
});

describe('vars_prompt without a terminal', () => {
  it('takes -e values and defaults, fails clearly otherwise', async () => {
    const prompts = [{ name: 'a', prompt: 'A?', default: 'da' }, { name: 'b', prompt: 'B?' }];
    const { out } = await run([play([task('debug', { msg: '{{ a }}-{{ b }}' }, { name: 'v' })], { vars_prompt: prompts })], { extraVars: { b: 'eb' } });
    expect(out.results('v')['h1']!.result['msg']).toBe('da-eb');
    if (!process.stdin.isTTY) await expect(run([play([], { vars_prompt: prompts })])).rejects.toThrow(/stdin is not a terminal/);
  });
});

describe('module_defaults', () => {
  it('fills arguments the task leaves out, task arguments win', async () => {
    const md = { module_defaults: { debug: { msg: 'from defaults' } } };
    const { out } = await run([play([task('debug', {}, { name: 'd' }), task('debug', { msg: 'own' }, { name: 'o' })], md)]);
    expect(out.results('d')['h1']!.result['msg']).toBe('from defaults');
    expect(out.results('o')['h1']!.result['msg']).toBe('own');
  });
});

describe('nested always before outer rescue', () => {
  it('runs the inner always, then the outer rescue, for a host that failed inside', async () => {
    const inner = block([task('fail', {}, { name: 'boom', when: ["inventory_hostname == 'h1'"] })], { always: [task('debug', {}, { name: 'inner always' })] });
    const outer = block([inner, task('debug', {}, { name: 'outer next' })], { rescue: [task('debug', {}, { name: 'outer rescue' })] });
    const { out, summary } = await run([play([outer])]);
    const h1 = out.order().filter((l) => l.includes(':h1:'));
    expect(h1).toEqual(['boom:h1:failed', 'inner always:h1:ok', 'outer rescue:h1:ok']);
    expect(summary.stats['h1']).toMatchObject({ rescued: 1, failures: 0 });
    expect(Object.keys(out.results('outer next')).sort()).toEqual(['h2', 'h3']);
  });
});
