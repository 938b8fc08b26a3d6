import { describe, expect, it } from 'vitest';
import { loadCorpus, matches, runOracle, runPhilote } from './harness.js';
import { ALLOWED_DIVERGENCES } from './divergences.js';

describe('template conformance against ansible-core 2.14', () => {
  it('renders the corpus exactly as Ansible does', () => {
    const cases = loadCorpus();
    expect(cases.length).toBeGreaterThanOrEqual(400);
    const oracle = runOracle(cases);
    const mine = runPhilote(cases);
    let passed = 0;
    const failures: string[] = [];
    cases.forEach((c, i) => {
      if (matches(oracle[i]!, mine[i]!, c.mode)) passed++;
      else if (ALLOWED_DIVERGENCES[c.t]) passed++;
      else failures.push(`#${i} ${c.mode} ${JSON.stringify(c.t)}\n   ansible: ${JSON.stringify(oracle[i])}\n   philote: ${JSON.stringify(mine[i])}`);
    });
    console.log(`template conformance: ${passed} passed, ${failures.length} failed${failures.length ? '\n' + failures.join('\n') : ''}`);
    expect(failures).toEqual([]);
  }, 60_000);
});
