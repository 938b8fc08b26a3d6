/** Finding roles on disk and the main/tasks_from/vars_from files inside them, as Ansible does. */
import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { PhiloteError, type SourceLocation } from '../errors.js';
import { fail } from './keywords.js';

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

/**
 * Role search order of ansible 2.14 (RoleDefinition._load_role_path): <playbook dir>/roles,
 * roles_path, the depending role's own directory (for meta dependencies), the playbook dir,
 * then the name as a path.
 */
export function findRole(
  name: string,
  playbookDir: string,
  rolesPath: string[],
  parentRolePath: string | undefined,
  loc: SourceLocation | undefined,
  collectionsPaths: string[] = [],
): { name: string; path: string; collection?: string } {
  const fqcn = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)\.([A-Za-z_]\w*)$/.exec(name);
  if (fqcn) {
    // A collection's role: <playbook dir>/collections first (playbook-adjacent collections), then
    // collections_paths; each may name the ansible_collections folder itself or its parent.
    for (const base of [join(playbookDir, 'collections'), ...collectionsPaths]) {
      const root = basename(base) === 'ansible_collections' ? base : join(base, 'ansible_collections');
      const p = join(root, fqcn[1]!, fqcn[2]!, 'roles', fqcn[3]!);
      if (isDir(p)) return { name, path: p, collection: `${fqcn[1]}.${fqcn[2]}` };
    }
  }
  const searched = [join(playbookDir, 'roles'), ...rolesPath];
  if (parentRolePath) searched.push(parentRolePath);
  searched.push(playbookDir);
  for (const dir of searched) {
    const p = resolve(dir, name);
    if (isDir(p)) return { name, path: p };
  }
  const asPath = isAbsolute(name) ? name : resolve(playbookDir, name);
  if (isDir(asPath)) return { name: basename(asPath), path: asPath };
  throw new PhiloteError('not-found', `the role '${name}' was not found in ${searched.join(':')}`, {
    location: loc,
    ...(fqcn ? { hint: `a collection's role is looked up in <playbook dir>/collections and collections_paths (${collectionsPaths.join(':')})` } : {}),
  });
}

/** `<role>/<sub>/<name>` with Ansible's extensions ('', .yml, .yaml, .json); undefined when absent. */
export function roleFile(rolePath: string, sub: string, name: string): string | undefined {
  const base = join(rolePath, sub, name);
  for (const ext of ['', '.yml', '.yaml', '.json']) {
    if (isFile(base + ext)) return base + ext;
  }
  return undefined;
}

/** `<role>/<sub>/<name>/` as a directory of vars files (vars and defaults only). */
export function roleDir(rolePath: string, sub: string, name: string | undefined): string | undefined {
  const p = join(rolePath, sub, name ?? 'main');
  return isDir(p) ? p : undefined;
}
