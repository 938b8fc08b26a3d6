/**
 * `meta:` actions, run by the executor itself. As in Ansible's linear strategy,
 * end_host, noop, reset_connection and flush_handlers act per host; the others
 * run once, with the conditional evaluated for the first host.
 */
import { refreshInventory } from '../inventory/index.js';
import { applyInventoryResult } from './inventory-changes.js';
import { StrategyError } from './outcome.js';
import type { Task } from '../playbook/types.js';
import type { ModuleResult } from '../modules/types.js';
import type { HostRun, PlayRun, Scope } from './context.js';
import { taskInfo } from './context.js';
import { flushHandlers, refreshActive } from './items-runner.js';
import { failedResult } from './results.js';
import { firstFalse, varLayers } from './task-runner.js';

const PER_HOST = new Set(['noop', 'reset_connection', 'end_host', 'flush_handlers', 'role_complete']);
const KNOWN = new Set([...PER_HOST, 'end_play', 'end_batch', 'clear_host_errors', 'clear_facts', 'refresh_inventory']);

/** What _execute_meta says of each action at -vv ("META: ..."). */
const META_MESSAGES: Record<string, (host: string) => string> = {
  noop: () => 'noop',
  refresh_inventory: () => 'inventory successfully refreshed',
  clear_facts: () => 'facts cleared',
  clear_host_errors: () => 'cleared host errors',
  end_batch: () => 'ending batch',
  end_play: () => 'ending play',
  end_host: (host) => `ending play for ${host}`,
  reset_connection: () => 'reset connection',
};

export async function runMeta(pr: PlayRun, task: Task, hosts: HostRun[], scope: Scope): Promise<void> {
  const run = pr.run;
  const action = String(task.args['_raw_params'] ?? '').trim();
  const info = taskInfo(pr, task, scope, Boolean(scope.inHandlers));
  const emit = (h: HostRun, result: ModuleResult) => {
    run.output.emit({ type: 'host_result', task: info, host: h.name, status: result.failed ? 'failed' : result.skipped ? 'skipped' : 'ok', result });
  };
  // The strategy announces an explicit meta task like any other (TASK [meta] banner); a meta that
  // acts per host is executed, and announced, once per host (_execute_meta sends the banner).
  const banner = (hs: HostRun[]) => run.output.emit({ type: 'task_start', task: info, hosts: hs.map((h) => h.name) });
  const perHostBanner = PER_HOST.has(action) && action !== 'role_complete';
  if (action !== 'role_complete' && !perHostBanner) banner(hosts);
  if (!KNOWN.has(action)) {
    for (const h of hosts) emit(h, failedResult(`invalid meta action requested: ${action}`));
    return;
  }
  const meta = (header: string) => run.output.emit({ type: 'verbose', level: 2, message: `META: ${header}` });
  if (action === 'flush_handlers') {
    // A flush whose `when` is false for a host leaves that host's handlers notified.
    const skipped = new Set<HostRun>();
    const conds = [...scope.chain.flatMap((c) => c.when ?? []), ...(task.when ?? [])];
    for (const h of hosts) {
      banner([h]);
      const vars = conds.length ? run.vm.getVars(h.name, { role: task.role ?? scope.role, varLayers: varLayers(scope, task), includeParams: scope.includeParams, taskFile: task.loc.file }) : {};
      if (!conds.length || firstFalse(pr, conds, vars, task) === undefined) {
        if (scope.inHandlers) throw new StrategyError('runtime', 'flush_handlers cannot be used as a handler');
        meta(`triggered running handlers for ${h.name}`);
        continue;
      }
      skipped.add(h);
      const r = skippedMeta(action, h.name);
      meta(String(r['skip_reason']));
      emit(h, r);
    }
    if (skipped.size === hosts.length) return;
    await flushHandlers(pr, [...pr.hosts.values()].filter((h) => !skipped.has(h) && (hosts.includes(h) || h.notified.size > 0)), scope);
    return;
  }
  const targets = PER_HOST.has(action) ? hosts : hosts.slice(0, 1);
  for (const h of targets) {
    if (perHostBanner) banner([h]);
    const vars = run.vm.getVars(h.name, { role: task.role ?? scope.role, varLayers: varLayers(scope, task), includeParams: scope.includeParams, taskFile: task.loc.file });
    const conds = [...scope.chain.flatMap((c) => c.when ?? []), ...(task.when ?? [])];
    let holds: boolean;
    try {
      holds = firstFalse(pr, conds, vars, task) === undefined;
    } catch (e) {
      emit(h, failedResult(`The conditional check failed. The error was: ${(e as Error).message}`));
      continue;
    }
    if (!holds) {
      if (conds.length) {
        const r = skippedMeta(action, h.name);
        meta(String(r['skip_reason']));
        emit(h, r);
      }
      continue;
    }
    switch (action) {
      case 'end_host':
        h.ended = true;
        break;
      case 'end_play':
        pr.ended = true;
        break;
      case 'end_batch':
        pr.batchEnded = true;
        break;
      case 'clear_host_errors':
        // As in ansible-core 2.14: the hosts are no longer counted as failed (exit code,
        // later plays), but a host that already left this play does not come back.
        for (const x of pr.hosts.values()) {
          run.deadHosts.delete(x.name);
          run.failedHosts.delete(x.name);
          run.unreachableHosts.delete(x.name);
        }
        // A failed host running this meta (in an always section) has its state cleared
        // (iterator.clear_host_errors): it goes on with the tasks after the block.
        for (const x of hosts) if (!x.unreachable) x.failEpoch = 0;
        break;
      case 'clear_facts':
        for (const x of hosts) run.vm.clearFacts(x.name);
        break;
      case 'reset_connection':
        // The local connection plugin has no reset(): ansible-core warns and goes on.
        if (String(vars['ansible_connection'] ?? '') === 'local') run.output.emit({ type: 'warning', message: 'Reset is not implemented for this connection' });
        await run.pool.drop(h.name);
        break;
      case 'refresh_inventory':
        await refreshInventory(run.vm.inventory, (host, result) => applyInventoryResult(run.vm.inventory, host, { ...result }, false));
        run.vm.inventoryChanged();
        break;
      default:
        break;
    }
    if (action !== 'role_complete') meta(META_MESSAGES[action]?.(h.name) ?? action);
  }
  refreshActive(pr);
}

function skippedMeta(action: string, host: string): ModuleResult {
  if (action === 'end_host') {
    return {
      msg: `end_host conditional evaluated to false, continuing execution for ${host}`,
      skip_reason: `end_host conditional evaluated to False, continuing execution for ${host}`,
      skipped: true,
    };
  }
  if (action === 'end_play') return { msg: 'end_play', skip_reason: 'end_play conditional evaluated to False, continuing play', skipped: true };
  if (action === 'end_batch') return { msg: 'end_batch', skip_reason: 'end_batch conditional evaluated to False, continuing current batch', skipped: true };
  if (action === 'flush_handlers') return { msg: 'flush_handlers', skip_reason: `flush_handlers conditional evaluated to False, not running handlers for ${host}`, skipped: true };
  return { skip_reason: `${action} conditional evaluated to False`, skipped: true };
}
