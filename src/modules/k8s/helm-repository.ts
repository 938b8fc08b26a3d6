/**
 * helm_repository (kubernetes.core.helm_repository): add or remove a chart repository with the
 * `helm` binary on the controller.
 *
 * Arguments (kubernetes.core 2.4): repo_name (name, required), repo_url (url; required for
 *   present), repo_username (username) with repo_password (password), repo_state (state)
 *   present | absent, pass_credentials, force_update (force), binary_path.
 * Runs `helm repo list --output=json` (exit 1 with "no repositories to show" means none), then
 * `helm repo add NAME URL [--username= --password=] [--pass-credentials] [--force-update]` or
 * `helm repo rm NAME`. A repository of that name with another URL fails, as kubernetes.core.
 * Returns: changed, command (password masked), stdout, stderr; repo_name/repo_url when unchanged.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PhiloteError } from '../../errors.js';
import type { ModuleDefinition, ModuleResult } from '../types.js';
import { bool } from './client/common.js';
import { Helm, HelmCommandError, helmAuthFields } from './client/helm.js';

const schema = z
  .object({
    ...helmAuthFields,
    repo_name: z.string().optional(),
    name: z.string().optional(),
    repo_url: z.string().optional(),
    url: z.string().optional(),
    repo_username: z.string().optional(),
    username: z.string().optional(),
    repo_password: z.string().optional(),
    password: z.string().optional(),
    repo_state: z.enum(['present', 'absent']).optional(),
    state: z.enum(['present', 'absent']).optional(),
    pass_credentials: bool.optional(),
    force_update: bool.optional(),
    force: bool.optional(),
  })
  .strict();

type Args = z.infer<typeof schema>;

export const helmRepositoryModule: ModuleDefinition<Args> = {
  name: 'helm_repository',
  aliases: ['kubernetes.core.helm_repository', 'community.kubernetes.helm_repository'],
  runsOn: 'controller',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const name = a.repo_name ?? a.name;
    const url = a.repo_url ?? a.url;
    const user = a.repo_username ?? a.username;
    const password = a.repo_password ?? a.password;
    const state = a.repo_state ?? a.state ?? 'present';
    const force = a.force_update ?? a.force ?? false;
    if (!name) throw new PhiloteError('module-args', 'helm_repository: repo_name (name) is required');
    if (state === 'present' && !url) throw new PhiloteError('module-args', 'helm_repository: repo_state is present but all of the following are missing: repo_url');
    if ((user === undefined) !== (password === undefined)) throw new PhiloteError('module-args', 'helm_repository: parameters are required together: repo_username, repo_password');
    const helm = new Helm(a, ctx.environment);
    try {
      const list = await helm.run(['repo', 'list', '--output=json'], ctx.signal);
      let repos: Array<{ name: string; url: string }> = [];
      if (list.rc === 1 && list.stderr.includes('no repositories to show')) repos = [];
      else if (list.rc !== 0) throw new HelmCommandError(list, helm.commandLine(['repo', 'list', '--output=json']));
      else repos = (parseYaml(list.stdout || '[]') as typeof repos | null) ?? [];
      const existing = repos.find((r) => r.name === name);
      let cmd: string[] | undefined;
      if (state === 'absent' && existing) cmd = ['repo', 'rm', name];
      else if (state === 'present') {
        if (!existing || force) {
          cmd = ['repo', 'add', name, url!];
          if (user !== undefined && password !== undefined) cmd.push(`--username=${user}`, `--password=${password}`);
          if (a.pass_credentials) cmd.push('--pass-credentials');
          if (force) cmd.push('--force-update');
        } else if (existing.url !== url) return { failed: true, changed: false, msg: `Repository already have a repository named ${name}` };
      }
      if (ctx.checkMode) return { changed: Boolean(cmd) };
      if (!cmd) return { changed: false, repo_name: name, repo_url: url };
      const masked = (s: string) => (password ? s.split(password).join('******') : s);
      const r = await helm.run(cmd, ctx.signal);
      if (r.rc !== 0) return { failed: true, changed: false, msg: masked(new HelmCommandError(r, '').message), command: masked(helm.commandLine(cmd)) };
      return { changed: true, stdout: r.stdout, stderr: r.stderr, command: masked(helm.commandLine(cmd)) };
    } catch (e) {
      if (e instanceof HelmCommandError) return { failed: true, changed: false, msg: e.message, command: e.command } as ModuleResult;
      throw e;
    } finally {
      helm.cleanup();
    }
  },
};
