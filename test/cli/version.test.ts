/** `philote --version` and a lone `-v`: ansible-playbook --version's first lines, for philote. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('philote --version', () => {
  it('prints the version, the config file in use and where philote runs from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'philote-version-'));
    try {
      writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\nforks = 3\n');
      for (const args of [['--version'], ['-v'], ['playbook', '--version'], ['inventory', '--list', '--version']]) {
        const r = await runCli(args, { cwd: dir, env: { ANSIBLE_CONFIG: '' } });
        expect(r.code).toBe(0);
        const lines = r.out.split('\n');
        expect(lines[0]).toBe(`philote ${pkg.version} [runs playbooks written for ansible-core 2.14]`);
        expect(lines[1]).toBe(`  config file = ${join(dir, 'ansible.cfg')}`);
        expect(lines[4]).toMatch(/^ {2}node version = v\d+\.\d+\.\d+ \(.*node\)$/);
      }
      // -v before a pattern stays "verbose": it is an ad hoc run, not a version request.
      const adhoc = await runCli(['-v', 'nomatch', '-i', 'localhost,', '-m', 'ping'], { cwd: dir, env: { ANSIBLE_CONFIG: '' } });
      expect(adhoc.out).not.toContain('node version');
      expect(adhoc.err).toContain('Could not match supplied host pattern, ignoring: nomatch');
      expect(adhoc.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
