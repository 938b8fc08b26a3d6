/**
 * Walks tasks, blocks and includes for a set of hosts in lock step (the linear
 * strategy; the free strategy calls it once per host). Blocks route failed hosts to
 * rescue and every host to always; dynamic includes are loaded per host and run for
 * the hosts that included the same file with the same parameters.
 */
import { IncludeDepthError, includeDepthError, MAX_INCLUDE_DEPTH } from './include-depth.js';
import type { Block, IncludeItem, Task, TaskBase, TaskItem } from '../playbook/types.js';
import type { ModuleResult } from '../modules/types.js';
import { withTaskContext } from './error-text.js';
import { isAbsolute, join } from 'node:path';
import type { HostRun, PlayRun, Scope } from './context.js';
import { effectiveTags, inherited, isRunnable, taskInfo } from './context.js';
import { applyOutcome, failIntoRescue, markFailed, StrategyError } from './outcome.js';
import { PhiloteError } from '../errors.js';
import { runMeta } from './meta.js';
import { failedResult, skippedResult, statusOf } from './results.js';
import { loopVarsFor, resolveLoopControl, type ResolvedLoopControl } from './loop-control.js';
import { shouldRunByTags } from './tags.js';
import { firstFalse, kwBool, runTaskForHost, varLayers, whenChain } from './task-runner.js';
import type { HostOutcome } from './task-runner.js';
import { resolveModule } from '../modules/registry.js';
import { pyStr } from '../output/pystr.js';

export async function runItems(pr: PlayRun, items: TaskItem[], hosts: HostRun[], scope: Scope): Promise<void> {
  for (const item of items) {
    if (pr.ended || pr.batchEnded || pr.run.signal.aborted) return;
    if (!hosts.some((h) => isRunnable(h, scope, pr))) return;
    if (item.kind === 'block') await runBlock(pr, item, hosts, scope);
    else if (item.kind === 'include') await runInclude(pr, item, hosts, scope);
    else await dispatchTask(pr, item, hosts, scope);
  }
}

async function runBlock(pr: PlayRun, block: Block, hosts: HostRun[], scope: Scope): Promise<void> {
  const entered = hosts.filter((h) => isRunnable(h, scope, pr));
  if (!entered.length) return;
  // Roles of `roles:` and role dependencies run once per play for the same parameters; a role
  // named by include_role/import_role always runs, and does not count as run for the others.
  if ((scope.dedupeRoles || block.roleDependency) && block.role && block.role.id !== scope.role?.id) {
    if (pr.rolesRun.has(block.role.id)) return;
    pr.rolesRun.add(block.role.id);
  }
  const epochAtEntry = new Map(entered.map((h) => [h, h.failEpoch]));
  const chain = [...scope.chain, block as TaskBase];
  const role = block.role ?? scope.role;
  const base: Scope = { ...scope, chain };
  if (role) base.role = role;
  if (block.includeParams) base.includeParams = { ...(scope.includeParams ?? {}), ...block.includeParams };
  if (block.rescue.length) {
    const frame = new Set<HostRun>();
    await runItems(pr, block.block, entered, { ...base, rescueFrame: frame, halted: [...scope.halted, frame] });
    const toRescue = entered.filter((h) => frame.has(h) && !h.unreachable);
    if (toRescue.length) await runItems(pr, block.rescue, toRescue, base);
  } else {
    await runItems(pr, block.block, entered, base);
  }
  if (block.always.length && !pr.ended && !pr.run.signal.aborted) {
    const allow = new Map(scope.allowFailed ?? []);
    for (const h of entered) if (h.failEpoch !== 0 && h.failEpoch !== epochAtEntry.get(h)) allow.set(h, h.failEpoch);
    // A host that failed here and is headed for an outer rescue runs this always section first.
    const exempt = new Set(scope.exempt ?? []);
    for (const h of entered) if (scope.halted.some((s) => s.has(h))) exempt.add(h);
    await runItems(pr, block.always, entered, { ...base, allowFailed: allow, exempt });
  }
}

