/**
 * The jsonfile fact cache (fact_caching = jsonfile), against ansible-playbook 2.14 on the same
 * cache directory: a cacheable set_fact written by one tool is read by the other in a later run
 * (and a fact that is not cacheable is not), the file is named <prefix><host> and holds the same
 * JSON, --flush-cache empties it before anything runs, an entry older than the timeout is
 * expired, and an unsupported cache plugin is refused by name.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { isolatedAnsibleEnv } from '../helpers/ansible-env.js';

const hasAnsible = existsSync('/usr/bin/ansible-playbook');
let dir = '';

function env(cache: string, extra: Record<string, string> = {}): Record<string, string> {
  return isolatedAnsibleEnv(dir, {
    ANSIBLE_CACHE_PLUGIN: 'jsonfile',
    ANSIBLE_CACHE_PLUGIN_CONNECTION: cache,
    ANSIBLE_CACHE_PLUGIN_PREFIX: 'pfx_',
    PHILOTE_RECORD: '0',
    ...extra,
  });
}

function ansible(args: string[], e: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('ansible-playbook', args, { cwd: dir, env: e }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr });
    });
  });
}

async function philote(args: string[], e: Record<string, string>): Promise<{ code: number; out: string }> {
  const r = await runCli(['playbook', ...args], { cwd: dir, env: e });
  return { code: r.code, out: r.out + r.err };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'philote-factcache-'));
  writeFileSync(join(dir, 'inv'), 'h1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n');
  writeFileSync(
    join(dir, 'write.yml'),
    [
      '- hosts: h1',
      '  gather_facts: false',
      '  tasks:',
      '    - set_fact: { cached_fact: kept, cached_list: [1, two], cacheable: true }',
      '    - set_fact: { run_only: gone }',
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'read.yml'),
    ['- hosts: h1', '  gather_facts: false', '  tasks:', '    - debug:', '        msg: "{{ cached_fact | default(\'none\') }} {{ cached_list | default([]) }} {{ run_only | default(\'none\') }}"'].join('\n') + '\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const msgOf = (out: string) => /"msg": "(.*)"/.exec(out)?.[1];

describe.skipIf(!hasAnsible)('jsonfile fact cache, with ansible-playbook on the same directory', () => {
  it('a cacheable fact written by one tool is read by the other; the files match', async () => {
    const byAnsible = mkdtempSync(join(dir, 'cache-a-'));
    const byPhilote = mkdtempSync(join(dir, 'cache-p-'));
    expect((await ansible(['-i', 'inv', 'write.yml'], env(byAnsible))).code).toBe(0);
    expect((await philote(['-i', 'inv', 'write.yml'], env(byPhilote))).code).toBe(0);
    expect(readdirSync(byAnsible)).toEqual(['pfx_h1']);
    expect(readdirSync(byPhilote)).toEqual(['pfx_h1']);
    expect(JSON.parse(readFileSync(join(byPhilote, 'pfx_h1'), 'utf8'))).toEqual(JSON.parse(readFileSync(join(byAnsible, 'pfx_h1'), 'utf8')));
    // Each reads the other's cache in a new run: the cacheable fact is there, the other is not.
    const pReadsA = await philote(['-i', 'inv', 'read.yml'], env(byAnsible));
    const aReadsP = await ansible(['-i', 'inv', 'read.yml'], env(byPhilote));
    expect(msgOf(aReadsP.out)).toBe("kept [1, 'two'] none");
    expect(msgOf(pReadsA.out)).toBe(msgOf(aReadsP.out));
  });

  it('--flush-cache empties the cache before the run; an entry past the timeout is expired', async () => {
    const cache = mkdtempSync(join(dir, 'cache-f-'));
    expect((await philote(['-i', 'inv', 'write.yml'], env(cache))).code).toBe(0);
    const old = new Date(Date.now() - 120_000);
    utimesSync(join(cache, 'pfx_h1'), old, old);
    const expired = await philote(['-i', 'inv', 'read.yml'], env(cache, { ANSIBLE_CACHE_PLUGIN_TIMEOUT: '60' }));
    expect(msgOf(expired.out)).toBe("none [] none");
    const kept = await philote(['-i', 'inv', 'read.yml'], env(cache, { ANSIBLE_CACHE_PLUGIN_TIMEOUT: '0' }));
    expect(msgOf(kept.out)).toBe("kept [1, 'two'] none");
    const [a, p] = [await ansible(['-i', 'inv', '--flush-cache', 'read.yml'], env(mkdtempSync(join(dir, 'cache-x-')))), await philote(['-i', 'inv', '--flush-cache', 'read.yml'], env(cache))];
    expect(msgOf(p.out)).toBe("none [] none");
    expect(msgOf(p.out)).toBe(msgOf(a.out));
    expect(existsSync(join(cache, 'pfx_h1'))).toBe(false);
  });

  it('a cache plugin philote lacks is refused before anything runs', async () => {
    const r = await philote(['-i', 'inv', 'write.yml'], env(join(dir, 'unused'), { ANSIBLE_CACHE_PLUGIN: 'redis' }));
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('Unable to load the facts cache plugin (redis)');
    expect(r.out).not.toContain('TASK [');
  });
});
