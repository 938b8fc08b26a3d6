/**
 * Temporary directories for tests that remove themselves: made inside a test, the directory goes
 * when that test ends; made anywhere else (module level, describe, hooks), when the file's tests
 * are done. vitest ends its worker processes without an 'exit' event, so a process hook would
 * not do; this module registers its afterAll when a test file (or a helper it imports) loads it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';
import { getCurrentTest } from 'vitest/suite';

const made: string[] = [];
const remove = (dir: string) => rmSync(dir, { recursive: true, force: true });
afterAll(() => {
  for (const d of made.splice(0)) remove(d);
});

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (getCurrentTest()) onTestFinished(() => remove(dir));
  else made.push(dir);
  return dir;
}
