/**
 * loop_control as TaskExecutor._run_loop reads it: loop_var, index_var, pause and extended are
 * templated once with the task's variables (LoopControl.post_validate); label is templated per
 * item by the caller. The same rules serve looped tasks and looped include_tasks/include_role.
 */
import type { LoopControl } from '../playbook/types.js';
import type { Vars } from '../template/types.js';
import type { PlayRun } from './context.js';
import { kwBool } from './task-runner.js';

export interface ResolvedLoopControl {
  loopVar: string;
  indexVar?: string;
  extended: boolean;
  allitems: boolean;
  pause: number;
}

export function resolveLoopControl(pr: PlayRun, lc: LoopControl | undefined, vars: Vars): ResolvedLoopControl {
  const c = lc ?? {};
  const text = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(pr.run.templar.render(v, { vars })));
  const pause = c.pause === undefined ? 0 : Number(pr.run.templar.render(c.pause, { vars }));
  const out: ResolvedLoopControl = {
    loopVar: text(c.loop_var) ?? 'item',
    extended: kwBool(pr, c.extended, vars),
    allitems: c.extended_allitems === undefined || kwBool(pr, c.extended_allitems, vars),
    pause: Number.isFinite(pause) ? pause : 0,
  };
  const index = text(c.index_var);
  if (index !== undefined) out.indexVar = index;
  return out;
}

/** The variables item `i` of `items` adds: the loop variable, ansible_loop_var, the index and ansible_loop. */
export function loopVarsFor(lc: ResolvedLoopControl, items: unknown[], i: number): Record<string, unknown> {
  const v: Record<string, unknown> = { [lc.loopVar]: items[i], ansible_loop_var: lc.loopVar };
  if (lc.indexVar) {
    v[lc.indexVar] = i;
    v['ansible_index_var'] = lc.indexVar;
  }
  if (lc.extended) v['ansible_loop'] = extendedLoop(items, i, lc.allitems);
  return v;
}

function extendedLoop(items: unknown[], i: number, allitems: boolean): Record<string, unknown> {
  const n = items.length;
  const l: Record<string, unknown> = {
    index: i + 1,
    index0: i,
    revindex: n - i,
    revindex0: n - i - 1,
    first: i === 0,
    last: i === n - 1,
    length: n,
  };
  if (i > 0) l['previtem'] = items[i - 1];
  if (i < n - 1) l['nextitem'] = items[i + 1];
  if (allitems) l['allitems'] = items;
  return l;
}
