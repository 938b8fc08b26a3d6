import { describe, expect, it } from 'vitest';
import { LocalConnection } from '../../../src/connection/local.js';
import { controllerModules } from '../../../src/modules/controller/index.js';
import { resolveModule } from '../../../src/modules/registry.js';
import type { AnyModuleDefinition, ModuleContext, ModuleResult } from '../../../src/modules/types.js';
import { createTemplar } from '../../executor/helpers.js';

const templar = createTemplar();

async function call(name: string, args: Record<string, unknown>, vars: Record<string, unknown> = {}, verbosity = 0): Promise<ModuleResult> {
  const def = resolveModule(name) as AnyModuleDefinition;
  const parsed = def.schema ? def.schema.safeParse(args) : { success: true as const, data: args };
  if (!parsed.success) return { failed: true, msg: parsed.error.issues[0]!.message, invalid: true };
  const ctx: ModuleContext = {
    hostname: 'h1',
    args: parsed.data as Record<string, unknown>,
    vars,
    checkMode: false,
    diffMode: false,
    verbosity,
    connection: async () => new LocalConnection('h1'),
    templar,
    findFile: () => undefined,
    signal: new AbortController().signal,
    warn: () => {},
  };
  return def.run(ctx);
}

describe('controller module registry', () => {
  it('registers every module under its short name and FQCN', () => {
    for (const m of controllerModules) {
      expect(resolveModule(m.name)).toBe(m);
      expect(resolveModule(`ansible.builtin.${m.name}`)).toBe(m);
    }
  });
});

describe('debug', () => {
  it('defaults to Hello world!', async () => {
    expect((await call('debug', {})).msg).toBe('Hello world!');
  });
  it('var evaluates an expression, undefined shows the marker', async () => {
    expect(await call('debug', { var: 'a.b' }, { a: { b: 3 } })).toMatchObject({ 'a.b': 3, changed: false });
    expect((await call('debug', { var: 'nope' }))['nope']).toBe('VARIABLE IS NOT DEFINED!');
  });
  it('msg and var together fail; verbosity threshold skips', async () => {
    expect((await call('debug', { msg: 'x', var: 'y' })).failed).toBe(true);
    expect(await call('debug', { msg: 'x', verbosity: 2 }, {}, 1)).toMatchObject({ skipped: true, skipped_reason: 'Verbosity threshold not met.' });
    expect((await call('debug', { msg: 'x', verbosity: 2 }, {}, 2)).msg).toBe('x');
  });
  it('rejects unknown options', async () => {
    expect((await call('debug', { mgs: 'x' })).invalid).toBe(true);
  });
});

describe('set_fact', () => {
  it('returns facts, converts yes/no strings, marks cacheable', async () => {
    expect(await call('set_fact', { a: 1, b: 'yes', c: 'No', cacheable: true })).toEqual({
      changed: false,
      ansible_facts: { a: 1, b: true, c: false },
      _ansible_facts_cacheable: true,
    });
  });
  it('rejects bad names and empty args', async () => {
    expect((await call('set_fact', { 'bad-name': 1 })).failed).toBe(true);
    expect((await call('set_fact', {})).msg).toMatch(/No key\/value pairs/);
  });
});

describe('assert / fail', () => {
  it('passes with All assertions passed', async () => {
    expect(await call('assert', { that: ['n > 1', 'n < 10'] }, { n: 5 })).toMatchObject({ changed: false, msg: 'All assertions passed' });
  });
  it('reports the failing assertion', async () => {
    expect(await call('assert', { that: ['n > 1', 'n > 10'], fail_msg: 'too small' }, { n: 5 })).toMatchObject({
      failed: true,
      assertion: 'n > 10',
      evaluated_to: false,
      msg: 'too small',
    });
    expect((await call('assert', { that: 'false' })).msg).toBe('Assertion failed');
  });
  it('fail has Ansible default message', async () => {
    expect(await call('fail', {})).toMatchObject({ failed: true, msg: 'Failed as requested from task' });
  });
});

describe('inventory and stats modules', () => {
  // `changed` is decided by the executor from what the inventory gained (case 57 compares it with ansible-playbook).
  it('add_host parses name:port (as ansible_ssh_port) and groups', async () => {
    expect(await call('add_host', { name: 'n1:2222', groups: 'a,b', foo: 1 })).toEqual({
      changed: false,
      add_host: { host_name: 'n1', groups: ['a', 'b'], host_vars: { foo: 1, ansible_ssh_port: 2222 } },
    });
  });
  it('group_by replaces spaces and defaults parents to all', async () => {
    expect(await call('group_by', { key: 'os linux' })).toEqual({ changed: false, add_group: 'os-linux', parent_groups: ['all'] });
  });
  it('set_stats defaults', async () => {
    expect(await call('set_stats', { data: { x: 1 } })).toEqual({ changed: false, ansible_stats: { data: { x: 1 }, per_host: false, aggregate: true } });
  });
});

describe('ping and pause', () => {
  it('ping goes through the connection', async () => {
    expect(await call('ping', {})).toEqual({ changed: false, ping: 'pong' });
    expect(await call('ping', { data: 'hi' })).toEqual({ changed: false, ping: 'hi' });
  });
  it('pause waits for seconds and refuses a prompt without a TTY', async () => {
    const t0 = Date.now();
    const r = await call('pause', { seconds: '0.2' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
    expect(r).toMatchObject({ changed: false, rc: 0, stdout: 'Paused for 0.2 seconds' });
    if (!process.stdin.isTTY) expect((await call('pause', { prompt: 'go?' })).msg).toMatch(/not a TTY/);
  });
});
