/**
 * Applies a host's task result to the run, as Ansible's strategy does after each
 * result: the output line, stats, register, facts, inventory changes, notify,
 * and the host's failed/unreachable/rescued state.
 */
import { stripInternal } from '../output/results.js';
import { RESOLVED_ACTION, resultFacts } from './task-runner.js';
import type { HostStatus, TaskInfo } from '../output/events.js';
import type { ModuleResult } from '../modules/types.js';
import type { Task, TaskItem } from '../playbook/types.js';
import type { HostRun, PlayRun, Scope } from './context.js';
import { unwrapUnsafe, wrapUnsafe } from '../template/unsafe.js';
import { censor, statusOf } from './results.js';
import type { HostOutcome } from './task-runner.js';
import { PhiloteError } from '../errors.js';

let failCounter = 0;

/**
 * iterator.mark_host_failed for a host inside a block with a rescue: it goes to the rescue (the
 * frame), not out of the play; an outer always no longer counts it as leaving.
 */
export function failIntoRescue(scope: Scope, h: HostRun): void {
  scope.rescueFrame?.add(h);
  scope.exempt?.delete(h);
}

export function markFailed(pr: PlayRun, h: HostRun): void {
  h.failEpoch = ++failCounter;
  pr.run.deadHosts.add(h.name);
  pr.run.failedHosts.add(h.name);
}

/** Ansible's serialisation of the failed task for ansible_failed_task. */
function taskAsVar(task: Task, info: TaskInfo): Record<string, unknown> {
  return { name: task.name ?? info.name, action: task.action, args: task.args, when: task.when ?? [], tags: task.tags ?? [] };
}

/**
 * The handlers a notification reaches, as the 2.14 strategy finds them: by name, one handler
 * only, the first match in the last handler block that has one ("last handler loaded with the
 * same name wins" across roles and the play, the first within one block), then every handler
 * listening to it. A handler's names: its name, "role : name" and, for a collection's role,
 * "ns.coll.role : name". Blocks are runs of handlers from the same role (or the play).
 */
export function findHandlers(handlers: TaskItem[], name: string, nameOf: (h: TaskItem) => string | undefined = (h) => h.name): TaskItem[] {
  const out: TaskItem[] = [];
  const tasks = handlers.filter((h) => h.kind !== 'block');
  const blocks: TaskItem[][] = [];
  for (const h of tasks) {
    const last = blocks[blocks.length - 1];
    if (last && last[0]!.role?.id === h.role?.id) last.push(h);
    else blocks.push([h]);
  }
  const namesOf = (h: TaskItem): string[] => {
    const own = nameOf(h);
    if (!own) return [];
    if (!h.role) return [own];
    const short = h.role.collection ? h.role.name.slice(h.role.collection.length + 1) : h.role.name;
    return [own, `${short} : ${own}`, `${h.role.name} : ${own}`];
  };
  for (const block of [...blocks].reverse()) {
    const hit = block.find((h) => namesOf(h).includes(name));
    if (hit) {
      out.push(hit);
      break;
    }
  }
  for (const h of tasks) {
    const listen = h.kind === 'task' ? (h.listen ?? []) : [];
    if (listen.includes(name) && !out.includes(h)) out.push(h);
  }
  return out;
}

const templatedNames = new WeakMap<TaskItem, string | undefined>();

/**
 * A handler's name as notifications match it: templated once, when first searched (the
 * strategy's cached_name). A name that cannot be templated leaves the handler reachable only
 * through `listen`, with the strategy's warning when it has none.
 */
function handlerName(pr: PlayRun, h: TaskItem, host: string): string | undefined {
  if (templatedNames.has(h)) return templatedNames.get(h);
  let name = h.name;
  if (name && pr.run.templar.isTemplated(name)) {
    try {
      name = String(pr.run.templar.render(name, { vars: pr.run.vm.getVars(host, { role: h.role }), location: h.loc }));
    } catch (e) {
      if (!(h.kind === 'task' && h.listen?.length)) {
        pr.run.output.emit({
          type: 'warning',
          message: `Handler '${h.name}' is unusable because it has no listen topics and the name could not be templated (host-specific variables are not supported in handler names). The error: ${(e as Error).message}`,
        });
      }
      name = undefined;
    }
  }
  templatedNames.set(h, name);
  return name;
}

/** An error ansible-core's strategy raises (a notify naming no handler, flush_handlers as a handler): it ends the run. */
export class StrategyError extends PhiloteError {}

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
  const notify = task.notify ?? scope.notify;
  if (r.changed && o.status !== 'failed' && notify?.length) {
    for (const name of o.notify ?? notify) {
      const hs = findHandlers(pr.handlers, name, (hd) => handlerName(pr, hd, host.name));
      if (!hs.length) {
        const message = `The requested handler '${name}' was not found in either the main handlers list nor in the listening handlers list`;
        // ERROR_ON_MISSING_HANDLER (true by default): the strategy raises, which ends the run.
        if (run.options.errorOnMissingHandler !== false) throw new StrategyError('runtime', message);
        run.output.emit({ type: 'warning', message });
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
    // As the strategy's register: internal _ansible_* keys dropped at every level, and invocation.
    const reg = stripInternal(r) as ModuleResult;
    delete reg['invocation'];
    if (reg.failed === undefined && !reg.skipped) reg.failed = false;
    // A registered result is data from the node: never templated again (wrap_var).
    const wrapped = wrapUnsafe(reg);
    for (const t of targets) vm.setNonPersistent(t.name, { [task.register]: wrapped });
  }

  if (!r.failed && !r.unreachable) {
    const delegateFacts = o.delegatedTo && task.delegate_facts !== undefined && String(task.delegate_facts).toLowerCase() in { true: 1, yes: 1 };
    for (const item of eachResult(r)) {
      if (item.failed || item.skipped) continue;
      const facts = resultFacts(task.action, item);
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
    if (scope.rescueFrame && o.includeLoadFailure) {
      stats.bump(h.name, 'failures');
      failIntoRescue(scope, h);
    } else if (scope.rescueFrame) {
      // A handler failing in a flush inside the block: the rescue runs, but the strategy counts
      // it as a failure (its handler state is not "rescuing"), which the exit code reflects.
      if (scope.inHandlers) {
        stats.bump(h.name, 'failures');
        pr.run.failedHosts.add(h.name);
      } else stats.bump(h.name, 'rescued');
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
