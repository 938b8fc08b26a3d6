/**
 * The terminal view of Ansible's `default` stdout callback: PLAY/TASK banners, one
 * status line per host (and per loop item), `=> {json}` on failure, with -v, or for
 * debug, "...ignoring", --diff output, warnings on stderr and the PLAY RECAP.
 */
import { basename, relative } from 'node:path';
import type { HostStats, OutputSink, RunEvent, TaskInfo } from './events.js';
import type { ModuleResult } from '../modules/types.js';
import { COLOR, stringc } from './colors.js';
import { renderDiff } from './diff.js';
import { cleanResult, dumpResult, isVerbose, verboseAlways } from './results.js';
import { Display, type DisplayOptions } from './writer.js';

export interface DefaultOutputOptions extends DisplayOptions {
  verbosity: number;
  diff: boolean;
  /** [diff] context: lines of context around each change. */
  diffContext?: number;
  displaySkippedHosts?: boolean;
  displayOkHosts?: boolean;
  deprecationWarnings?: boolean;
}

type HostResult = Extract<RunEvent, { type: 'host_result' }>;

/**
 * A loop's aggregated result (ansible-core asks the task: loop and 'results' in the result), told
 * from a module's own `results` list (dnf, yum) by its items, which all carry ansible_loop_var.
 */
function isLoopResults(r: ModuleResult): boolean {
  const list = r.results;
  return Array.isArray(list) && list.length > 0 && list.every((i) => typeof i === 'object' && i !== null && 'ansible_loop_var' in i);
}

const INCLUDE_ACTIONS = new Set(['include_tasks', 'include_role', 'include']);

export class DefaultOutput implements OutputSink {
  protected readonly d: Display;
  private lastBanner?: string;
  private currentTask?: TaskInfo;

  constructor(protected readonly opts: DefaultOutputOptions) {
    this.d = new Display(opts);
  }

  emit(e: RunEvent): void {
    switch (e.type) {
      case 'playbook_start':
        if (this.opts.verbosity > 1) {
          this.d.banner(`PLAYBOOK: ${basename(e.file)}`);
          // The path as typed: the CLI resolves it, so show it relative to where philote runs when it is below.
          const rel = relative(process.cwd(), e.file);
          if (e.plays !== undefined) this.d.display(`${e.plays} plays in ${rel && !rel.startsWith('..') ? rel : e.file}`);
        }
        break;
      case 'play_start': {
        const name = e.name.trim();
        this.d.banner(name ? `PLAY [${name}]` : 'PLAY');
        this.lastBanner = undefined;
        break;
      }
      case 'no_hosts_matched':
        this.d.display('skipping: no hosts matched', COLOR.skip);
        break;
      case 'task_start':
        this.currentTask = e.task;
        if (this.showSkipped && this.showOk) this.taskBanner(e.task);
        break;
      case 'host_result':
        this.hostResult(e);
        break;
      case 'included':
        this.ensureBanner(e.task);
        this.d.display(`included: ${e.file} for ${e.hosts.join(', ')}${e.label !== undefined ? ` => (item=${e.label})` : ''}`, COLOR.skip);
        break;
      case 'retry': {
        let msg = `FAILED - RETRYING: [${e.host}]: ${e.task.name} (${e.retriesLeft} retries left).`;
        if (isVerbose(e.result, e.task.action, this.opts.verbosity, 2)) msg += `Result was: ${this.dump(e.result, e.task.action, false)}`;
        this.d.display(msg, COLOR.debug);
        break;
      }
      case 'async_progress':
        // As ansible-core's default callback: at every verbosity, no task banner of its own.
        if (e.kind === 'poll') this.d.display(`ASYNC POLL on ${e.host}: jid=${e.jid} started=${e.started ?? 'None'} finished=${e.finished ?? 'None'}`, COLOR.debug);
        else this.d.display(`ASYNC ${e.kind === 'ok' ? 'OK' : 'FAILED'} on ${e.host}: jid=${e.jid}`, COLOR.debug);
        break;
      case 'handler_notified':
        if (this.opts.verbosity > 1) this.d.display(`NOTIFIED HANDLER ${e.handler} for ${e.host}`, COLOR.verbose);
        break;
      case 'warning':
        this.d.warning(e.message, e.everyTime === true);
        break;
      case 'error':
        if (e.unwrapped) this.d.errorUnwrapped(e.message);
        else this.d.error(e.message);
        break;
      case 'deprecation':
        if (this.opts.deprecationWarnings !== false) this.d.deprecated(e.message);
        break;
      case 'verbose':
        if (e.level <= this.opts.verbosity) this.d.display(e.host ? `<${e.host}> ${e.message}` : e.message, COLOR.verbose);
        break;
      case 'no_more_hosts':
        this.d.banner('NO MORE HOSTS LEFT');
        break;
      case 'playbook_end':
        this.recap(e.stats);
        break;
    }
  }