function selectedByTags(pr: PlayRun, item: TaskBase, scope: Scope): boolean {
  const o = pr.run.options;
  return shouldRunByTags(effectiveTags(scope, item), o.tags ?? [], o.skipTags ?? []);
}

/** --start-at-task: skip everything before the first task with that name. */
function startAtTaskAllows(pr: PlayRun, task: Task, scope: Scope): boolean {
  const run = pr.run;
  if (run.startReached || scope.inHandlers) return true;
  const want = run.options.startAtTask;
  const role = task.role ?? scope.role;
  if (task.name === want || (role && `${role.name} : ${task.name}` === want)) {
    run.startReached = true;
    return true;
  }
  return false;
}

/** Refresh ansible_play_hosts after failures: the active hosts of the batch. */
export function refreshActive(pr: PlayRun): void {
  // ansible_play_hosts: every host of the play (all batches) not failed or unreachable.
  const active = pr.scope.hostsAll.filter((n) => {
    const h = pr.hosts.get(n);
    return h && h.failEpoch === 0 && !h.unreachable;
  });
  // A new array each time: results may hold the old one (a rendered "{{ ansible_play_hosts }}").
  pr.scope.activeHosts = active;
  // After every task: a Set, not active.includes per host (quadratic at 200 hosts).
  const kept = new Set(active);
  pr.scope.activeBatch = kept.size === pr.scope.hostsAll.length ? pr.scope.batch : pr.scope.batch.filter((n) => kept.has(n));
}

export async function dispatchTask(pr: PlayRun, task: Task, hosts: HostRun[], scope: Scope): Promise<void> {
  const run = pr.run;
  if (!scope.inHandlers && !selectedByTags(pr, task, scope)) return;
  if (!startAtTaskAllows(pr, task, scope)) return;
  const runnable = hosts.filter((h) => isRunnable(h, scope, pr));
  if (!runnable.length) return;
  if (task.action === 'meta') {
    await runMeta(pr, task, runnable, scope);
    return;
  }
  const firstVars = run.vm.getVars(runnable[0]!.name, { role: task.role ?? scope.role, varLayers: varLayers(scope, task), includeParams: scope.includeParams, taskFile: task.loc.file });
  const info = taskInfo(pr, task, scope, Boolean(scope.inHandlers || task.isHandler), firstVars);
  run.output.emit({ type: 'task_start', task: info, hosts: runnable.map((h) => h.name) });
  const def = resolveModule(task.action);
  const runOnce = kwBool(pr, inherited(scope, task, 'run_once'), firstVars) || Boolean(def?.bypassHostLoop);
  const targets = runOnce ? [runnable[0]!] : runnable;
  const throttleKw = inherited(scope, task, 'throttle');
  const throttle = throttleKw !== undefined ? Number(throttleKw) : 0;
  const runOne = (h: HostRun) => runTaskForHost({ pr, task, host: h, scope, info });
  const handle = (o: HostOutcome) => applyOutcome(pr, task, scope, o, info, runOnce ? runnable : undefined);
  if (throttle > 0 && throttle < run.options.forks) {
    // A task-level limit below forks: run in waves of `throttle` hosts.
    const pending = [...targets];
    const workers = Array.from({ length: throttle }, async () => {
      for (let h = pending.shift(); h; h = pending.shift()) handle(await run.queue.add(() => runOne(h!)) as HostOutcome);
    });
    await Promise.all(workers);
  } else {
    await Promise.all(targets.map(async (h) => handle((await run.queue.add(() => runOne(h))) as HostOutcome)));
  }
  afterTask(pr, task, scope, runnable);
}

