/**
 * Ansible's `minimal` callback, which is also what `ansible` (ad-hoc) prints:
 * "host | CHANGED => {json}", or for command/shell/raw "host | CHANGED | rc=0 >>" + output.
 */
import type { OutputSink, RunEvent } from './events.js';
import type { ModuleResult } from '../modules/types.js';
import { COLOR } from './colors.js';
import { renderDiff } from './diff.js';
import { cleanResult, dumpResult } from './results.js';
import { Display, type DisplayOptions } from './writer.js';

const NO_JSON = new Set(['command', 'shell', 'raw', 'win_command', 'win_shell'].flatMap((m) => [m, `ansible.builtin.${m}`, `ansible.legacy.${m}`]));

export class MinimalOutput implements OutputSink {
  private readonly d: Display;
  constructor(private readonly opts: DisplayOptions & { verbosity: number; diff: boolean }) {
    this.d = new Display(opts);
  }

  private commandMsg(host: string, r: ModuleResult, caption: string): string {
    const s = (v: unknown) => (typeof v === 'string' ? v : '');
    return `${host} | ${caption} | rc=${r.rc ?? -1} >>\n${s(r.stdout)}${s(r.stderr)}${s(r.msg)}\n`;
  }

  emit(e: RunEvent): void {
    if (e.type === 'warning') return this.d.warning(e.message);
    if (e.type === 'error') return this.d.error(e.message);
    if (e.type === 'deprecation') return this.d.deprecated(e.message);
    if (e.type === 'verbose' && e.level <= this.opts.verbosity) return this.d.display(e.message, COLOR.verbose);
    if (e.type !== 'host_result' || e.item) return;
    const r = e.result;
    const v = this.opts.verbosity;
    for (const w of Array.isArray(r.warnings) ? r.warnings : []) this.d.warning(String(w));
    if (this.opts.diff && r.diff) this.d.display(renderDiff(r.diff, false));
    const json = () => dumpResult(cleanResult(r, e.task.action), v, { indent: 4 });
    switch (e.status) {
      case 'ok':
      case 'changed': {
        const state = e.status === 'changed' ? 'CHANGED' : 'SUCCESS';
        const color = e.status === 'changed' ? COLOR.changed : COLOR.ok;
        if (NO_JSON.has(e.task.action)) this.d.display(this.commandMsg(e.host, r, state), color);
        else this.d.display(`${e.host} | ${state} => ${json()}`, color);
        return;
      }
      case 'failed':
        if (NO_JSON.has(e.task.action) && !('module_stderr' in r)) this.d.display(this.commandMsg(e.host, r, 'FAILED'), COLOR.error);
        else this.d.display(`${e.host} | FAILED! => ${json()}`, COLOR.error);
        return;
      case 'skipped':
        this.d.display(`${e.host} | SKIPPED`, COLOR.skip);
        return;
      case 'unreachable':
        this.d.display(`${e.host} | UNREACHABLE! => ${json()}`, COLOR.unreachable);
        return;
    }
  }

  async close(): Promise<void> {}
}
