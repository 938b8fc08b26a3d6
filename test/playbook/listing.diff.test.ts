/**
 * Differential tests: philote's --syntax-check / --list-* text against ansible-playbook 2.14
 * (Debian package) on the fixtures in test/fixtures/playbooks. Lines whose order comes from
 * a Python set in ansible (the play's TAGS and its host list) are compared order-free.
 */
import { PhiloteError } from '../../src/errors.js';
import { exitCodeFor } from '../../src/cli/errors.js';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadInventory } from '../../src/inventory/index.js';
import { runListing, syntaxCheck, type ListingOptions } from '../../src/playbook/listing.js';

const run = promisify(execFile);
const ANSIBLE = '/usr/bin/ansible-playbook';
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'playbooks');
const haveAnsible = existsSync(ANSIBLE);

async function ansible(args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_ROLES_PATH: join(FIXTURES, 'no-such-roles-dir'), ANSIBLE_DEPRECATION_WARNINGS: 'False' };
  delete env['ANSIBLE_CONFIG'];
  const { stdout } = await run(ANSIBLE, args, { cwd: FIXTURES, env });
  return stdout;
}

/** Sorts the members of the play TAGS set and of each "hosts (n):" block. */
function normalise(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const play = /^(  play #\d+ .*\tTAGS: \[)(.*)\]$/.exec(line);
    if (play) {
      out.push(`${play[1]}${play[2]!.split(',').filter(Boolean).sort().join(',')}]`);
      continue;
    }
    out.push(line);
    if (/^    hosts \(\d+\):$/.test(line)) {
      const hosts: string[] = [];
      while (i + 1 < lines.length && lines[i + 1]!.startsWith('      ')) hosts.push(lines[++i]!);
      out.push(...hosts.sort());
    }
  }
  return out.join('\n');
}

const cases: Array<{ name: string; playbooks: string[]; flags: string[]; opts: Partial<ListingOptions> }> = [
  { name: 'all listings of site.yml', playbooks: ['site.yml'], flags: ['--list-hosts', '--list-tasks', '--list-tags'], opts: { listHosts: true, listTasks: true, listTags: true } },
  { name: 'list-tasks with -t', playbooks: ['site.yml'], flags: ['--list-tasks', '-t', 'webrole,inner', '--list-tags'], opts: { listTasks: true, listTags: true, tags: ['webrole', 'inner'] } },
  { name: 'list-tasks with --skip-tags and -t never', playbooks: ['site.yml'], flags: ['--list-tasks', '--skip-tags', 'common,outer', '-t', 'all,never'], opts: { listTasks: true, tags: ['all', 'never'], skipTags: ['common', 'outer'] } },
  { name: 'list-tags only, with --limit', playbooks: ['site.yml', 'plays/k3s.yml'], flags: ['--list-tags', '--list-hosts', '-l', 'web1,db1'], opts: { listTags: true, listHosts: true, limit: 'web1,db1' } },
  { name: 'tags.yml: always/never/tagged blocks', playbooks: ['tags.yml'], flags: ['--list-tasks', '--list-tags'], opts: { listTasks: true, listTags: true } },
  { name: 'tags.yml: -t tagged --skip-tags app', playbooks: ['tags.yml'], flags: ['--list-tasks', '-t', 'tagged', '--skip-tags', 'app'], opts: { listTasks: true, tags: ['tagged'], skipTags: ['app'] } },
  { name: 'tags.yml: -t untagged,debug,appblock', playbooks: ['tags.yml'], flags: ['--list-tasks', '--list-tags', '-t', 'untagged,debug,appblock'], opts: { listTasks: true, listTags: true, tags: ['untagged', 'debug', 'appblock'] } },
  { name: 'tags.yml: --skip-tags always', playbooks: ['tags.yml'], flags: ['--list-tasks', '--skip-tags', 'always,second'], opts: { listTasks: true, skipTags: ['always', 'second'] } },
];

describe.skipIf(!haveAnsible)('listing matches ansible-playbook', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const inventory = await loadInventory([join(FIXTURES, 'hosts.ini')]);
      const expected = await ansible(['-i', 'hosts.ini', ...c.flags, ...c.playbooks]);
      const got = await runListing({ playbooks: c.playbooks, cwd: FIXTURES, inventory, rolesPath: [], ...c.opts });
      expect(normalise(got)).toBe(normalise(expected));
    });
  }

  it('syntax-check of several playbooks', async () => {
    const expected = await ansible(['-i', 'hosts.ini', '--syntax-check', 'site.yml', 'plays/k3s.yml']);
    const got = await syntaxCheck({ playbooks: ['site.yml', 'plays/k3s.yml'], cwd: FIXTURES, rolesPath: [] });
    expect(got).toBe(expected);
  });
});

describe.skipIf(!haveAnsible)('syntax errors agree with ansible-playbook --syntax-check', () => {
  // [file, whether philote's message is Ansible's text word for word]
  const bad: Array<[string, boolean]> = [
    ['unknown-module.yml', true],
    ['two-modules.yml', true],
    ['play-keyword.yml', true],
    ['block-keyword.yml', true],
    ['no-hosts.yml', true],
    ['loop-import.yml', true],
    ['bad-yaml.yml', true],
    ['extra-params.yml', false],
    ['missing-import.yml', false],
    ['missing-role.yml', false],
    ['not-a-list.yml', false],
  ];
  it('every bad playbook is refused by both, with the same message where philote copies it', async () => {
    const results = await Promise.all(
      bad.map(async ([file]) => {
        try {
          await ansible(['--syntax-check', join('bad', file)]);
          return { file, rc: 0, error: '' };
        } catch (e) {
          const err = e as { code: number; stderr: string };
          const line = /ERROR! (.*)/.exec(err.stderr)?.[1] ?? '';
          return { file, rc: err.code, error: line };
        }
      }),
    );
    for (const [i, [file, sameText]] of bad.entries()) {
      const theirs = results[i]!;
      expect(theirs.rc, file).not.toBe(0);
      let ours: unknown;
      try {
        await syntaxCheck({ playbooks: [join('bad', file)], cwd: FIXTURES, rolesPath: [] });
      } catch (e) {
        ours = e;
      }
      // Refused before anything runs, with ansible-playbook's exit code (4 for a parser error, 1
      // for a file or role that is not there).
      expect(ours, file).toBeInstanceOf(PhiloteError);
      expect(exitCodeFor(ours), file).toBe(theirs.rc);
      if (sameText) expect((ours as Error).message, file).toBe(theirs.error);
    }
  });
});
