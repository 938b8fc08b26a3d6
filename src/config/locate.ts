/**
 * Finds ansible.cfg in Ansible's order: $ANSIBLE_CONFIG (a file, or a directory holding
 * ansible.cfg), ./ansible.cfg (skipped when the directory is world-writable, as Ansible
 * does for safety), ~/.ansible.cfg, /etc/ansible/ansible.cfg.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';

export interface LocateResult {
  file?: string;
  warnings: string[];
}

export function locateConfig(env: Record<string, string | undefined>, cwd: string): LocateResult {
  const warnings: string[] = [];
  const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
  const fromEnv = env.ANSIBLE_CONFIG;
  if (fromEnv) {
    let p = resolve(cwd, expandUser(fromEnv, env));
    if (existsSync(p) && statSync(p).isDirectory()) p = join(p, 'ansible.cfg');
    if (isFile(p)) return { file: p, warnings };
  }
  const local = join(cwd, 'ansible.cfg');
  if (isFile(local)) {
    const mode = statSync(cwd).mode;
    if (mode & 0o002) {
      warnings.push(`Ansible is being run in a world writable directory (${cwd}), ignoring it as an ansible.cfg source. For more information see https://docs.ansible.com/ansible/devel/reference_appendices/config.html#cfg-in-world-writable-dir`);
    } else {
      return { file: local, warnings };
    }
  }
  const user = join(env.HOME ?? homedir(), '.ansible.cfg');
  if (isFile(user)) return { file: user, warnings };
  const system = '/etc/ansible/ansible.cfg';
  if (isFile(system)) return { file: system, warnings };
  return { warnings };
}

export function expandUser(p: string, env: Record<string, string | undefined>): string {
  if (p === '~' || p.startsWith('~/')) return (env.HOME ?? homedir()) + p.slice(1);
  return p;
}
