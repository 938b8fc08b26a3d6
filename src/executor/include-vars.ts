/**
 * include_vars (an executor action, see EXECUTOR_ACTIONS): loads a vars file or directory
 * at run time. The loaded variables land at include_vars precedence, not as facts.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ModuleResult } from '../modules/types.js';
import type { RoleInstance } from '../playbook/types.js';
import { listVarsDir, readVarsFile } from '../vars/files.js';
import { findFile } from './find-file.js';
import { failedResult } from './results.js';

export function runIncludeVars(args: Record<string, unknown>, role: RoleInstance | undefined, playbookDir: string): ModuleResult {
  const file = (args['file'] ?? args['_raw_params']) as string | undefined;
  const dir = args['dir'] as string | undefined;
  const name = args['name'] as string | undefined;
  if (file && dir) return failedResult('You are mixing file only and dir only arguments, these are incompatible');
  const files: string[] = [];
  if (dir) {
    const d = findFile('vars', dir, role, playbookDir);
    if (!d || !statSync(d).isDirectory()) return failedResult(`${dir} directory does not exist`);
    const depth = Number(args['depth'] ?? 0);
    const ignore = (args['ignore_files'] as string[] | undefined) ?? [];
    const matching = args['files_matching'] ? new RegExp(String(args['files_matching'])) : undefined;
    for (const f of listVarsDir(d, { depth, ignoreFiles: ignore })) if (!matching || matching.test(basename(f))) files.push(f);
  } else if (file) {
    const f = findFile('vars', String(file), role, playbookDir);
    if (!f || !existsSync(f)) return failedResult(`Could not find or access '${file}'\nSearched in:\n\t${role ? join(role.path, 'vars', String(file)) + '\n\t' : ''}${join(playbookDir, 'vars', String(file))}\n\t${join(playbookDir, String(file))} on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option`);
    files.push(f);
  } else {
    return failedResult('one of the following is required: file, dir, _raw_params');
  }
  const loaded: Record<string, unknown> = {};
  try {
    for (const f of files) Object.assign(loaded, readVarsFile(f));
  } catch (e) {
    return failedResult((e as Error).message);
  }
  const facts = name ? { [name]: loaded } : loaded;
  return { ansible_facts: facts, ansible_included_var_files: files, changed: false };
}