/** any_errors_fatal and max_fail_percentage, checked after every task as Ansible's linear strategy does. */
function afterTask(pr: PlayRun, task: TaskBase, scope: Scope, ran: HostRun[]): void {
  refreshActive(pr);
  const failedNow = ran.filter((h) => h.failEpoch !== 0 || h.unreachable);
  if (failedNow.length && kwBool(pr, inherited(scope, task, 'any_errors_fatal') ?? pr.run.options.anyErrorsFatal, {})) {
    // The linear strategy leaves a host whose next task is in a rescue or always section running
    // (dont_fail_states): the hosts that failed here finish the always sections around them.
    const hasAlways = (b: TaskBase): boolean => {
      const always = (b as unknown as { always?: unknown[] }).always;
      return Array.isArray(always) && always.length > 0;
    };
    const inAlways = scope.chain.some(hasAlways);
    const others = pr.scope.batch.map((n) => pr.hosts.get(n)).filter((h): h is HostRun => !!h && h.failEpoch === 0 && !h.unreachable);
    // Nobody else to take out and the failed hosts go on to an always section: nothing breaks.
    if (inAlways && !others.length) return;
    for (const h of others) {
      markFailed(pr, h);
      h.broken = true;
    }
    pr.breakPlay = true;
    pr.run.failedBreak = true;
    refreshActive(pr);
    // Other hosts were taken out; the failed ones finish their always sections, then the play ends.
    if (inAlways) {
      pr.fatalDeferred = others.length ? 'announce' : 'quiet';
      return;
    }
    pr.ended = true;
    // Ansible's linear strategy: result != RUN_OK and every host left is failed.
    pr.run.output.emit({ type: 'no_more_hosts' });
    return;
  }
  if (pr.maxFailPercentage !== undefined) {
    const batch = pr.scope.batch;
    const failed = batch.filter((n) => {
      const h = pr.hosts.get(n);
      return h && (h.failEpoch !== 0 || h.unreachable);
    }).length;
    if (batch.length && (failed / batch.length) * 100 > pr.maxFailPercentage) {
      pr.ended = true;
      pr.breakPlay = true;
      pr.run.failedBreak = true;
      // ansible-core 2.14 sends v2_playbook_on_no_hosts_remaining twice here: once in the
      // max_fail_percentage branch, once more because every host left is now failed.
      pr.run.output.emit({ type: 'no_more_hosts' });
      pr.run.output.emit({ type: 'no_more_hosts' });
    }
  }
}

interface IncludeEntry {
  host: HostRun;
  file: string;
  params: Record<string, unknown>;
  key: string;
  /** The loop item as the default callback labels an include ('item' or loop_control.label). */
  label?: string;
}

