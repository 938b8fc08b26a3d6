import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadInventory, splitHostPattern, type InventoryData } from '../../src/inventory/index.js';
import { oracleCwd } from './oracle.js';

const fx = (name: string) => join(fileURLToPath(new URL('../fixtures/inventory/', import.meta.url)), name);

/** `ansible PATTERN --list-hosts`, all patterns in one run of a tiny playbook would be faster, but this is the real CLI. */
function ansibleHosts(pattern: string, limit?: string): string[] {
  const args = ['-i', fx('basic.ini'), pattern, '--list-hosts'];
  if (limit) args.push('--limit', limit);
  let out: string;
  try {
    out = execFileSync('ansible', args, { cwd: oracleCwd, encoding: 'utf8', env: { ...process.env, ANSIBLE_CONFIG: join(oracleCwd, 'ansible.cfg'), HOME: oracleCwd }, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return [];
  }
  return out.split('\n').slice(1).map((l) => l.trim()).filter(Boolean);
}

let inv: InventoryData;
beforeAll(async () => {
  inv = await loadInventory([fx('basic.ini')]);
});

const names = (pattern: string | string[], limit?: string) => inv.selectHosts(pattern, limit).map((h) => h.name);

describe('host patterns match ansible --list-hosts', () => {
  const cases: Array<[string, string?]> = [
    ['all'],
    ['web'],
    ['web:agents'],
    ['web,agents'],
    ['k3s:&web'],
    ['k3s:!agents'],
    ['!agents'],
    ['node0*'],
    ['*.example.com'],
    ['~node0[1-4]'],
    ['~(db|node1)'],
    ['web[0]'],
    ['web[-1]'],
    ['web[1:3]'],
    ['web[4:]'],
    ['k3s[0]:agents[1]'],
    ['solo'],
    ['node01,db-c'],
    ['web', 'k3s'],
    ['all', 'node0[1:5]'],
    ['all', '@LIMITFILE'],
    ['ungrouped'],
  ];
  it.each(cases)('%s (limit %s)', (pattern, limit) => {
    let l = limit;
    if (l === '@LIMITFILE') {
      const f = join(oracleCwd, 'limit.txt');
      writeFileSync(f, 'node02\n\ndb-e\n');
      l = `@${f}`;
    }
    expect(names(pattern, l)).toEqual(ansibleHosts(pattern, l));
  }, 20_000);
});

describe('host patterns: rules', () => {
  it('splits on commas first, then on colons outside brackets', () => {
    expect(splitHostPattern('a:b:&c:!d')).toEqual(['a', 'b', '&c', '!d']);
    expect(splitHostPattern('web[1:3]')).toEqual(['web[1:3]']);
    expect(splitHostPattern('a,b:c')).toEqual(['a', 'b:c']);
    expect(splitHostPattern('host:2222')).toEqual(['host:2222']);
    expect(splitHostPattern('fe80::1')).toEqual(['fe80::1']);
    expect(splitHostPattern(['a', 'b:c'])).toEqual(['a', 'b', 'c']);
  });
  it('the implicit localhost matches by name but is not in all', () => {
    expect(names('localhost')).toEqual(['localhost']);
    expect(names('all')).not.toContain('localhost');
    expect(inv.getHost('localhost')!.vars.ansible_connection).toBe('local');
    expect(inv.hostVars('localhost').ntp).toBe('pool.ntp.org');
    expect(inv.hosts.has('localhost')).toBe(false);
  });
  it('warns about a pattern that matches nothing', async () => {
    const warnings: string[] = [];
    const i = await loadInventory([fx('basic.ini')], { onWarning: (m) => warnings.push(m) });
    expect(i.selectHosts('nosuch')).toEqual([]);
    expect(warnings).toContain('Could not match supplied host pattern, ignoring: nosuch');
  });
  it('refuses a subscript beyond the group', () => {
    expect(() => names('agents[7]')).toThrow("No hosts matched the subscripted pattern 'agents[7]'");
  });
  it('refuses a missing limit file', () => {
    expect(() => names('all', '@/nonexistent/retry')).toThrow("Unable to find limit file b'/nonexistent/retry'");
  });
  it('refuses an invalid regex', () => {
    expect(() => names('~(')).toThrow('Invalid host list pattern: ~(');
  });
});

describe('inventory model', () => {
  it('group_names are ancestors included, sorted, without all', () => {
    expect(inv.groupNames('node01')).toEqual(['k3s', 'servers', 'web']);
    expect(inv.groupNames('solo')).toEqual(['ungrouped']);
  });
  it('groups map lists descendants hosts', () => {
    const g = inv.groupsMap();
    expect(g.k3s).toEqual(['node01', 'node08', 'node09', 'node10', 'node04', 'node05', 'node06']);
    expect(g.empty).toEqual([]);
    expect(g.ungrouped).toEqual(['solo', 'gateway.example.com']);
  });
  it('hostVars: child group beats parent, host beats group, inventory_file/dir set', () => {
    const v = inv.hostVars('node05');
    expect(v.role).toBe('agent');
    expect(inv.hostVars('node01').role).toBe('server');
    expect(inv.hostVars('node08').role).toBe('none');
    expect(v.inventory_file).toBe(fx('basic.ini'));
    expect(v.inventory_dir).toBe(fx('').replace(/\/$/, ''));
    expect(inv.hostVars('gateway.example.com').ansible_port).toBe(2222);
  });
  it('addHost / addGroup at run time (add_host, group_by)', async () => {
    const i = await loadInventory([fx('basic.ini')]);
    i.addHost('newbie', ['newgroup', 'web'], { x: 1 });
    expect(i.groupNames('newbie')).toEqual(['newgroup', 'web']);
    expect(i.hostVars('newbie').x).toBe(1);
    expect(i.selectHosts('all').map((h) => h.name)).toContain('newbie');
    i.addGroup('os_linux', ['k3s']);
    expect(i.groupsMap().all).not.toContain('os_linux');
    expect(i.groupNames('newbie')).not.toContain('os_linux');
    expect(i.groups.get('k3s')!.children).toContain('os_linux');
  });
});
