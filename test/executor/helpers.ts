/**
 * Test helpers for the executor: hand-built plays/tasks, a real inventory from an INI
 * string, an event collector, and a tiny stand-in Templar (JS expressions with Jinja's
 * and/or/not/is defined) used only until tests run against the real template engine.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
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
  const dir = mkdtempSync(join(tmpdir(), 'philote-exec-'));
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

/** Stand-in Templar: `{{ expr }}` where expr is JavaScript after and/or/not/is defined rewriting. */
export class StubTemplar implements Templar {
  isTemplated(text: string): boolean {
    return /\{\{|\{%/.test(text);
  }
  render(value: unknown, ctx: TemplateContext): unknown {
    if (typeof value === 'string') {
      const whole = /^\{\{\s*((?:(?!\}\}).)*?)\s*\}\}$/s.exec(value);
      if (whole) return this.evaluate(whole[1]!, ctx);
      return value.replace(/\{\{\s*(.*?)\s*\}\}/g, (_m, e: string) => String(this.evaluate(e, ctx)));
    }
    if (Array.isArray(value)) return value.map((v) => this.render(v, ctx));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const r = this.render(v, ctx);
        if (r !== OMIT) out[k] = r;
      }
      return out;
    }
    return value;
  }
  renderText(text: string, ctx: TemplateContext): string {
    return String(this.render(text, ctx));
  }
  evaluate(expression: string, ctx: TemplateContext): unknown {
    const js = expression
      .replace(/(\S+) not in (\[[^\]]*\]|\w+)/g, '!$2.includes($1)')
      .replace(/(\S+) in (\[[^\]]*\]|\w+)/g, '$2.includes($1)')
      .replace(/\b([\w.]+) is not defined\b/g, '(typeof $1 === "undefined")')
      .replace(/\b([\w.]+) is defined\b/g, '(typeof $1 !== "undefined")')
      .replace(/\b(\w+) is failed\b/g, '(!!$1.failed)')
      .replace(/\b(\w+) is changed\b/g, '(!!$1.changed)')
      .replace(/\band\b/g, '&&')
      .replace(/\bor\b/g, '||')
      .replace(/\bnot\b/g, '!')
      .replace(/\bTrue\b/g, 'true')
      .replace(/\bFalse\b/g, 'false');
    // py(list): Python's repr of a list of strings, as Jinja prints it inside text.
    const vars: Record<string, unknown> = { py: (l: string[]) => `[${l.map((x) => `'${x}'`).join(', ')}]`, String, ...ctx.vars };
    const scope = new Proxy(vars, {
      has: (t, k) => typeof k === 'string' && k in t,
      get: (t, k) => {
        if (k === Symbol.unscopables) return undefined;
        const v = t[k as string];
        return typeof v === 'string' && this.isTemplated(v) ? this.render(v, ctx) : v;
      },
    });
    try {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      return new Function('scope', `with (scope) { return (${js}); }`)(scope);
    } catch (e) {
      if (e instanceof UndefinedVariableError) throw e;
      if (e instanceof ReferenceError) throw new UndefinedVariableError(e.message.split(' ')[0]!);
      if (e instanceof TypeError && /undefined/.test(e.message)) throw new UndefinedVariableError(expression);
      throw e;
    }
  }
  evaluateConditional(condition: string | boolean, ctx: TemplateContext): boolean {
    if (typeof condition === 'boolean') return condition;
    return Boolean(this.evaluate(condition.replace(/^\{\{\s*|\s*\}\}$/g, ''), ctx));
  }
}