  async close(): Promise<void> {}

  private get showSkipped(): boolean {
    return this.opts.displaySkippedHosts !== false;
  }
  private get showOk(): boolean {
    return this.opts.displayOkHosts !== false;
  }

  private taskBanner(task: TaskInfo): void {
    this.d.banner(`${task.isHandler ? 'RUNNING HANDLER' : 'TASK'} [${task.name.trim()}]`);
    if (this.opts.verbosity >= 2) this.d.display(`task path: ${task.loc.file}:${task.loc.line}`, COLOR.debug);
    this.lastBanner = task.id;
  }

  private ensureBanner(task: TaskInfo): void {
    if (this.lastBanner !== task.id) this.taskBanner(task);
  }

  private label(e: HostResult): string {
    return e.delegatedTo && e.delegatedTo !== e.host ? `${e.host} -> ${e.delegatedTo}` : e.host;
  }

  private warnings(result: ModuleResult): void {
    const w = result.warnings;
    if (Array.isArray(w)) for (const m of w) this.d.warning(String(m));
    const dep = result.deprecations;
    if (Array.isArray(dep) && this.opts.deprecationWarnings !== false) for (const m of dep) this.d.deprecated(typeof m === 'object' && m && 'msg' in m ? String((m as { msg: unknown }).msg) : String(m));
  }

  private diff(e: HostResult): void {
    const r = e.result;
    if (!(e.diff ?? this.opts.diff) || !r.diff || !r.changed) return;
    if (isLoopResults(r)) return; // loops print the diff of each item
    const text = renderDiff(r.diff, this.opts.color, this.opts.diffContext);
    if (!text) return;
    this.ensureBanner(e.task);
    this.d.display(text);
  }

