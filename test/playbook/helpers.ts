/** Writes small playbook trees into a temp dir for loader tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { PhiloteError } from '../../src/errors.js';
import { Loader } from '../../src/playbook/loader.js';
import type { Playbook } from '../../src/playbook/types.js';
import { tempDir } from '../helpers/temp-dir.js';

export function tree(files: Record<string, string>): string {
  const dir = tempDir('philote-pb-');
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return dir;
}

export function load(files: Record<string, string>, main = 'site.yml', rolesPath: string[] = []): Playbook & { dir: string } {
  const dir = tree(files);
  const pb = new Loader({ rolesPath: rolesPath.map((r) => join(dir, r)) }).loadPlaybookSync(join(dir, main));
  return { ...pb, dir };
}

/**
 * Loads and expects a PhiloteError of `kind` ('parse', or 'not-found' for a missing file or role,
 * as ansible-playbook exits 1 there and 4 on a parser error); returns it for message/location checks.
 */
export function loadError(files: Record<string, string>, main = 'site.yml', kind: 'parse' | 'not-found' = 'parse'): PhiloteError & { dir: string } {
  try {
    load(files, main);
  } catch (e) {
    expect(e).toBeInstanceOf(PhiloteError);
    const err = e as PhiloteError;
    expect(err.kind).toBe(kind);
    return Object.assign(err, { dir: '' });
  }
  throw new Error('expected a parse error');
}

/** A one-play playbook around the given task YAML (indented by the caller at 4 spaces). */
export function playWith(tasks: string): Record<string, string> {
  return { 'site.yml': `- hosts: all\n  tasks:\n${tasks}` };
}
