import { describe, expect, it } from 'vitest';
import { isUnsafeText } from '../../src/template/unsafe.js';
import { VariableManager } from '../../src/vars/manager.js';
import type { PlayScope } from '../../src/vars/manager.js';
import type { RoleInstance } from '../../src/playbook/types.js';
import { createTemplar, block, inventory, play } from '../executor/helpers.js';

const ini = '[web]\nh1 lvl=host\nh2\n[web:vars]\nlvl=web\nonly_group=g\n[all:vars]\nlvl=all\n';

function role(name: string, defaults: Record<string, unknown>, vars: Record<string, unknown> = {}, params: Record<string, unknown> = {}): RoleInstance {
  return { name, path: `/r/${name}`, defaults, vars, params, id: `${name}-1` };
}

async function manager(extraVars: Record<string, unknown> = {}, playVars: Record<string, unknown> = {}, roles: RoleInstance[] = []) {
  const inv = await inventory(ini);
  const vm = new VariableManager({ inventory: inv, extraVars, checkMode: true, diffMode: false, verbosity: 2, runTags: [], skipTags: ['x'], templar: createTemplar() });
  const p = play([], { vars: playVars, roles: roles.map((r) => block([], { role: r })) });
  const scope: PlayScope = { play: p, hostsAll: ['h1', 'h2'], activeHosts: ['h1', 'h2'], batch: ['h1', 'h2'], varsFilesFor: () => ({ vf: 'file', lvl2: 'file' }), roleNames: roles.map((r) => r.name) };
  vm.startPlay(scope);
  return vm;
}

describe('VariableManager precedence', () => {
  it('inventory: host > group > all; play vars above inventory; vars_files above play vars', async () => {
    const vm = await manager({}, { lvl2: 'play' });
    expect(vm.getVars('h1')['lvl']).toBe('host');
    expect(vm.getVars('h2')['lvl']).toBe('web');
    expect(vm.getVars('h2')['lvl2']).toBe('file');
  });

  it('role defaults are lowest, role vars beat play vars, role params beat set_fact', async () => {
    const r = role('web', { lvl: 'default', d: 'default' }, { rv: 'rolevar', pv: 'rolevar' }, { pr: 'param' });
    const vm = await manager({}, { pv: 'play' }, [r]);
    const v = vm.getVars('h1', { role: r });
    expect(v['lvl']).toBe('host');
    expect(v['d']).toBe('default');
    expect(v['pv']).toBe('rolevar');
    vm.setNonPersistent('h1', { pr: 'fact' });
    expect(vm.getVars('h1', { role: r })['pr']).toBe('param');
    expect(vm.getVars('h1', { role: r })['role_name']).toBe('web');
  });

  it('block < task < include_vars < set_fact < include params < extra vars < loop vars', async () => {
    const vm = await manager({ e: 'extra' });
    const layers = [{ a: 'block', b: 'block' }, { b: 'task', c: 'task', e: 'task' }];
    expect(vm.getVars('h1', { varLayers: layers })).toMatchObject({ a: 'block', b: 'task', c: 'task', e: 'extra' });
    vm.setIncludeVars('h1', { c: 'include_vars', f: 'include_vars' });
    vm.setNonPersistent('h1', { f: 'set_fact' });
    const v = vm.getVars('h1', { varLayers: layers, includeParams: { g: 'param' }, loopVars: { item: 1, e: 'loop' } });
    expect(v).toMatchObject({ c: 'include_vars', f: 'set_fact', g: 'param', item: 1, e: 'loop' });
  });

  it('facts: injected as ansible_* and namespaced in ansible_facts; below play vars', async () => {
    const vm = await manager({}, { ansible_hostname: 'play' });
    vm.setHostFacts('h2', { ansible_hostname: 'fact', ansible_os_family: 'Debian', custom: 1 });
    const v = vm.getVars('h2');
    expect(v['ansible_hostname']).toBe('play');
    // Facts are node data: stored as unsafe text (never templated again), printed as their text.
    expect(isUnsafeText(v['ansible_os_family'])).toBe(true);
    expect(String(v['ansible_os_family'])).toBe('Debian');
    expect(v['ansible_facts']).toEqual({ hostname: 'fact', os_family: 'Debian', custom: 1 });
    vm.clearFacts('h2');
    expect(vm.getVars('h2')['ansible_os_family']).toBeUndefined();
  });
});

describe('magic variables', () => {
  it('sets the documented magic vars', async () => {
    const vm = await manager();
    const v = vm.getVars('h1');
    expect(v).toMatchObject({
      inventory_hostname: 'h1',
      inventory_hostname_short: 'h1',
      group_names: ['web'],
      ansible_check_mode: true,
      ansible_diff_mode: false,
      ansible_verbosity: 2,
      ansible_play_hosts_all: ['h1', 'h2'],
      ansible_play_batch: ['h1', 'h2'],
      ansible_skip_tags: ['x'],
      ansible_run_tags: ['all'],
    });
    expect((v['groups'] as Record<string, string[]>)['web']).toEqual(['h1', 'h2']);
    expect((v['ansible_version'] as { major: number }).major).toBe(2);
    expect(v['vars']).toBe(v);
  });

  it('hostvars is lazy, lists inventory hosts and excludes play vars', async () => {
    const vm = await manager({}, { playonly: 1 });
    vm.setNonPersistent('h2', { registered: 'r', tmpl: '{{ inventory_hostname }}' });
    const hv = vm.getVars('h1')['hostvars'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(hv).sort()).toEqual(['h1', 'h2']);
    expect(hv['h2']!['registered']).toBe('r');
    expect(hv['h2']!['playonly']).toBeUndefined();
    expect(hv['h2']!['only_group']).toBe('g');
    // Templates in another host's vars render in that host's context.
    expect(hv['h2']!['tmpl']).toBe('h2');
    expect('h3' in hv).toBe(false);
  });
});