  private hostResult(e: HostResult): void {
    const { task, result } = e;
    const v = this.opts.verbosity;
    const host = this.label(e);
    this.diff(e);
    const isLoopAggregate = !e.item && isLoopResults(result);
    const verbose = () => isVerbose(result, task.action, v);
    const dump = () => this.dump(result, task.action, verboseAlways(result, task.action));
    if (e.item) {
      const label = e.item.label;
      switch (e.status) {
        case 'ok':
        case 'changed': {
          if (e.status === 'ok' && !this.showOk) return;
          this.ensureBanner(task);
          let msg = `${e.status}: [${host}] => (item=${label})`;
          if (verbose()) msg += ` => ${dump()}`;
          this.d.display(msg, e.status === 'ok' ? COLOR.ok : COLOR.changed);
          return;
        }
        case 'failed':
          this.ensureBanner(task);
          this.warnings(result);
          this.d.display(`failed: [${host}] (item=${label}) => ${dump()}`, COLOR.error);
          return;
        case 'skipped': {
          if (!this.showSkipped) return;
          this.ensureBanner(task);
          let msg = `skipping: [${e.host}] => (item=${label}) `;
          if (verbose()) msg += ` => ${dump()}`;
          this.d.display(msg, COLOR.skip);
          return;
        }
        case 'unreachable':
          this.ensureBanner(task);
          this.d.display(`fatal: [${host}]: UNREACHABLE! => ${dump()}`, COLOR.unreachable);
          return;
      }
    }
    switch (e.status) {
      case 'ok':
      case 'changed': {
        // An include's own result shows only its banner ('included: ...' follows for include_tasks).
        if (INCLUDE_ACTIONS.has(task.action)) return this.ensureBanner(task);
        if (e.status === 'ok' && !this.showOk) return;
        this.ensureBanner(task);
        this.warnings(result);
        if (isLoopAggregate) return;
        let msg = `${e.status}: [${host}]`;
        if (verbose()) msg += ` => ${dump()}`;
        this.d.display(msg, e.status === 'ok' ? COLOR.ok : COLOR.changed);
        return;
      }
      case 'failed':
        this.ensureBanner(task);
        this.exception(result);
        this.warnings(result);
        if (!isLoopAggregate) this.d.display(`fatal: [${host}]: FAILED! => ${dump()}`, COLOR.error);
        if (e.ignored) this.d.display('...ignoring', COLOR.skip);
        return;
      case 'skipped': {
        if (!this.showSkipped) return;
        this.ensureBanner(task);
        let msg = `skipping: [${e.host}]`;
        if (verbose()) msg += ` => ${dump()}`;
        this.d.display(msg, COLOR.skip);
        return;
      }
      case 'unreachable':
        this.ensureBanner(task);
        this.d.display(`fatal: [${host}]: UNREACHABLE! => ${dump()}`, COLOR.unreachable);
        if (e.ignored) this.d.display('...ignoring', COLOR.skip);
        return;
    }
  }

  /** _dump_results: JSON here; the yaml callback overrides it. */
  protected dump(result: ModuleResult, action: string, always: boolean): string {
    return dumpResult(cleanResult(result, action), this.opts.verbosity, { verboseAlways: always });
  }

  private exception(result: ModuleResult): void {
    const ex = result.exception;
    if (typeof ex !== 'string') return;
    const msg =
      this.opts.verbosity < 3
        ? `An exception occurred during task execution. To see the full traceback, use -vvv. The error was: ${ex.trim().split('\n').pop()}`
        : `The full traceback is:\n${ex}`;
    this.d.display(msg, COLOR.error);
  }

  private recap(stats: Record<string, HostStats>): void {
    this.d.banner('PLAY RECAP');
    const color = this.opts.color;
    const col = (lead: string, n: number, c: (typeof COLOR)[keyof typeof COLOR]) => {
      const s = `${lead}=${String(n).padEnd(4)}`;
      return n !== 0 ? stringc(s, c, color) : s;
    };
    for (const h of Object.keys(stats).sort()) {
      const t = stats[h]!;
      let name: string;
      if (color) {
        const c = t.failures || t.unreachable ? COLOR.error : t.changed ? COLOR.changed : COLOR.ok;
        name = stringc(h, c, true).padEnd(37);
      } else name = h.padEnd(26);
      const line = [
        col('ok', t.ok, COLOR.ok),
        col('changed', t.changed, COLOR.changed),
        col('unreachable', t.unreachable, COLOR.unreachable),
        col('failed', t.failures, COLOR.error),
        col('skipped', t.skipped, COLOR.skip),
        col('rescued', t.rescued, COLOR.ok),
        col('ignored', t.ignored, COLOR.warn),
      ].join(' ');
      // Written raw: the recap colours its parts itself; the log gets the uncoloured twin.
      this.opts.stream.write(`${name} : ${line}\n`);
      if (color) this.d.logOnly(`${h.padEnd(26)} : ${line.replace(/\u001b\[[0-9;]*m/g, '')}`);
      else this.d.logOnly(`${name} : ${line}`);
    }
    this.opts.stream.write('\n');
  }
}
