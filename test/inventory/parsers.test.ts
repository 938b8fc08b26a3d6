import { describe, it, expect } from 'vitest';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadInventory, setPlaybookDir } from '../../src/inventory/index.js';
import { literalEval as pythonLiteral } from '../../src/values/literal-eval.js';
import { expandHostRange, parseAddress } from '../../src/inventory/address.js';
import { shlexSplit } from '../../src/values/shlex.js';
import { PhiloteError } from '../../src/errors.js';
import { PendingVault } from '../../src/values/vault-hook.js';
import { tempDir } from '../helpers/temp-dir.js';

const tmp = () => tempDir('philote-inv-');
function file(name: string, text: string, dir = tmp()): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
async function loadError(path: string): Promise<PhiloteError> {
  try {
    await loadInventory([path]);
  } catch (e) {
    expect(e).toBeInstanceOf(PhiloteError);
    return e as PhiloteError;
  }
  throw new Error('expected an error');
}

describe('Python literal typing of INI values', () => {
  it.each([
    ['1', 1], ['-3', -3], ['1.5', 1.5], ['1e3', 1000], ['0x10', 16], ['0o17', 15], ['1_000', 1000],
    ['True', true], ['None', null], ['"x y"', 'x y'], ["'a' 'b'", 'ab'], ['[1, "a", [2]]', [1, 'a', [2]]],
    ['(1,)', [1]], ['{"k": 1}', { k: 1 }], ['"x" # comment', 'x'], ['"\\x41\\n"', 'A\n'], ["r'\\d'", '\\d'],
  ])('%s', (text, value) => {
    expect(pythonLiteral(text)).toEqual({ value });
  });
  it.each(['true', 'yes', '01', 'hello world', '{k:1}', '1.2.3', '', 'x=y', '[1,'])('%s is not a literal', (text) => {
    expect(pythonLiteral(text)).toBeUndefined();
  });
});

describe('host ranges and addresses', () => {
  it('expands numeric, padded, alphabetic, stepped and multiple ranges', () => {
    expect(expandHostRange('n[1:3]')).toEqual(['n1', 'n2', 'n3']);
    expect(expandHostRange('n[08:10]')).toEqual(['n08', 'n09', 'n10']);
    expect(expandHostRange('db-[a:f:2]')).toEqual(['db-a', 'db-c', 'db-e']);
    expect(expandHostRange('r[1:2]-[a:b]')).toEqual(['r1-a', 'r1-b', 'r2-a', 'r2-b']);
    expect(expandHostRange('n[:2]')).toEqual(['n0', 'n1', 'n2']);
  });
  it('refuses malformed ranges', () => {
    expect(() => expandHostRange('n[01:5]')).toThrow('host range must specify equal-length begin and end formats');
    expect(() => expandHostRange('n[1]')).toThrow('host range must be begin:end or begin:end:step');
    expect(() => expandHostRange('n[f:a]')).toThrow('host range must have begin <= end');
  });
  it('parses host:port, [v6]:port and bare IPv6', () => {
    expect(parseAddress('h:22')).toEqual({ host: 'h', port: 22 });
    expect(parseAddress('[fe80::1]:2222')).toEqual({ host: 'fe80::1', port: 2222 });
    expect(parseAddress('fe80::1')).toEqual({ host: 'fe80::1', port: undefined });
    expect(parseAddress('10.0.0.1:22')).toEqual({ host: '10.0.0.1', port: 22 });
    expect(parseAddress('web:&db')).toBeUndefined();
  });
  it('accepts and refuses host names as ansible-core 2.14 parse_address does, ASCII and not', () => {
    // Answers of ansible.parsing.utils.addresses.parse_address(h, allow_ranges=True) on 2.14.18.
    for (const h of ['node-1', '_n', 'web[01:03].example.com', 'nœud1', 'Node.EXAMPLE.com', 'n[a:c]x', 'ünï.côdé', '127.0.0.1', '10.0.0.256']) {
      expect(parseAddress(h), h).toEqual({ host: h, port: undefined });
    }
    for (const h of ['node-', '-node', 'node_', 'nœud-', 'a..b', 'x y']) expect(parseAddress(h), h).toBeUndefined();
  });
  it('shell-splits host lines like shlex', () => {
    expect(shlexSplit(`h a="x y" b='q r' c=x\\ y d=e#comment`, { comments: true })).toEqual(['h', 'a=x y', 'b=q r', 'c=x y', 'd=e']);
    expect(() => shlexSplit('h a="x')).toThrow('No closing quotation');
  });
});

