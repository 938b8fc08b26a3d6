/**
 * The built bundle and its V8 code cache (scripts/bundle.mjs): the cache must fit the Node that
 * runs the tests (a rejected cache silently costs the whole compile at every start), and the
 * bundle must start through bin/philote.js as users run it. `npm ci` builds both (prepare), so
 * CI always has them; a checkout without a build skips, saying so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const bundle = join(root, 'dist', 'bundle', 'main.cjs');
const built = existsSync(bundle);

describe.skipIf(!built)('the bundle (skipped: not built; npm run build)', () => {
  it('has a code cache that this Node accepts', () => {
    const cache = readFileSync(`${bundle}.cache`);
    const wrapper = `(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`;
    const script = new vm.Script(wrapper, { filename: bundle, cachedData: cache });
    expect(script.cachedDataRejected).toBe(false);
  });

  it('runs a playbook through bin/philote.js', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'philote.js'), 'playbook', '--no-record', '-i', 'localhost,', join(root, 'scripts', 'code-cache-warmup.yml')], {
      encoding: 'utf8',
      env: { ...process.env, PHILOTE_FROM_SOURCE: '', NO_COLOR: '1', ANSIBLE_NOCOLOR: '1' },
    });
    expect(r.stderr).not.toMatch(/ExperimentalWarning|Error/);
    expect(r.stdout).toMatch(/localhost\s+: ok=5\s+changed=0\s+unreachable=0\s+failed=0/);
    expect(r.status).toBe(0);
  });
});
