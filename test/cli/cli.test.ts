import { describe, it, expect } from 'vitest';
import { PassThrough } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/cli/main.js';
import { parseExtraVars } from '../../src/cli/kv.js';
import { parseKeyValues as parseKv } from '../../src/values/kv.js';
import { adhocTask } from '../../src/cli/adhoc.js';
import { expandVerbose } from '../../src/cli/options.js';
import { formatError, exitCodeFor } from '../../src/cli/errors.js';
import { PhiloteError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const fx = (name: string) => join(fileURLToPath(new URL('../fixtures/inventory/', import.meta.url)), name);
const cwd = tempDir('philote-cli-');
writeFileSync(join(cwd, 'ansible.cfg'), '[defaults]\n');

async function cli(...args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await run(['node', 'philote', ...args], { stdout, stderr, env: { HOME: cwd, PATH: process.env.PATH }, cwd });
  return { code, out, err };
}

describe('philote inventory', () => {
  it('--graph, --host and --list print ansible-inventory output', async () => {
    const g = await cli('inventory', '-i', fx('basic.ini'), '--graph');
    expect(g.code).toBe(0);
    expect(g.out).toContain('@all:\n  |--@ungrouped:\n  |  |--solo\n');
    const h = await cli('inventory', '-i', fx('basic.ini'), '--host', 'node05');
    expect(JSON.parse(h.out)).toEqual({ ntp: 'pool.ntp.org', role: 'agent' });
    const l = await cli('inventory', '-i', 'a,b,', '--list');
    expect(JSON.parse(l.out)).toEqual({ _meta: { hostvars: {} }, all: { children: ['ungrouped'] }, ungrouped: { hosts: ['a', 'b'] } });
  });
  it('refuses a missing mode with exit 5', async () => {
    const r = await cli('inventory', '-i', fx('basic.ini'));
    expect(r.code).toBe(5);
    expect(r.err).toContain('ERROR! No action selected');
  });
  it('a parse error exits 4 with the file and offending line', async () => {
    const bad = join(cwd, 'bad.ini');
    writeFileSync(bad, '[web]\nh1 novalue\n');
    const r = await cli('inventory', '-i', bad, '--list');
    expect(r.code).toBe(4);
    expect(r.err).toContain('ERROR! Expected key=value host variable assignment, got: novalue');
    expect(r.err).toContain(`The error appears to be in '${bad}': line 2, column 1`);
    expect(r.err).toContain('h1 novalue\n^ here');
  });
});

describe('philote playbook flags', () => {
  it('an unknown flag is a usage error (exit 2, like argparse)', async () => {
    const r = await cli('playbook', '--bogus', 'x.yml');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '--bogus'");
  });
  it('-f must be an integer (exit 2)', async () => {
    const r = await cli('playbook', '-f', 'abc', 'x.yml');
    expect(r.code).toBe(2);
    expect(r.err).toContain("argument -f/--forks: invalid int value: 'abc'");
  });
  it('a missing playbook exits 1', async () => {
    const r = await cli('playbook', '-i', 'h1,', 'nonexist.yml');
    expect(r.code).toBe(1);
    expect(r.err).toBe('ERROR! the playbook: nonexist.yml could not be found\n');
  });
  it('--step is refused clearly (exit 5)', async () => {
    writeFileSync(join(cwd, 'pb.yml'), '- hosts: localhost\n  tasks: []\n');
    const r = await cli('playbook', '--step', 'pb.yml');
    expect(r.code).toBe(5);
    expect(r.err).toContain('--step is not supported by philote');
  });
  it('a missing vault password file is reported like Ansible', async () => {
    const r = await cli('playbook', '-i', 'h1,', '--vault-password-file', '/nonexist', 'pb.yml');
    expect(r.code).toBe(1);
    expect(r.err).toContain('ERROR! The vault password file /nonexist was not found');
  });
  it('--limit that leaves no host exits 1', async () => {
    const r = await cli('playbook', '-i', 'h1,', '-l', 'nomatch', 'pb.yml');
    expect(r.code).toBe(1);
    expect(r.err).toContain('ERROR! Specified inventory, host pattern and/or --limit leaves us with no hosts to target.');
    expect(r.err).toContain('[WARNING]: Could not match supplied host pattern, ignoring: nomatch');
  });
  it('-vvv counts as three', () => {
    expect(expandVerbose(['-vvv', 'x', '-v'])).toEqual(['-v', '-v', '-v', 'x', '-v']);
  });
});

describe('extra vars and module args', () => {
  it('key=value stays strings; quotes group', () => {
    expect(parseExtraVars(['a=1 b="x y"', "c='q'"], cwd)).toEqual({ a: '1', b: 'x y', c: 'q' });
  });
  it('YAML/JSON and @file, later wins', () => {
    writeFileSync(join(cwd, 'vars.yml'), 'a: 2\nlist: [1, 2]\n');
    expect(parseExtraVars(['{"a": 1, "n": true}', '@vars.yml'], cwd)).toEqual({ a: 2, n: true, list: [1, 2] });
  });
  it('errors like Ansible', () => {
    expect(() => parseExtraVars(['./vars.yml'], cwd)).toThrow("Please prepend extra_vars filename './vars.yml' with '@'");
    expect(() => parseExtraVars(['@missing.yml'], cwd)).toThrow(/Could not find or access/);
    expect(() => parseExtraVars(['[1, 2]'], cwd)).toThrow("Invalid extra vars data supplied. '[1, 2]' could not be made into a dictionary");
  });
  it('ad-hoc args: k=v for modules, free form for command', () => {
    expect(adhocTask('copy', 'src=a dest="/tmp/x y"').args).toEqual({ src: 'a', dest: '/tmp/x y' });
    expect(adhocTask('command', 'ls -l chdir=/tmp').args).toEqual({ _raw_params: 'ls -l', chdir: '/tmp' });
    expect(adhocTask('ansible.builtin.shell', 'echo a=b').action).toBe('shell');
    expect(adhocTask('debug', '{"msg": "hi"}').args).toEqual({ msg: 'hi' });
    expect(parseKv('a=1 free text')).toEqual({ a: '1', _raw_params: 'free text' });
  });
  it('command without args is an option error (exit 5)', async () => {
    const r = await cli('localhost', '-m', 'command');
    expect(r.code).toBe(5);
    expect(r.err).toContain('ERROR! No argument passed to command module');
  });
  it('adhoc --list-hosts through the bare PATTERN form', async () => {
    const r = await cli('web:&k3s', '-i', fx('basic.ini'), '-m', 'ping', '--list-hosts');
    expect(r.code).toBe(0);
    expect(r.out).toBe('  hosts (1):\n    node01\n');
  });
});

describe('error formatting and exit codes', () => {
  it('maps kinds to Ansible exit codes', () => {
    expect(exitCodeFor(new PhiloteError('parse', 'x'))).toBe(4);
    expect(exitCodeFor(new PhiloteError('option', 'x'))).toBe(5);
    expect(exitCodeFor(new Error('x'))).toBe(1);
  });
  it('prints the hint', () => {
    expect(formatError(new PhiloteError('parse', "couldn't resolve module/action 'lineinfle'", { hint: "did you mean 'lineinfile'?" }))).toBe(
      "ERROR! couldn't resolve module/action 'lineinfle' (did you mean 'lineinfile'?)",
    );
  });
});
