/** Controller-side file search as Ansible's action plugins do it (role dir first, then playbook dir). */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { RoleInstance } from '../playbook/types.js';

export function searchDirs(kind: string, role: RoleInstance | undefined, playbookDir: string, taskDir?: string): string[] {
  const dirs: string[] = [];
  if (role) dirs.push(join(role.path, kind), role.path, join(role.path, 'tasks'));
  if (taskDir) dirs.push(join(taskDir, kind), taskDir);
  dirs.push(join(playbookDir, kind), playbookDir);
  return dirs;
}

export function findFile(kind: string, name: string, role: RoleInstance | undefined, playbookDir: string, taskDir?: string): string | undefined {
  if (isAbsolute(name)) return existsSync(name) ? name : undefined;
  for (const d of searchDirs(kind, role, playbookDir, taskDir)) {
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}
