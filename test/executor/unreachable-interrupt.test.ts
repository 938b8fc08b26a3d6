import { describe, expect, it } from 'vitest';
import { runPlays } from '../../src/executor/index.js';
import { Collector, createTemplar, inventory, options, play, task } from './helpers.js';

const ini = '[ok]\nh1 ansible_connection=local\n[down]\nh2 ansible_connection=ssh ansible_host=127.0.0.1 ansible_port=1 ansible_user=nobody\n';

describe('unreachable hosts', () => {
  it('marks the host unreachable for the rest of the play, others go on; exit 4', async () => {
    const out = new Collector();
    const summary = await runPlays([play([task('ping', {}, { name: 'p' }), task('debug', {}, { name: 'after' })])], options(await inventory(ini), out, { timeoutSec: 3, hostKeyChecking: false }), {
      templar: createTemplar(),
    });
    expect(out.results('p')['h2']!.status).toBe('unreachable');
    expect(out.results('p')['h1']!.result['ping']).toBe('pong');
    expect(Object.keys(out.results('after'))).toEqual(['h1']);
    expect(summary.stats['h2']!.unreachable).toBe(1);
    expect(summary.exitCode).toBe(4);
  }, 20_000);

  it('ignore_unreachable keeps the host in the play', async () => {
    const out = new Collector();
    const summary = await runPlays(
      [play([task('ping', {}, { name: 'p', ignore_unreachable: true }), task('debug', {}, { name: 'after' })], { hosts: 'down' })],
      options(await inventory(ini), out, { timeoutSec: 3, hostKeyChecking: false }),
      { templar: createTemplar() },
    );
    expect(out.results('after')['h2']!.status).toBe('ok');
    expect(summary.exitCode).toBe(0);
  }, 20_000);
});

describe('interruption', () => {
  it('stops dispatching on abort, ends with playbook_end interrupted and exit 99', async () => {
    const out = new Collector();
    const ac = new AbortController();
    const p = runPlays(
      [play([task('pause', { seconds: 0.3 }, { name: 'wait' }), task('debug', {}, { name: 'after' })])],
      options(await inventory(), out, { signal: ac.signal }),
      { templar: createTemplar() },
    );
    setTimeout(() => ac.abort(), 50);
    const summary = await p;
    expect(summary.exitCode).toBe(99);
    expect(out.results('after')).toEqual({});
    const end = out.events.at(-1);
    expect(end).toMatchObject({ type: 'playbook_end', interrupted: true });
  });
});
