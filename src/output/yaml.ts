/**
 * community.general.yaml (stdout_callback = yaml): the default callback's lines with results as
 * "changed=true " and an indented YAML body instead of JSON (its _dump_results).
 */
import type { ModuleResult } from '../modules/types.js';
import { DefaultOutput } from './default.js';
import { pyJson } from './pyjson.js';
import { cleanResult, stripInternal } from './results.js';
import { callbackYaml } from './yaml-dump.js';

export class YamlOutput extends DefaultOutput {
  protected override dump(result: ModuleResult, action: string): string {
    // A no_log result is printed as JSON holding only the censored message.
    if (typeof result.censored === 'string') return pyJson({ censored: result.censored });
    const r = stripInternal(cleanResult(result, action)) as Record<string, unknown>;
    if (this.opts.verbosity < 3) {
      delete r.invocation;
      delete r.diff;
    }
    // TaskResult.clean_copy() drops these before the callback sees the result.
    for (const k of ['exception', 'failed', 'skipped', 'warnings', 'deprecations']) delete r[k];
    let dumped = '';
    if ('changed' in r) {
      dumped += `changed=${String(r.changed).toLowerCase()} `;
      delete r.changed;
    }
    if ('stdout' in r && 'stdout_lines' in r) r.stdout_lines = '<omitted>';
    if ('stderr' in r && 'stderr_lines' in r) r.stderr_lines = '<omitted>';
    if (Object.keys(r).length > 0) dumped += '\n' + callbackYaml(r);
    return dumped.split('\n').join('\n  ').replace(/\s+$/, '');
  }
}
