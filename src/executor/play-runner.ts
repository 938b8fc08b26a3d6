/**
 * Runs one play: host selection and order, serial batches, vars_files, fact gathering,
 * the three sections (pre_tasks, roles + tasks, post_tasks) each followed by a handler
 * flush, and the rules that stop a play or the whole playbook.
 */
import { reservedNamesInPlay } from './reserved-names.js';
import { pyStr } from '../template/runtime/values.js';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { PhiloteError } from '../errors.js';
import { resolveModule } from '../modules/registry.js';
import type { Play, Task, TaskItem } from '../playbook/types.js';
import { readVarsFilesEntry } from '../vars/files.js';
import { rolesOf } from '../vars/manager.js';
import type { PlayScope } from '../vars/manager.js';
import { orderHosts, splitBatches } from './batches.js';
import type { HostRun, PlayRun, RunContext, Scope } from './context.js';
import { dispatchTask, flushHandlers, runItems } from './items-runner.js';
import { promptedVars } from './vars-prompt.js';
import { boolean } from '../values/booleans.js';

/**
 * The play's hosts, templated as Play.post_validate does (play vars, extra vars, groups, hostvars;
 * no host's vars). A template may give a list; an empty result selects no host at all (never
 * "all"): `hosts: "{{ groups['web'] | default([]) }}"` on an inventory without web runs nowhere.
 */
function playLevelVars(run: RunContext, play: Play): Record<string, unknown> {
  return { ...(play.vars ?? {}), ...run.vm.extraVars, groups: run.vm.groups(), hostvars: run.vm.hostvars, playbook_dir: play.baseDir };
}

/** The play's name as the banner shows it: templated like any play field, printed as Python's str(). */
function playName(run: RunContext, play: Play): string {
  if (!run.templar.isTemplated(play.name)) return play.name;
  try {
    const r = run.templar.render(play.name, { vars: playLevelVars(run, play), location: play.loc });
    return typeof r === 'string' ? r : pyStr(r);
  } catch {
    return play.name;
  }
}

function playHosts(run: RunContext, play: Play): string[] {
  const t = run.templar;
  const vars = playLevelVars(run, play);
  const patterns: string[] = [];
  const add = (v: unknown) => {
    const r = typeof v === 'string' ? t.render(v, { vars, location: play.loc }) : v;
    if (Array.isArray(r)) r.forEach(add);
    else if (r !== null && r !== undefined && String(r).trim() !== '') patterns.push(String(r));
  };
  (Array.isArray(play.hosts) ? play.hosts : [play.hosts]).forEach(add);
  if (!patterns.length) return [];
  return run.vm.inventory.selectHosts(patterns.length === 1 ? patterns[0]! : patterns, run.options.limit).map((h) => h.name);
}

type VarsFileCache = Map<string, Record<string, unknown>>;

