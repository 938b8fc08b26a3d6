/**
 * Playbook conformance: every playbook in cases/ runs under ansible-playbook 2.14 and
 * under philote; per-host task results and the recap must match. Known, explained
 * differences are listed in DIVERGENCES.md and accepted here by exact text.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES, HERE, compare, runAnsible, runPhilote } from './harness.js';
import type { CaseArgs, Outcome } from './harness.js';

const CASE_ARGS: Record<string, CaseArgs> = {
  '18-tags.yml': { tags: ['web', 'common'] },
  '19-skip-tags.yml': { skipTags: ['slow'] },
  '46-include-tags.yml': { tags: ['inc'] },
};

// PHILOTE_CASES=89,90 runs only the cases whose file name starts with one of those prefixes (a
// developer's loop; CI runs them all).
const only = (process.env['PHILOTE_CASES'] ?? '').split(',').filter(Boolean);
const files = readdirSync(CASES)
  .filter((f) => /^\d+-.*\.yml$/.test(f))
  .filter((f) => only.length === 0 || only.some((p) => f.startsWith(p)))
  .sort();
const hasAnsible = existsSync('/usr/bin/ansible-playbook');

/** Accepted divergences: lines of DIVERGENCES.md of the form "- `case.yml`: `mismatch text`". */
function accepted(): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  const p = join(HERE, 'DIVERGENCES.md');
  if (!existsSync(p)) return map;
  for (const m of readFileSync(p, 'utf8').matchAll(/^- `([^`]+\.yml)`: `(.+)`/gm)) {
    const set = map.get(m[1]!) ?? new Set<string>();
    set.add(m[2]!);
    map.set(m[1]!, set);
  }
  return map;
}

const ansibleResults = new Map<string, Outcome>();
const failures = new Map<string, string[]>();

describe.skipIf(!hasAnsible)('playbook conformance against ansible-playbook 2.14', () => {
  beforeAll(async () => {
    // At most two ansible-playbook processes at a time.
    const queue = [...files];
    await Promise.all(
      [0, 1].map(async () => {
        for (let f = queue.shift(); f; f = queue.shift()) ansibleResults.set(f, await runAnsible(f, CASE_ARGS[f]));
      }),
    );
  }, 900_000);

  afterAll(() => {
    const passed = files.length - failures.size;
    const lines = [`playbook conformance: ${passed} passed, ${failures.size} failed`];
    for (const [f, d] of failures) lines.push(`  ${f}:`, ...d.map((x) => `    ${x}`));
    console.log(lines.join('\n'));
  });

  const ok = accepted();
  it.each(files)('%s', async (file) => {
    const philote = await runPhilote(file, CASE_ARGS[file]);
    const diffs = compare(ansibleResults.get(file)!, philote).filter((d) => !ok.get(file)?.has(d));
    if (diffs.length) failures.set(file, diffs);
    expect(diffs).toEqual([]);
  }, 60_000);
});
