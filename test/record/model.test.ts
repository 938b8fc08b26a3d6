/**
 * The report's model from recorded events, for what the browser test's run does not have: a run
 * cut short (no PLAY RECAP: totals counted from the results), an unreachable host, an ignored
 * failure, a loop (items skipped, the aggregate counted once), a task run again (handlers).
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent, TaskInfo } from '../../src/output/events.js';
import { buildModel, taskSeverity, sortBy } from '../../src/record/model.js';
import { reportHtml } from '../../src/record/report-html.js';
import type { RunRecord } from '../../src/record/store.js';

const loc = { file: '/x/site.yml', line: 3, column: 7 };
const task = (id: string, name: string, isHandler = false): TaskInfo => ({ id, name, action: 'command', loc, isHandler });
const t1 = task('t1', 'loop it');
const t2 = task('t2', 'may fail');
const h1 = task('h1', 'restart', true);

function record(events: RunEvent[]): RunRecord {
  return {
    meta: { id: '20261207-010000-abcd', playbooks: ['site.yml'], cwd: '/x', startedAt: '2026-12-07T01:00:00.000Z', check: false, diff: false, philoteVersion: '0.1.0', user: 'u' },
    events: events.map((event, i) => ({ at: 1_000_000 + i * 100, event })),
  };
}

const events: RunEvent[] = [
  { type: 'play_start', name: 'p', hosts: ['a', 'b', 'c'], id: 'p1', loc },
  { type: 'task_start', task: t1, hosts: ['a', 'b', 'c'] },
  { type: 'host_result', task: t1, host: 'a', status: 'changed', result: { changed: true }, item: { value: 1, label: '1' } },
  { type: 'host_result', task: t1, host: 'a', status: 'changed', result: { changed: true, results: [{}] } },
  { type: 'host_result', task: t1, host: 'b', status: 'ok', result: { changed: false } },
  { type: 'host_result', task: t1, host: 'c', status: 'unreachable', result: { unreachable: true, msg: 'no route' } },
  { type: 'task_start', task: t2, hosts: ['a', 'b'] },
  { type: 'host_result', task: t2, host: 'a', status: 'failed', result: { failed: true, msg: 'x' }, ignored: true },
  { type: 'host_result', task: t2, host: 'b', status: 'failed', result: { failed: true, msg: '<b>bad</b>' } },
  { type: 'task_start', task: h1, hosts: ['a'] },
  { type: 'host_result', task: h1, host: 'a', status: 'changed', result: { changed: true } },
  { type: 'warning', message: 'careful & <sure>' },
];

describe('report model', () => {
  it('counts a run that never reached its recap from the results', () => {
    const m = buildModel(record(events));
    expect(m.stats).toEqual({
      a: { ok: 2, changed: 2, unreachable: 0, failures: 0, skipped: 0, rescued: 0, ignored: 1 },
      b: { ok: 1, changed: 0, unreachable: 0, failures: 1, skipped: 0, rescued: 0, ignored: 0 },
      c: { ok: 0, changed: 0, unreachable: 1, failures: 0, skipped: 0, rescued: 0, ignored: 0 },
    });
    expect(m.tasks.map((t) => t.outcomes.length)).toEqual([3, 2, 1]);
    expect(m.end - m.start).toBe(1100);
    // Failed first (the unreachable host makes "loop it" a failed task too), then changed.
    expect(sortBy(m.tasks, taskSeverity).map((t) => t.task.id)).toEqual(['t1', 't2', 'h1']);
  });

  it('writes the page with every recorded string escaped', () => {
    const html = reportHtml(record(events));
    expect(html).toContain('&lt;b&gt;bad&lt;/b&gt;');
    expect(html).toContain('careful &amp; &lt;sure&gt;');
    expect(html).not.toContain('<b>bad</b>');
    expect(html).toContain('did not finish');
    expect(html).toContain('handler: restart');
    // Hosts table: the unreachable and the failed host before the changed one.
    const order = [...html.matchAll(/<tr data-host="(\w)">/g)].map((m) => m[1]);
    expect(order).toEqual(['b', 'c', 'a']);
  });
});
