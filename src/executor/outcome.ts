/**
 * Applies a host's task result to the run, as Ansible's strategy does after each
 * result: the output line, stats, register, facts, inventory changes, notify,
 * and the host's failed/unreachable/rescued state.
 */
import { RESOLVED_ACTION } from './task-runner.js';
import type { HostStatus, TaskInfo } from '../output/events.js';
import type { ModuleResult } from '../modules/types.js';
import type { Task, TaskItem } from '../playbook/types.js';
import type { HostRun, PlayRun, Scope } from './context.js';
import { unwrapUnsafe, wrapUnsafe } from '../template/unsafe.js';
import { censor, statusOf } from './results.js';
import type { HostOutcome } from './task-runner.js';

let failCounter = 0;

export function markFailed(pr: PlayRun, h: HostRun): void {
  h.failEpoch = ++failCounter;
  pr.run.deadHosts.add(h.name);
  pr.run.failedHosts.add(h.name);
}

/** Ansible's serialisation of the failed task for ansible_failed_task. */
function taskAsVar(task: Task, info: TaskInfo): Record<string, unknown> {
  return { name: task.name ?? info.name, action: task.action, args: task.args, when: task.when ?? [], tags: task.tags ?? [] };
}

/** Notified handlers matching a name: by name, "role : name", or listen topic. */
export function findHandlers(handlers: TaskItem[], name: string): TaskItem[] {
  const out: TaskItem[] = [];
  for (const h of handlers) {
    // A handler may be an include_tasks/include_role as well as a task.
    if (h.kind === 'block') continue;
    const full = h.role ? `${h.role.name} : ${h.name}` : undefined;
    const listen = h.kind === 'task' ? (h.listen ?? []) : [];
    if (h.name === name || full === name || listen.includes(name)) out.push(h);
  }
  return out;
}

function eachResult(r: ModuleResult): ModuleResult[] {
  return Array.isArray(r['results']) ? (r['results'] as ModuleResult[]) : [r];
}

export function applyOutcome(pr: PlayRun, task: Task, scope: Scope, o: HostOutcome, info: TaskInfo, runOnceHosts?: HostRun[]): void {
  const run = pr.run;
  const vm = run.vm;
  const r = o.result;
  const host = o.host;
  const resolvedAction = (r as Record<symbol, unknown>)[RESOLVED_ACTION];
  const ev = {
    type: 'host_result' as const,
    task: typeof resolvedAction === 'string' ? { ...info, action: resolvedAction } : info,
    host: host.name,
    status: o.status,
    result: unwrapUnsafe(o.noLog ? censor(r) : r),
    ...(o.ignored ? { ignored: true } : {}),
    ...(o.delegatedTo ? { delegatedTo: o.delegatedTo } : {}),
    ...(o.diffMode !== undefined ? { diff: o.diffMode } : {}),
  };
  // Handlers are notified before the result is shown (NOTIFIED HANDLER comes first at -vv, as the
  // strategy processes notifications before the result callback).
  if (r.changed && o.status !== 'failed' && task.notify?.length) {
    for (const name of task.notify) {
      const hs = findHandlers(pr.handlers, name);
      if (!hs.length) {
        run.output.emit({ type: 'warning', message: `The requested handler '${name}' was not found in either the main handlers list nor in the listening handlers list` });
        continue;
      }
      // Only the host that ran the task is notified, run_once included (ansible-core 2.14).
      for (const hd of hs) {
        if (host.notified.has(hd)) continue;
        host.notified.add(hd);
        run.output.emit({ type: 'handler_notified', handler: hd.name ?? name, host: host.name });
      }
    }
  }
  run.output.emit(ev);

  const targets = runOnceHosts ?? [host];
  if (task.register) {
    const reg = { ...r };
    if (reg.failed === undefined && !reg.skipped) reg.failed = false;
    // A registered result is data from the node: never templated again (wrap_var).
    const wrapped = wrapUnsafe(reg);
    for (const t of targets) vm.setNonPersistent(t.name, { [task.register]: wrapped });
  }

  if (!r.failed && !r.unreachable) {
    const delegateFacts = o.delegatedTo && task.delegate_facts !== undefined && String(task.delegate_facts).toLowerCase() in { true: 1, yes: 1 };
    for (const item of eachResult(r)) {
      if (item.failed || item.skipped) continue;
      const facts = item.ansible_facts;
      if (facts && typeof facts === 'object') {
        const factHosts = delegateFacts ? [o.delegatedTo!] : targets.map((t) => t.name);
        for (const fh of factHosts) {
          if (task.action === 'include_vars') vm.setIncludeVars(fh, facts);
          else if (task.action === 'set_fact') {
            vm.setNonPersistent(fh, facts);
            if (item['_ansible_facts_cacheable']) vm.setHostFacts(fh, facts);
          } else vm.setHostFacts(fh, facts);
        }
      }
      const stats = item['ansible_stats'] as { data?: Record<string, unknown>; per_host?: boolean; aggregate?: boolean } | undefined;
      if (stats?.data) {
        const key = stats.per_host ? host.name : '_run';
        const cur = (run.customStats[key] ??= {});
        for (const [k, v] of Object.entries(stats.data)) {
          const prev = cur[k];
          if (stats.aggregate !== false && typeof prev === 'number' && typeof v === 'number') cur[k] = prev + v;
          else if (stats.aggregate !== false && Array.isArray(prev) && Array.isArray(v)) cur[k] = [...prev, ...v];
          else if (stats.aggregate !== false && prev && v && typeof prev === 'object' && typeof v === 'object') cur[k] = { ...prev, ...v };
          else cur[k] = v;
        }
      }
    }
  }

  countAndMark(pr, task, scope, o, info);

}

function countAndMark(pr: PlayRun, task: Task, scope: Scope, o: HostOutcome, info: TaskInfo): void {
  const stats = pr.run.stats;
  const h = o.host;
  const r = o.result;
  const status: HostStatus = o.status;
  if (status === 'unreachable') {
    if (o.ignored) {
      stats.bump(h.name, 'ok');
      stats.bump(h.name, 'ignored');
    } else {
      stats.bump(h.name, 'unreachable');
      h.unreachable = true;
      pr.run.deadHosts.add(h.name);
      pr.run.unreachableHosts.add(h.name);
    }
    return;
  }
  if (status === 'failed') {
    // A failure counts as changed only when it is ignored (rescued or not, ansible-core 2.14).
    if (o.ignored) {
      stats.bump(h.name, 'ok');
      stats.bump(h.name, 'ignored');
      if (r.changed) stats.bump(h.name, 'changed');
      return;
    }
    if (scope.rescueFrame) {
      stats.bump(h.name, 'rescued');
      scope.rescueFrame.add(h);
      scope.exempt?.delete(h);
      pr.run.vm.setNonPersistent(h.name, { ansible_failed_task: wrapUnsafe(taskAsVar(task, info)), ansible_failed_result: wrapUnsafe(r) });
    } else {
      stats.bump(h.name, 'failures');
      markFailed(pr, h);
    }
    return;
  }
  if (status === 'skipped') {
    stats.bump(h.name, 'skipped');
    return;
  }
  stats.bump(h.name, 'ok');
  if (status === 'changed') stats.bump(h.name, 'changed');
}

export { statusOf };
