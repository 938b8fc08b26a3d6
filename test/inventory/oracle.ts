/** Runs the real ansible-inventory (Debian ansible-core 2.14) as a differential oracle. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/temp-dir.js';

const cwd = tempDir('philote-oracle-');
const cfg = join(cwd, 'ansible.cfg');
writeFileSync(cfg, '[defaults]\n');

export function ansibleInventory(args: string[], env: Record<string, string> = {}): string {
  return execFileSync('ansible-inventory', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_CONFIG: cfg, ANSIBLE_NOCOLOR: '1', HOME: cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export const oracleCwd = cwd;