describe('INI errors carry file and line', () => {
  it('unknown section type', async () => {
    const p = file('h.ini', '[web]\nh1\n[web:bogus]\n');
    const e = await loadError(p);
    expect(e.message).toBe('Section [web:bogus] has unknown type: bogus');
    expect(e.location).toEqual({ file: p, line: 3, column: 1 });
  });
  it('section with spaces', async () => {
    const e = await loadError(file('h.ini', '\n[web servers]\n'));
    expect(e.message).toContain("Invalid section entry: '[web servers]'");
    expect(e.location?.line).toBe(2);
  });
  it('host var without =', async () => {
    const e = await loadError(file('h.ini', '[web]\nh1 novalue\n'));
    expect(e.message).toBe('Expected key=value host variable assignment, got: novalue');
    expect(e.location?.line).toBe(2);
  });
  it('group var without =', async () => {
    const e = await loadError(file('h.ini', '[web]\nh1\n[web:vars]\njust_a_word\n'));
    expect(e.message).toBe('Expected key=value, got: just_a_word');
    expect(e.location?.line).toBe(4);
  });
  it('children naming an undefined group', async () => {
    const e = await loadError(file('h.ini', '[k3s:children]\nservers\nghost\n[servers]\ns1\n'));
    expect(e.message).toBe('Section [k3s:children] includes undefined group: ghost');
    expect(e.location?.line).toBe(3);
  });
  it('vars for an undefined group', async () => {
    const e = await loadError(file('h.ini', '[ghost:vars]\na=1\n'));
    expect(e.message).toBe('Section [ghost:vars] not valid for undefined group: ghost');
    expect(e.location?.line).toBe(1);
  });
  it('host ending in a colon', async () => {
    const e = await loadError(file('h.ini', 'h1:\n'));
    expect(e.message).toContain("Invalid host pattern 'h1:' supplied, ending in ':' is not allowed");
  });
  it('unterminated quote', async () => {
    const e = await loadError(file('h.ini', '[a]\nh1 x="y\n'));
    expect(e.message).toBe(`Error parsing host definition 'h1 x="y': No closing quotation`);
    expect(e.location?.line).toBe(2);
  });
  it('a group that is its own ancestor', async () => {
    const e = await loadError(file('h.ini', '[a:children]\nb\n[b:children]\na\n'));
    expect(e.message).toContain('creates a recursive dependency loop');
  });
});

describe('YAML errors', () => {
  it('syntax error with line and column', async () => {
    const p = file('h.yml', 'all:\n  hosts:\n    h1: {a: 1\n');
    const e = await loadError(p);
    expect(e.message).toMatch(/^Syntax Error while loading YAML/);
    expect(e.location?.file).toBe(p);
    expect(e.location?.line).toBeGreaterThanOrEqual(3);
  });
  it('a list is not an inventory', async () => {
    const e = await loadError(file('h.yml', '- a\n- b\n'));
    expect(e.message).toBe('YAML inventory has invalid structure, it should be a dictionary, got: list');
  });
  it('hosts must be a mapping', async () => {
    const e = await loadError(file('h.yml', 'web:\n  hosts:\n    - h1\n'));
    expect(e.message).toBe('Invalid "hosts" entry for "web" group, requires a dictionary, found "list" instead.');
  });
  it('an inline !vault value without secrets stays encrypted until used; a vault file is refused clearly', async () => {
    const withValue = await loadInventory([file('h.yml', 'all:\n  hosts: {h1: {}}\n  vars:\n    pw: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n      6331\n')]);
    const pw = withValue.hostVars('h1')['pw'];
    expect(pw).toBeInstanceOf(PendingVault);
    expect(() => String(pw)).toThrow('Attempting to decrypt but no vault secrets found');
    const d = tmp();
    mkdirSync(join(d, 'group_vars'));
    file('all.yml', '$ANSIBLE_VAULT;1.1;AES256\n3836\n', join(d, 'group_vars'));
    const inv = await loadInventory([file('h.ini', 'h1\n', d)]);
    expect(() => inv.hostVars('h1')).toThrow(/cannot decrypt/);
  });
  it('warns about unexpected keys, like Ansible', async () => {
    const warnings: string[] = [];
    await loadInventory([file('h.yml', 'web:\n  host:\n    h1:\n')], { onWarning: (w) => warnings.push(w) });
    expect(warnings).toContain('Skipping unexpected key (host) in group (web), only "vars", "children" and "hosts" are valid');
  });
});

describe('sources', () => {
  it('a missing source warns and leaves only the implicit localhost', async () => {
    const warnings: string[] = [];
    const inv = await loadInventory(['/nonexistent/hosts'], { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual(['Unable to parse /nonexistent/hosts as an inventory source', 'No inventory was parsed, only implicit localhost is available', "provided hosts list is empty, only localhost is available. Note that the implicit localhost does not match 'all'"]);
    expect(inv.selectHosts('all')).toEqual([]);
    expect(inv.selectHosts('localhost').map((h) => h.name)).toEqual(['localhost']);
  });
  it('an explicit localhost is a normal host in all, without implied local connection', async () => {
    const inv = await loadInventory(['localhost,other,']);
    expect(inv.selectHosts('all').map((h) => h.name)).toEqual(['localhost', 'other']);
    expect(inv.hostVars('localhost').ansible_connection).toBeUndefined();
  });
});

describe('group_vars/host_vars beside the playbook', () => {
  it('beat the inventory-dir ones, all < group < host', async () => {
    const invDir = tmp();
    const pbDir = tmp();
    for (const d of [invDir, pbDir]) {
      mkdirSync(join(d, 'group_vars'));
      mkdirSync(join(d, 'host_vars'));
    }
    const hosts = file('hosts', '[web]\nh1 inline=1\n[web:vars]\ngv=ini\n', invDir);
    file('all.yml', 'a: inv_all\nb: inv_all\nc: inv_all\n', join(invDir, 'group_vars'));
    file('web.yml', 'b: inv_web\ngv: inv_web\n', join(invDir, 'group_vars'));
    file('h1.yml', 'inline: inv_host\n', join(invDir, 'host_vars'));
    file('all.yml', 'a: pb_all\nb: pb_all\n', join(pbDir, 'group_vars'));
    file('web.yaml', 'c: pb_web\n', join(pbDir, 'group_vars'));
    file('h1', 'd: pb_host\n', join(pbDir, 'host_vars'));
    const inv = await loadInventory([hosts]);
    expect(inv.hostVars('h1')).toMatchObject({ a: 'inv_all', b: 'inv_web', c: 'inv_all', gv: 'inv_web', inline: 'inv_host' });
    setPlaybookDir(inv, pbDir);
    expect(inv.hostVars('h1')).toMatchObject({ a: 'pb_all', b: 'inv_web', c: 'pb_web', d: 'pb_host', inline: 'inv_host' });
  });
});
