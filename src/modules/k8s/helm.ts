/**
 * helm (kubernetes.core.helm): install, upgrade or uninstall a release with the `helm` binary
 * on the controller (helm 3; found on PATH or at binary_path; no shell is involved).
 *
 * Arguments (kubernetes.core 2.4):
 *   release_name (name, required), release_namespace (namespace, required),
 *   release_state (state): present (default) | absent
 *   chart_ref (required for present: repo/chart, a path or a URL), chart_version, chart_repo_url
 *   release_values (values): a dict written to a temp values file (-f=FILE)
 *   values_files: list (--values=FILE each), set_values: list of {value, value_type raw|string|json|file}
 *   create_namespace, wait, wait_timeout, timeout, atomic, force, replace, skip_crds,
 *   disable_hook, history_max, purge (default true; false keeps history on uninstall),
 *   update_repo_cache (helm repo update first), post_renderer, dependency_update
 *   binary_path, kubeconfig (path or dict), context, host, api_key, validate_certs, ca_cert
 * What it runs, as kubernetes.core: `helm list --output=json --filter NAME` and `helm get values`
 * for the current state; for present `helm show chart` and, when not installed or different
 * (chart name-version, appVersion or values differ), `helm upgrade -i --reset-values ...`;
 * for absent and installed, `helm uninstall`. The helm-diff plugin is not consulted.
 * Returns: changed, command (the command line), stdout, stderr, status (the release from
 * helm list plus its values). Check mode: nothing but reads are run; command shows what would be.
 */
import { stringify } from 'yaml';
// helm's own output and values files (read by helm, Go YAML): the `yaml` package, not src/values/yaml.ts.
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { PhiloteError } from '../../errors.js';
import type { ModuleDefinition, ModuleResult } from '../types.js';
import { bool, int, strList } from './client/common.js';
import { Helm, HelmCommandError, helmAuthFields } from './client/helm.js';

const schema = z
  .object({
    ...helmAuthFields,
    release_name: z.string().optional(),
    name: z.string().optional(),
    release_namespace: z.string().optional(),
    namespace: z.string().optional(),
    release_state: z.enum(['present', 'absent']).optional(),
    state: z.enum(['present', 'absent']).optional(),
    chart_ref: z.string().optional(),
    chart_version: z.string().optional(),
    chart_repo_url: z.string().optional(),
    release_values: z.record(z.string(), z.unknown()).nullish(),
    values: z.record(z.string(), z.unknown()).nullish(),
    values_files: strList.optional(),
    set_values: z.array(z.object({ value: z.coerce.string(), value_type: z.enum(['raw', 'string', 'json', 'file']).optional() })).optional(),
    update_repo_cache: bool.optional(),
    disable_hook: bool.optional(),
    force: bool.optional(),
    purge: bool.optional(),
    wait: bool.optional(),
    wait_timeout: z.coerce.string().optional(),
    timeout: z.coerce.string().optional(),
    atomic: bool.optional(),
    create_namespace: bool.optional(),
    post_renderer: z.string().optional(),
    replace: bool.optional(),
    skip_crds: bool.optional(),
    history_max: int.optional(),
    dependency_update: bool.optional(),
    dep_up: bool.optional(),
  })
  .strict();

type Args = z.infer<typeof schema>;

export interface ReleaseStatus {
  name: string;
  namespace?: string;
  revision?: string;
  status?: string;
  chart?: string;
  app_version?: string;
  values?: Record<string, unknown>;
  [k: string]: unknown;
}

/** The release of that name in `helm list` output (JSON or YAML), or undefined. */
export function findRelease(out: string, name: string): ReleaseStatus | undefined {
  const list = parseYaml(out || '[]') as ReleaseStatus[] | null;
  return (list ?? []).find((r) => r.name === name);
}

/** helm get values: "null" when none were set. */
export function parseValues(out: string): Record<string, unknown> {
  const t = out.trim();
  if (!t || t === 'null') return {};
  return (parseYaml(t) as Record<string, unknown>) ?? {};
}

/** kubernetes.core's default_check: would an upgrade change the release? */
export function wouldChange(release: ReleaseStatus, chart: { name?: string; version?: string; appVersion?: string }, values: Record<string, unknown>, valuesFromFiles?: Record<string, unknown>): boolean {
  const appSame = chart.appVersion === release.app_version || ((chart.appVersion === undefined || chart.appVersion === null) && release.app_version === '');
  const declared = valuesFromFiles ?? values;
  const valuesMatch = isDeepStrictEqual(release.values ?? {}, declared);
  return !valuesMatch || `${chart.name}-${chart.version}` !== release.chart || !appSame;
}

function setValueArgs(set: NonNullable<Args['set_values']>): string[] {
  const out: string[] = [];
  for (const s of set) {
    const t = s.value_type ?? 'raw';
    out.push(t === 'raw' ? '--set' : `--set-${t}`, s.value);
  }
  return out;
}