/** A vars_files entry's first alternative that exists, its name rendered with `vars`. */
function firstVarsFile(run: RunContext, play: Play, entry: string | string[], vars: Record<string, unknown>): string | undefined {
  for (const alt of Array.isArray(entry) ? entry : [entry]) {
    const name = String(run.templar.render(alt, { vars, location: play.loc }));
    const p = isAbsolute(name) ? name : join(play.baseDir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** A vars file's variables, read once per play. */
function readVarsFileOnce(cache: VarsFileCache, path: string): Record<string, unknown> {
  let data = cache.get(path);
  if (!data) {
    data = readVarsFilesEntry(path);
    cache.set(path, data);
  }
  return data;
}

/** vars_files for one host: entries may be templated and a list means "first that exists". */
function makeVarsFiles(run: RunContext, play: Play, fileCache: VarsFileCache): (host: string) => Record<string, unknown> {
  const cache = new Map<string, Record<string, unknown>>();
  return (host) => {
    const hit = cache.get(host);
    if (hit) return hit;
    cache.set(host, {}); // guards the recursion: the vars used to resolve names exclude vars_files
    if (!play.vars_files.length) return {};
    const vars = run.vm.getVars(host);
    const merged: Record<string, unknown> = {};
    for (const entry of play.vars_files) {
      const found = firstVarsFile(run, play, entry, vars);
      if (!found) {
        throw new PhiloteError('parse', `vars file ${(Array.isArray(entry) ? entry : [entry]).join(', ')} was not found`, { location: play.loc });
      }
      Object.assign(merged, readVarsFileOnce(fileCache, found));
    }
    cache.set(host, merged);
    run.vm.forget(host);
    return merged;
  };
}

/**
 * The host-less pass of VariableManager.get_vars(play=play), before the play's banner: every
 * vars_files entry whose name renders with the play's own variables and whose file exists is
 * read, so a file that is not YAML or JSON stops the run there, tasks or not. Names that need
 * a host's variables, and files not found, wait for the hosts (as ansible-core skips them here).
 */
function preloadVarsFiles(run: RunContext, play: Play, fileCache: VarsFileCache): void {
  if (!play.vars_files.length) return;
  const vars = playLevelVars(run, play);
  for (const entry of play.vars_files) {
    let found: string | undefined;
    try {
      found = firstVarsFile(run, play, entry, vars);
    } catch {
      continue;
    }
    if (found) readVarsFileOnce(fileCache, found);
  }
}

function gatherTask(play: Play): Task {
  return {
    kind: 'task',
    action: 'setup',
    actionAsWritten: 'gather_facts',
    name: 'Gathering Facts',
    args: { ...(play.gather_subset ? { gather_subset: play.gather_subset } : {}), ...(play.fact_path ? { fact_path: play.fact_path } : {}) },
    loc: play.loc,
    tags: ['always'],
  };
}

function flatHandlers(items: TaskItem[]): TaskItem[] {
  const out: TaskItem[] = [];
  for (const it of items) {
    if (it.kind === 'block') out.push(...flatHandlers([...it.block, ...it.rescue, ...it.always]));
    else out.push(it);
  }
  return out;
}

export async function runPlay(run: RunContext, givenPlay: Play): Promise<void> {
  let play = givenPlay;
  if (play.vars_prompt?.length) play = { ...play, vars: { ...(play.vars ?? {}), ...(await promptedVars(play, run.vm.extraVars)) } };
  // ansible_play_hosts_all keeps inventory order; `order:` only changes the run order.
  // Hosts that failed in earlier plays stay in ansible_play_hosts_all but do not run.
  const inInventoryOrder = playHosts(run, play);
  const all = orderHosts(inInventoryOrder.filter((n) => !run.deadHosts.has(n)), play.order === undefined ? undefined : String(run.templar.render(play.order, { vars: playLevelVars(run, play), location: play.loc })));
  const id = `play-${++run.nextId}`;
  play = { ...play, name: playName(run, play) };
  const varsFileCache: VarsFileCache = new Map();
  preloadVarsFiles(run, play, varsFileCache);
  for (const name of reservedNamesInPlay(play, run.vm.extraVars)) run.output.emit({ type: 'warning', message: `Found variable using reserved name: ${name}` });
  run.output.emit({ type: 'play_start', name: play.name, hosts: all, id, loc: play.loc });
  if (!inInventoryOrder.length) {
    run.output.emit({ type: 'no_hosts_matched', play: play.name });
    return;
  }
  if (!all.length) return; // every host failed in an earlier play
  const scope: PlayScope = {
    play,
    hostsAll: inInventoryOrder,
    activeHosts: inInventoryOrder.filter((n) => !run.deadHosts.has(n)),
    batch: [...all],
    varsFilesFor: makeVarsFiles(run, play, varsFileCache),
    roleNames: [...new Set(rolesOf(play).filter((r) => r.parent?.via !== 'dependency').map((r) => r.name))],
    dependentRoleNames: [...new Set(rolesOf(play).filter((r) => r.parent?.via === 'dependency').map((r) => r.name))],
  };
  run.vm.startPlay(scope);
  const hosts = new Map<string, HostRun>();
  for (const n of all) hosts.set(n, { name: n, failEpoch: 0, unreachable: false, ended: false, notified: new Set() });
  const pr: PlayRun = {
    run,
    play,
    hosts,
    scope,
    handlers: flatHandlers(play.handlers),
    ended: false,
    batchEnded: false,
    breakPlay: false,
    // The play's force_handlers, when written, wins over --force-handlers and the configuration (its default).
    forceHandlers: play.force_handlers !== undefined ? boolean(play.force_handlers, false) : run.options.forceHandlers,
    strategy: play.strategy === 'free' ? 'free' : 'linear',
    rolesRun: new Set(),
  };
  if (play.max_fail_percentage !== undefined) pr.maxFailPercentage = Number(play.max_fail_percentage);
  const gather =
    play.gather_facts !== undefined ? boolean(play.gather_facts, false) : run.options.gathering !== 'explicit';

  const batches = splitBatches(all, play.serial);
  for (const [bi, batch] of batches.entries()) {
    if (pr.ended || run.signal.aborted) break;
    // Ansible starts the play again for every serial batch (TaskQueueManager.run per batch):
    // "PLAY [name]" is printed, and the json callback opens a play entry, once per batch.
    if (bi > 0) run.output.emit({ type: 'play_start', name: play.name, hosts: batch, id, loc: play.loc });
    pr.batchEnded = false;
    scope.batch = [...batch];
    scope.activeBatch = undefined;
    const bh = batch.map((n) => hosts.get(n)!);
    const base: Scope = { chain: [play], halted: [] };
    if (gather) {
      if (!resolveModule('setup')) {
        throw new PhiloteError('internal', "gather_facts is on but the 'setup' module is not available; set 'gather_facts: false' on the play", { location: play.loc });
      }
      const smart = run.options.gathering === 'smart';
      const who = smart ? bh.filter((h) => Object.keys(run.vm.getFacts(h.name)).length === 0) : bh;
      if (who.length) await dispatchTask(pr, gatherTask(play), who, base);
    }
    // Each section ends with a handler flush; roles run before tasks in the same section.
    const sections: Array<Array<[TaskItem[], Scope]>> = [
      [[play.pre_tasks, base]],
      [
        [play.roles, { ...base, dedupeRoles: true }],
        [play.tasks, base],
      ],
      [[play.post_tasks, base]],
    ];
    for (const section of sections) {
      if (pr.ended || pr.batchEnded || run.signal.aborted) break;
      const runPart = async (hostsOfRun: HostRun[]) => {
        for (const [items, scope] of section) await runItems(pr, items, hostsOfRun, scope);
      };
      if (pr.strategy === 'free') await Promise.all(bh.map((h) => runPart([h])));
      else await runPart(bh);
      if (pr.fatalDeferred) {
        // NO MORE HOSTS LEFT only when other hosts were taken out; a lone failed host just ends.
        if (pr.fatalDeferred === 'announce') run.output.emit({ type: 'no_more_hosts' });
        pr.fatalDeferred = undefined;
        pr.ended = true;
      }
      if (!pr.ended && !run.signal.aborted) await flushHandlers(pr, bh, base);
    }
    pr.rolesRun.clear();
    // A batch in which every host failed ends the playbook (no banner: Ansible prints
    // NO MORE HOSTS LEFT only for any_errors_fatal and max_fail_percentage).
    const failed = bh.filter((h) => h.failEpoch !== 0 || h.unreachable).length;
    if (failed === batch.length) {
      pr.breakPlay = true;
      break;
    }
    if (pr.breakPlay) break;
  }
  if (pr.breakPlay) run.stopPlaybook = true;
}
