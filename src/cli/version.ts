/**
 * `philote --version`: the first lines of `ansible-playbook --version`, for philote: its version,
 * the config file in use, where it is installed and what it runs on.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.js';
import type { CliIO } from './io.js';

/** package.json sits two levels above this file in src/cli, dist/cli and dist/bundle alike. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function philoteVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function versionText(io: CliIO): string {
  let configFile = 'None';
  try {
    configFile = loadConfig({ env: io.env, cwd: io.cwd }).configFile ?? 'None';
  } catch {
    // An unreadable ansible.cfg is reported when a command uses it, not by --version.
  }
  return [
    `philote ${philoteVersion()} [runs playbooks written for ansible-core 2.14]`,
    `  config file = ${configFile}`,
    `  philote module location = ${ROOT}`,
    `  executable location = ${process.argv[1] ?? 'philote'}`,
    `  node version = ${process.version} (${process.execPath})`,
    '',
  ].join('\n');
}