async function runInclude(pr: PlayRun, inc: IncludeItem, hosts: HostRun[], scope: Scope): Promise<void> {
  const run = pr.run;
  if (!selectedByTags(pr, inc, scope)) return;
  const runnable = hosts.filter((h) => isRunnable(h, scope, pr));
  if (!runnable.length) return;
  if (!run.startReached && !scope.inHandlers) {
    // Ansible still walks into includes while looking for the start task.
  }
  const firstVars = run.vm.getVars(runnable[0]!.name, { role: inc.role ?? scope.role, varLayers: varLayers(scope, inc), includeParams: scope.includeParams, taskFile: inc.loc.file });
  const info = taskInfo(pr, inc, scope, Boolean(scope.inHandlers), firstVars);
  run.output.emit({ type: 'task_start', task: info, hosts: runnable.map((h) => h.name) });
  const templar = run.templar;
  const entries: IncludeEntry[] = [];
  const fileArg = inc.action === 'include_role' ? 'name' : 'file';
  for (const h of runnable) {
    const vars = run.vm.getVars(h.name, { role: inc.role ?? scope.role, varLayers: varLayers(scope, inc), includeParams: scope.includeParams, taskFile: inc.loc.file });
    const conds = whenChain(scope, inc);
    let result: ModuleResult;
    try {
      const items: Array<{ loopVars?: Record<string, unknown> }> = [];
      let lcr: ResolvedLoopControl | undefined;
      if (inc.loop === undefined) items.push({});
      else {
        const list = templar.renderKeepUnsafe(inc.loop, { vars, location: inc.loc });
        lcr = resolveLoopControl(pr, inc.loop_control, vars);
        const resolved = lcr;
        if (Array.isArray(list)) list.forEach((_it, i) => items.push({ loopVars: loopVarsFor(resolved, list, i) }));
      }
      const results: ModuleResult[] = [];
      for (const it of items) {
        const v = it.loopVars ? run.vm.getVars(h.name, { role: inc.role ?? scope.role, varLayers: varLayers(scope, inc), includeParams: scope.includeParams, taskFile: inc.loc.file, loopVars: it.loopVars }) : vars;
        const f = firstFalse(pr, conds, v, inc);
        if (f !== undefined) {
          results.push({ ...skippedResult('Conditional result was False', String(f)), ...(it.loopVars ?? {}) });
          continue;
        }
        const args = templar.render(inc.args, { vars: v, location: inc.loc }) as Record<string, unknown>;
        const file = String(args[fileArg] ?? args['_raw_params'] ?? '');
        const incVars = inc.vars ? (templar.render(inc.vars, { vars: v, location: inc.loc }) as Record<string, unknown>) : {};
        // The included tasks see the include's vars as written: Ansible templates them when they
        // are used, where a loop of the included task may have shadowed the include's own `item`.
        // Of the loop's variables, IncludedFile passes on the loop var, the index var and ansible_loop.
        const { ansible_loop_var: _lv, ansible_index_var: _iv, ...passed } = it.loopVars ?? {};
        // The old include's k=v pairs are arguments: templated now, as the include's result carries
        // them, and seen by the included tasks as task vars (below set_fact, unlike `vars:`).
        const legacy = inc.legacyParams ? (templar.render(inc.legacyParams, { vars: v, location: inc.loc }) as Record<string, unknown>) : undefined;
        const params = { ...(inc.vars ?? {}), ...passed };
        const extra: Record<string, unknown> = {};
        for (const k of ['tasks_from', 'vars_from', 'defaults_from', 'handlers_from', 'apply', 'rolespec_validate', 'allow_duplicates']) if (args[k] !== undefined) extra[k] = args[k];
        if (legacy) extra['__legacy'] = legacy;
        const entry: IncludeEntry = { host: h, file, params: { ...params, __extra: extra }, key: JSON.stringify([file, params, extra]) };
        const lc = inc.loop_control ?? {};
        if (it.loopVars && lc.label !== undefined) entry.label = pyStr(templar.render(lc.label, { vars: v, location: inc.loc }));
        // The label is the loop variable's value, whatever it is called (loop_control.loop_var).
        else if (it.loopVars) entry.label = pyStr(it.loopVars[lcr?.loopVar ?? 'item']);
        entries.push(entry);
        // include_role reports no `include` key, include_tasks names the file.
        const r: ModuleResult = inc.action === 'include_tasks' ? { changed: false, include: file, include_args: incVars } : { changed: false, include_args: incVars };
        results.push({ ...r, ...(it.loopVars ?? {}) });
      }
      result = inc.loop === undefined ? results[0]! : { changed: false, results, msg: 'All items completed', ...(results.every((r) => r.skipped) ? { skipped: true } : {}) };
    } catch (e) {
      result = failedResult((e as Error).message);
    }
    const status = statusOf(result);
    run.output.emit({ type: 'host_result', task: info, host: h.name, status, result });
    if (status === 'failed') {
      run.stats.bump(h.name, 'failures');
      markFailed(pr, h);
    } else if (status === 'skipped') run.stats.bump(h.name, 'skipped');
    else if (inc.action === 'include_tasks') {
      // A looped include counts one ok per included item; include_role is not counted (ansible-core 2.14).
      const items = Array.isArray(result['results']) ? (result['results'] as ModuleResult[]).filter((r) => !r.skipped).length : 1;
      run.stats.bump(h.name, 'ok', Math.max(1, items));
    }
  }
  // One run per distinct (file, parameters), in first-seen order, for the hosts that share it.
  const groups = new Map<string, IncludeEntry[]>();
  for (const e of entries) {
    const g = groups.get(e.key);
    if (g) g.push(e);
    else groups.set(e.key, [e]);
  }
  // ansible-core loads every included task file (printing "included: ...") before running any.
  const preloaded = new Map<IncludeEntry[], Promise<TaskItem[]>>();
  if (inc.action === 'include_tasks' && run.loader) {
    // IncludedFile's own deprecation of a dynamic old `include:` (the display prints it once).
    if (/^(ansible\.(builtin|legacy)\.)?include$/.test(inc.actionAsWritten) && groups.size) {
      run.output.emit({ type: 'deprecation', message: '"include" is deprecated, use include_tasks/import_tasks/import_playbook instead. This feature will be removed in version 2.16. Deprecation warnings can be disabled by setting deprecation_warnings=False in ansible.cfg.' });
    }
    for (const group of groups.values()) {
      const first = group[0]!;
      const loading = run.loader.loadIncludedTasks(first.file, inc);
      loading.catch(() => undefined);
      preloaded.set(group, loading);
      try {
        await loading;
        const path = run.loader.includedTaskPath?.(first.file, inc) ?? first.file;
        run.output.emit({ type: 'included', task: info, file: path, hosts: group.map((g) => g.host.name), ...(first.label !== undefined ? { label: first.label } : {}) });
      } catch {
        // reported when the group runs
      }
    }
  }
  // The strategy loads every included file of this task before it marks any host failed: one
  // host's two missing files are two failures.
  const loadable = new Set([...groups.values()].flat().map((g) => g.host).filter((h) => isRunnable(h, scope, pr)));
  for (const group of groups.values()) {
    if (pr.ended || run.signal.aborted) return;
    const first = group[0]!;
    const { __extra, ...params } = first.params as Record<string, unknown> & { __extra: Record<string, unknown> };
    const ghosts = group.map((g) => g.host);
    const incScope: Scope = { ...scope, includeParams: { ...(scope.includeParams ?? {}), ...params } };
    // Thrown past the per-host handling below: like ansible-playbook, a run-away include ends the run.
    // The chain names files by their path; a file that cannot be found fails below, per host.
    const pathOf = (): string | undefined => {
      try {
        return inc.action === 'include_tasks' ? run.loader?.includedTaskPath?.(first.file, inc) : undefined;
      } catch {
        return undefined;
      }
    };
    incScope.includeChain = [...(scope.includeChain ?? []), pathOf() || first.file];
    if (incScope.includeChain.length > MAX_INCLUDE_DEPTH) throw includeDepthError(incScope.includeChain, inc.loc);
    const legacyVars = __extra['__legacy'] as Record<string, unknown> | undefined;
    if (legacyVars) incScope.chain = [...incScope.chain, { loc: inc.loc, vars: legacyVars } as TaskBase];
    const apply = __extra['apply'] as TaskBase | undefined;
    // A list of names already (normalizeIncludeArgs); its entries are templated per host later.
    const applyNotify = (apply as { notify?: unknown } | undefined)?.notify;
    if (Array.isArray(applyNotify)) incScope.notify = applyNotify.map(String);
    if (apply && typeof apply === 'object') incScope.chain = [...scope.chain, { ...apply, loc: inc.loc, when: apply.when ? (Array.isArray(apply.when) ? apply.when : [apply.when]) : undefined, tags: apply.tags ? (Array.isArray(apply.tags) ? apply.tags : [String(apply.tags)]) : undefined } as TaskBase];
    try {
      if (!run.loader) throw new Error(`${inc.action} needs the playbook loader`);
      if (inc.action === 'include_tasks') {
        const tasks = await (preloaded.get(group) ?? run.loader.loadIncludedTasks(first.file, inc));
        for (const message of run.loader.takeDeprecations?.() ?? []) run.output.emit({ type: 'deprecation', message });
        await runItems(pr, tasks, ghosts, incScope);
      } else {
        const loaded = await run.loader.loadIncludedRole(
          { name: first.file, ...(__extra as Record<string, string>) },
          inc,
        );
        for (const hd of loaded.handlers) if (!pr.handlers.includes(hd)) pr.handlers.push(hd);
        incScope.role = loaded.role;
        await runItems(pr, [loaded.block], ghosts, incScope);
      }
    } catch (e) {
      // A malformed included file ends the run (the strategy re-raises AnsibleParserError); a
      // missing one fails the include for these hosts.
      if (e instanceof IncludeDepthError || e instanceof StrategyError || (e instanceof PhiloteError && e.kind === 'parse')) throw e;
      const notFound = e instanceof PhiloteError && e.kind === 'not-found';
      if (notFound && inc.action === 'include_role') {
        // The strategy displays the error and marks the hosts failed, with no result line and
        // no count in the recap (include_role has no on_include callback).
        run.output.emit({ type: 'error', unwrapped: true, message: withTaskContext((e as Error).message, (e as PhiloteError).location ?? inc.loc) });
        // mark_host_failed: inside a block with a rescue, the host goes to the rescue.
        for (const h of ghosts) {
          if (!loadable.has(h)) continue;
          if (scope.rescueFrame && !scope.inHandlers) failIntoRescue(scope, h);
          else markFailed(pr, h);
        }
      } else {
        for (const h of ghosts) {
          if (!loadable.has(h)) continue;
          // IncludedFile's AnsibleFileNotFound: the result carries only `reason`.
          const path = isAbsolute(first.file) ? first.file : join(inc.baseDir, first.file);
          const r: ModuleResult = notFound ? { failed: true, reason: `Could not find or access '${path}' on the Ansible Controller.` } : failedResult((e as Error).message);
          // The include's own ok is not counted when its file cannot be loaded.
          if (notFound && inc.action === 'include_tasks' && (run.stats.hosts[h.name]?.ok ?? 0) > 0) run.stats.bump(h.name, 'ok', -1);
          applyOutcome(pr, { ...(inc as unknown as Task), kind: 'task', action: inc.action }, scope, { host: h, status: 'failed', result: r, ignored: false, noLog: false, includeLoadFailure: true }, info);
        }
      }
      afterTask(pr, inc, scope, ghosts);
    }
  }
}