export const helmModule: ModuleDefinition<Args> = {
  name: 'helm',
  aliases: ['kubernetes.core.helm', 'community.kubernetes.helm'],
  runsOn: 'controller',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const release = a.release_name ?? a.name;
    const namespace = a.release_namespace ?? a.namespace;
    const state = a.release_state ?? a.state ?? 'present';
    if (!release) throw new PhiloteError('module-args', 'helm: release_name (name) is required');
    if (!namespace) throw new PhiloteError('module-args', 'helm: release_namespace (namespace) is required');
    if (state === 'present' && !a.chart_ref) throw new PhiloteError('module-args', 'helm: release_state is present but all of the following are missing: chart_ref');
    if (a.wait_timeout && a.timeout) throw new PhiloteError('module-args', 'helm: parameters are mutually exclusive: wait_timeout|timeout');
    const values = a.release_values ?? a.values ?? {};
    const helm = new Helm({ ...a, release_namespace: namespace }, ctx.environment);
    try {
      if (a.update_repo_cache) await helm.must(['repo', 'update'], ctx.signal);
      const status = async (): Promise<ReleaseStatus | undefined> => {
        const r = findRelease((await helm.must(['list', '--output=json', '--filter', release], ctx.signal)).stdout, release);
        if (r) r.values = parseValues((await helm.must(['get', 'values', '--output=json', release], ctx.signal)).stdout);
        return r;
      };
      const current = await status();
      let cmd: string[] | undefined;
      if (state === 'absent' && current) {
        if (a.replace) return { failed: true, changed: false, msg: 'replace is not applicable when state is absent' };
        cmd = ['uninstall'];
        if (a.purge === false) cmd.push('--keep-history');
        if (a.disable_hook) cmd.push('--no-hooks');
        if (a.wait) cmd.push('--wait');
        if (a.wait_timeout) cmd.push('--timeout', a.wait_timeout);
        cmd.push(release);
      } else if (state === 'present') {
        const pre: string[] = [];
        if (a.chart_version) pre.push(`--version=${a.chart_version}`);
        if (a.chart_repo_url) pre.push(`--repo=${a.chart_repo_url}`);
        const chart = (parseYaml((await helm.must([...pre, 'show', 'chart', a.chart_ref!], ctx.signal)).stdout) ?? {}) as { name?: string; version?: string; appVersion?: string };
        let change = !current || Boolean(a.force);
        if (current && !change) {
          ctx.warn('The default idempotency check can fail to report changes in certain cases. Install helm diff >= 3.4.1 for better results.');
          let fromFiles: Record<string, unknown> | undefined;
          if (a.values_files?.length) {
            fromFiles = {};
            for (const f of a.values_files) {
              const v = parseYaml(readFileSync(f, 'utf8'));
              if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(fromFiles, v);
            }
          }
          change = wouldChange(current, chart, values, fromFiles);
        }
        if (change) {
          cmd = [...pre];
          if (a.replace) cmd.push('install', ...(a.dependency_update || a.dep_up ? ['--dependency-update'] : []));
          else cmd.push('upgrade', '-i', '--reset-values');
          if (a.wait) cmd.push('--wait', ...(a.wait_timeout ? ['--timeout', a.wait_timeout] : []));
          if (a.atomic) cmd.push('--atomic');
          if (a.timeout) cmd.push('--timeout', a.timeout);
          if (a.force) cmd.push('--force');
          if (a.replace) cmd.push('--replace');
          if (a.disable_hook) cmd.push('--no-hooks');
          if (a.create_namespace) cmd.push('--create-namespace');
          for (const f of a.values_files ?? []) cmd.push(`--values=${f}`);
          if (Object.keys(values).length) cmd.push(`-f=${helm.tempFile('values.yml', stringify(values))}`);
          if (a.post_renderer) cmd.push(`--post-renderer=${a.post_renderer}`);
          if (a.skip_crds) cmd.push('--skip-crds');
          if (a.history_max !== undefined) cmd.push(`--history-max=${a.history_max}`);
          if (a.set_values?.length) cmd.push(...setValueArgs(a.set_values));
          cmd.push(release, a.chart_ref!);
        }
      }
      const command = cmd ? helm.commandLine(cmd) : helm.bin;
      if (ctx.checkMode) {
        return {
          changed: Boolean(cmd),
          command,
          status: { values: { current: current?.values ?? {}, declared: current ?? {} } },
          stdout: '',
          stderr: '',
        };
      }
      if (!cmd) return { changed: false, status: current ?? null, stdout: '', stderr: '', command };
      const r = await helm.must(cmd, ctx.signal);
      return { changed: true, stdout: r.stdout, stderr: r.stderr, status: (await status()) ?? null, command };
    } catch (e) {
      if (e instanceof HelmCommandError) return { failed: true, changed: false, msg: e.message, command: e.command, stdout: e.run.stdout, stderr: e.run.stderr, rc: e.run.rc } as ModuleResult;
      throw e;
    } finally {
      helm.cleanup();
    }
  },
};
