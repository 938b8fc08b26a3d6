/**
 * The executor's entry points: `runPlaybook` (what `philote playbook` calls) and
 * `runPlays` (ad-hoc runs and tests). Both emit src/output/events.ts events and
 * return the recap with Ansible's exit code.
 */
import { setMaxListeners } from 'node:events';
import { dirname, resolve } from 'node:path';
import PQueue from 'p-queue';
import { setPlaybookDir } from '../inventory/index.js';
import { createConnectionPool } from '../connection/pool.js';
import type { ConnectionPool } from '../connection/types.js';
import type { Play, PlaybookLoader } from '../playbook/types.js';
import type { Templar } from '../template/types.js';
import { VariableManager } from '../vars/manager.js';
import { openFactCache } from '../vars/fact-cache.js';
import { loadPlaybookLoader, loadTemplar } from './bridges.js';
import type { RunContext } from './context.js';
import { runPlay } from './play-runner.js';
import { Stats } from './stats.js';
import type { RunOptions, RunSummary } from './types.js';

/**
 * Every task running at once listens on the run's signal (Ctrl-C), one listener per host under
 * forks: Node's leak warning at 11 would be printed to users for any run over 10 hosts.
 */
function runSignal(given: AbortSignal | undefined): AbortSignal {
  const signal = given ?? new AbortController().signal;
  setMaxListeners(0, signal);
  return signal;
}

export type { RunOptions, RunSummary } from './types.js';

/** Parts that can be injected (tests, ad-hoc); by default the real ones are loaded. */
export interface ExecutorDeps {
  templar?: Templar;
  pool?: ConnectionPool;
  loader?: PlaybookLoader;
}

async function makeContext(options: RunOptions, deps: ExecutorDeps): Promise<RunContext> {
  const templar = deps.templar ?? (await loadTemplar());
  const factCache = options.factCache ? openFactCache(options.factCache, (message) => options.output.emit({ type: 'warning', message })) : undefined;
  const vm = new VariableManager({
    inventory: options.inventory,
    extraVars: options.extraVars,
    checkMode: options.check,
    diffMode: options.diff,
    verbosity: options.verbosity,
    runTags: options.tags ?? [],
    skipTags: options.skipTags ?? [],
    forks: options.forks,
    templar,
    ...(factCache ? { factCache } : {}),
  });
  // --flush-cache: every inventory host's cached facts go before anything runs (PlaybookExecutor).
  if (options.flushCache) for (const host of options.inventory.selectHosts('all')) vm.clearFacts(host.name);
  const ctx: RunContext = {
    options,
    templar,
    pool: deps.pool ?? createConnectionPool(),
    vm,
    stats: new Stats(),
    output: options.output,
    queue: new PQueue({ concurrency: Math.max(1, options.forks || 5) }),
    signal: runSignal(options.signal),
    deadHosts: new Set(),
    failedHosts: new Set(),
    unreachableHosts: new Set(),
    startReached: !options.startAtTask,
    taskIds: new WeakMap(),
    nextId: 0,
    stopPlaybook: false,
    customStats: {},
  };
  if (deps.loader) ctx.loader = deps.loader;
  return ctx;
}

function exitCode(ctx: RunContext): number {
  if (ctx.signal.aborted) return 99;
  if (ctx.failedBreak) return 2;
  if (ctx.unreachableHosts.size) return 4;
  if (ctx.failedHosts.size) return 2;
  return 0;
}

/** The recap (and the json callback's document): Ansible sends its stats after each playbook file. */
function emitStats(ctx: RunContext): void {
  const interrupted = ctx.signal.aborted;
  const custom = Object.keys(ctx.customStats).length ? { customStats: ctx.customStats } : {};
  ctx.output.emit({ type: 'playbook_end', stats: ctx.stats.hosts, ...(interrupted ? { interrupted } : {}), ...custom });
}

async function finish(ctx: RunContext, ownPool: boolean): Promise<RunSummary> {
  // The recap first, as ansible-playbook prints it before its connections wind down.
  emitStats(ctx);
  if (ownPool) await ctx.pool.closeAll();
  return { stats: ctx.stats.hosts, exitCode: exitCode(ctx) };
}

async function runPlayList(ctx: RunContext, plays: Play[]): Promise<void> {
  for (const play of plays) {
    if (ctx.stopPlaybook || ctx.signal.aborted) break;
    await runPlay(ctx, play);
  }
}

export async function runPlays(plays: Play[], options: RunOptions, deps: ExecutorDeps = {}): Promise<RunSummary> {
  const ctx = await makeContext(options, deps);
  try {
    await runPlayList(ctx, plays);
  } catch (e) {
    if (!deps.pool) await ctx.pool.closeAll();
    throw e;
  }
  return finish(ctx, !deps.pool);
}

export async function runPlaybook(options: RunOptions, deps: ExecutorDeps = {}): Promise<RunSummary> {
  const ctx = await makeContext(options, deps);
  ctx.loader = deps.loader ?? (await loadPlaybookLoader(options.rolesPath, options.extraVars, options.collectionsPaths));
  try {
    for (const [i, file] of options.playbooks.entries()) {
      const pb = await ctx.loader.loadPlaybook(file);
      for (const message of ctx.loader.takeDeprecations?.() ?? []) ctx.output.emit({ type: 'deprecation', message });
      // group_vars/ and host_vars/ beside this playbook join the inventory's variables.
      setPlaybookDir(options.inventory, dirname(resolve(file)));
      ctx.output.emit({ type: 'playbook_start', file, plays: pb.plays.length });
      await runPlayList(ctx, pb.plays);
      // ansible-playbook prints a recap after each file and runs the next file only when
      // this one ended with result 0; `finish` prints the last recap.
      if (i === options.playbooks.length - 1 || ctx.stopPlaybook || ctx.signal.aborted || exitCode(ctx) !== 0) break;
      emitStats(ctx);
    }
    if (options.startAtTask && !ctx.startReached) {
      ctx.output.emit({ type: 'error', message: `No matching task "${options.startAtTask}" found. Note: --start-at-task can only follow static includes.` });
    }
  } catch (e) {
    if (!deps.pool) await ctx.pool.closeAll();
    throw e;
  }
  return finish(ctx, !deps.pool);
}
