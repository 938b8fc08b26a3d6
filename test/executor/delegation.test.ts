import { describe, expect, it } from 'vitest';
import { LocalConnection } from '../../src/connection/local.js';
import type { Connection, ConnectionPool, ConnectionSpec, ExecOptions } from '../../src/connection/types.js';
import { runPlays } from '../../src/executor/index.js';
import { Collector, createTemplar, inventory, options, play, task } from './helpers.js';

/** A pool that records specs and exec options, and runs everything locally. */
class RecordingPool implements ConnectionPool {
  specs: ConnectionSpec[] = [];
  execs: Array<{ host: string; options: ExecOptions | undefined }> = [];
  dropped: string[] = [];
  private conns = new Map<string, Connection>();
  async get(spec: ConnectionSpec): Promise<Connection> {
    let c = this.conns.get(spec.host);
    if (!c) {
      this.specs.push(spec);
      const local = new LocalConnection(spec.host);
      const execs = this.execs;
      c = Object.assign(Object.create(local) as Connection, {
        exec: (cmd: string, o?: ExecOptions) => {
          execs.push({ host: spec.host, options: o });
          return local.exec(cmd, o);
        },
      });
      this.conns.set(spec.host, c);
    }
    return c;
  }
  async drop(host: string): Promise<void> {
    this.dropped.push(host);
    this.conns.delete(host);
  }
  async closeAll(): Promise<void> {}
}

const ini = '[web]\nh1\nh2\n[db]\nh3 ansible_host=10.9.9.9 ansible_user=dbadmin ansible_port=2200\n[all:vars]\nansible_connection=ssh\n';

describe('connections per host, delegation, become, environment', () => {
  it('opens one connection per host for the run and uses the delegated host vars', async () => {
    const pool = new RecordingPool();
    const out = new Collector();
    await runPlays(
      [
        play(
          [
            task('ping', {}, { name: 'p1' }),
            task('ping', {}, { name: 'p2' }),
            task('ping', {}, { name: 'via h3', delegate_to: 'h3', become: true, become_user: 'postgres', environment: { FOO: 'bar' } }),
          ],
          { hosts: 'web' },
        ),
      ],
      options(await inventory(ini), out),
      { templar: createTemplar(), pool },
    );
    expect(pool.specs.map((s) => s.host).sort()).toEqual(['h1', 'h2', 'h3']);
    const h3 = pool.specs.find((s) => s.host === 'h3')!;
    expect(h3).toMatchObject({ address: '10.9.9.9', user: 'dbadmin', port: 2200, connection: 'ssh' });
    const viaH3 = pool.execs.filter((e) => e.host === 'h3');
    expect(viaH3).toHaveLength(2);
    expect(viaH3[0]!.options?.become).toMatchObject({ method: 'sudo', user: 'postgres' });
    expect(viaH3[0]!.options?.env).toEqual({ FOO: 'bar' });
    // h1 and h2 run the task in parallel: their results may come in either order.
    const results = out.events.filter((e) => e.type === 'host_result' && e.task.name === 'via h3');
    expect(results.map((e) => e.type === 'host_result' && [e.host, e.delegatedTo]).sort()).toEqual([['h1', 'h3'], ['h2', 'h3']]);
  });

  it('connection: local on the play wins over ssh defaults; a task timeout fails the task', async () => {
    const pool = new RecordingPool();
    const out = new Collector();
    await runPlays(
      [play([task('ping', {}, { name: 'p' }), task('pause', { seconds: 2 }, { name: 'slow', timeout: 1 })], { hosts: 'h1', connection: 'local' })],
      options(await inventory('h1\n'), out),
      { templar: createTemplar(), pool },
    );
    expect(pool.specs[0]!.connection).toBe('local');
    expect(out.results('slow')['h1']).toMatchObject({ status: 'failed' });
    expect(String(out.results('slow')['h1']!.result['msg'])).toMatch(/expected time frame \(1\)/);
  });
});