/** Run notified handlers, in definition order, for the hosts that notified them. */
export async function flushHandlers(pr: PlayRun, hosts: HostRun[], scope: Scope): Promise<void> {
  for (let pass = 0; pass < 10; pass++) {
    let ranAny = false;
    for (const hd of [...pr.handlers]) {
      if (pr.ended || pr.run.signal.aborted) return;
      const allow = new Map<HostRun, number>();
      const who = hosts.filter((h) => {
        if (!h.notified.has(hd)) return false;
        if (pr.forceHandlers && h.failEpoch !== 0 && !h.unreachable && !h.ended) allow.set(h, h.failEpoch);
        // A flush in an always section runs the handlers of a host that failed in that block, as
        // the host is still iterating its block there.
        else if (h.failEpoch !== 0 && scope.allowFailed?.get(h) === h.failEpoch) allow.set(h, h.failEpoch);
        return true;
      });
      if (!who.length) continue;
      for (const h of who) h.notified.delete(hd);
      // Handlers flushed inside a block fail into that block: its rescue runs for them (2.14).
      const hscope: Scope = { chain: [pr.play, ...(hd.handlerParents ?? [])], halted: scope.halted ?? [], inHandlers: true, allowFailed: allow };
      if (scope.rescueFrame) hscope.rescueFrame = scope.rescueFrame;
      if (hd.role) hscope.role = hd.role;
      ranAny = true;
      if (hd.kind === 'task') await dispatchTask(pr, hd, who, hscope);
      else await runItems(pr, [hd], who, hscope);
    }
    if (!ranAny) return;
  }
}

