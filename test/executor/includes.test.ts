import { describe, expect, it } from 'vitest';
import { runPlays } from '../../src/executor/index.js';
import type { Block, IncludeItem, PlaybookLoader, TaskItem } from '../../src/playbook/types.js';
import { Collector, createTemplar, inventory, options, play, task } from './helpers.js';

const loc = { file: 'inc.yml', line: 1, column: 1 };

/** A loader that serves task files from memory. */
function memoryLoader(files: Record<string, TaskItem[]>): PlaybookLoader {
  return {
    loadPlaybook: async () => ({ file: 'x', plays: [] }),
    loadIncludedTasks: async (file) => {
      const f = files[file];
      if (!f) throw new Error(`Could not find or access '${file}'`);
      return f;
    },
    loadIncludedRole: async (args) => {
      const role = { name: args.name, path: '/roles/' + args.name, defaults: { rd: 'role-default' }, vars: {}, params: {}, id: 'r-' + args.name };
      const block: Block = { kind: 'block', block: [task('debug', { msg: '{{ rd }}' }, { name: 'in role', role })], rescue: [], always: [], loc, role };
      return { role, block, handlers: [] };
    },
  };
}

function include(action: 'include_tasks' | 'include_role', args: Record<string, unknown>, extra: Partial<IncludeItem> = {}): IncludeItem {
  return { kind: 'include', action, actionAsWritten: action, args, loc, baseDir: '/', ...extra };
}

describe('dynamic includes', () => {
  it('include_tasks with when, vars and loop; include result counted ok', async () => {
    const loader = memoryLoader({ 'a.yml': [task('debug', { msg: '{{ who }}-{{ item }}' }, { name: 'inner' })] });
    const out = new Collector();
    const inv = await inventory();
    const summary = await runPlays(
      [play([include('include_tasks', { file: 'a.yml' }, { name: 'inc', loop: [1, 2], vars: { who: 'w' }, when: ["inventory_hostname != 'h3'"] })])],
      options(inv, out),
      { templar: createTemplar(), loader },
    );
    const inner = out.events.flatMap((e) => (e.type === 'host_result' && e.task.name === 'inner' ? [`${e.host}:${String(e.result.msg)}`] : []));
    expect(inner.sort()).toEqual(['h1:w-1', 'h1:w-2', 'h2:w-1', 'h2:w-2']);
    expect(out.results('inc')['h3']!.status).toBe('skipped');
    // One ok per included item (2) plus the two inner tasks, as ansible-core counts.
    expect(summary.stats['h1']).toMatchObject({ ok: 4, skipped: 0 });
  });

  it('a missing include file fails the host', async () => {
    const out = new Collector();
    const summary = await runPlays([play([include('include_tasks', { _raw_params: 'nope.yml' }, { name: 'inc' })])], options(await inventory(), out), {
      templar: createTemplar(),
      loader: memoryLoader({}),
    });
    expect(summary.exitCode).toBe(2);
    expect(summary.stats['h1']!.failures).toBe(1);
  });

  it('include_role exposes role defaults and role_name to its tasks', async () => {
    const out = new Collector();
    await runPlays([play([include('include_role', { name: 'web' }, { name: 'ir' })])], options(await inventory(), out), {
      templar: createTemplar(),
      loader: memoryLoader({}),
    });
    expect(out.results('web : in role')['h2']!.result['msg']).toBe('role-default');
  });
});

describe('free strategy and vars_files', () => {
  it('free runs each host through the tasks independently', async () => {
    const out = new Collector();
    const summary = await runPlays([play([task('debug', { msg: '1' }, { name: 'a' }), task('debug', { msg: '2' }, { name: 'b' })], { strategy: 'free' })], options(await inventory(), out), {
      templar: createTemplar(),
    });
    expect(summary.stats['h3']!.ok).toBe(2);
  });
});
