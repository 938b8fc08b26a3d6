/**
 * Test helpers for the executor: hand-built plays/tasks, a real inventory from an INI
 * string, an event collector, and a tiny stand-in Templar (JS expressions with Jinja's
 * and/or/not/is defined) used only until tests run against the real template engine.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UndefinedVariableError } from '../../src/errors.js';
import { loadInventory } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/types.js';
import type { OutputSink, RunEvent } from '../../src/output/events.js';
import type { Block, Play, Task, TaskItem } from '../../src/playbook/types.js';
import type { RunOptions } from '../../src/executor/types.js';
import type { Templar, TemplateContext } from '../../src/template/types.js';
import { OMIT } from '../../src/template/types.js';
import { tempDir } from '../helpers/temp-dir.js';

const loc = { file: 'test.yml', line: 1, column: 1 };

export function task(action: string, args: Record<string, unknown> = {}, extra: Partial<Task> = {}): Task {
  return { kind: 'task', action, actionAsWritten: action, args, loc, ...extra };
}

export function block(body: TaskItem[], extra: Partial<Block> = {}): Block {
  return { kind: 'block', block: body, rescue: [], always: [], loc, ...extra };
}

export function play(tasks: TaskItem[], extra: Partial<Play> = {}): Play {
  return {
    kind: 'play',
    loc,
    name: 'test play',
    hosts: 'all',
    gather_facts: false,
    vars_files: [],
    pre_tasks: [],
    roles: [],
    tasks,
    post_tasks: [],
    handlers: [],
    baseDir: tmpdir(),
    ...extra,
  };
}

export async function inventory(ini = '[web]\nh1\nh2\n[db]\nh3\n[all:vars]\nansible_connection=local\n'): Promise<Inventory> {
  const dir = tempDir('philote-exec-');
  const f = join(dir, 'hosts.ini');
  writeFileSync(f, ini);
  return loadInventory([f]);
}

export class Collector implements OutputSink {
  events: RunEvent[] = [];
  emit(e: RunEvent): void {
    this.events.push(e);
  }
  async close(): Promise<void> {}
  /** Final (non-item) results per task name and host. */
  results(taskName: string): Record<string, { status: string; result: Record<string, unknown> }> {
    const out: Record<string, { status: string; result: Record<string, unknown> }> = {};
    for (const e of this.events) if (e.type === 'host_result' && !e.item && e.task.name === taskName) out[e.host] = { status: e.status, result: e.result };
    return out;
  }
  order(): string[] {
    return this.events.flatMap((e) => (e.type === 'host_result' && !e.item ? [`${e.task.name}:${e.host}:${e.status}`] : []));
  }
}

export function options(inv: Inventory, out: OutputSink, extra: Partial<RunOptions> = {}): RunOptions {
  return {
    playbooks: [],
    inventory: inv,
    extraVars: {},
    forks: 5,
    check: false,
    diff: false,
    verbosity: 0,
    forceHandlers: false,
    timeoutSec: 10,
    hostKeyChecking: true,
    become: false,
    rolesPath: [],
    gathering: 'implicit',
    output: out,
    ...extra,
  };
}

/** Executor tests render with the real template engine (issue 16: no JavaScript stand-in). */
export { createTemplar } from '../../src/template/index.js';
