import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadInventory, inventoryList, inventoryGraph, inventoryHost } from '../../src/inventory/index.js';
import { pythonJson } from '../../src/inventory/dump.js';
import { ansibleInventory, oracleCwd } from './oracle.js';

const fx = (name: string) => join(fileURLToPath(new URL('../fixtures/inventory/', import.meta.url)), name);

async function compare(sources: string[], hosts: string[] = []) {
  const inv = await loadInventory(sources, { cwd: oracleCwd });
  const iargs = sources.flatMap((s) => ['-i', s]);
  expect(JSON.parse(pythonJson(inventoryList(inv)))).toEqual(JSON.parse(ansibleInventory([...iargs, '--list'])));
  // Key order and formatting too: the text must be identical.
  expect(pythonJson(inventoryList(inv))).toBe(ansibleInventory([...iargs, '--list']).trimEnd());
  expect(inventoryGraph(inv)).toBe(ansibleInventory([...iargs, '--graph']).trimEnd());
  for (const h of hosts) expect(pythonJson(inventoryHost(inv, h))).toBe(ansibleInventory([...iargs, '--host', h]).trimEnd());
}

describe('inventory matches ansible-inventory', () => {
  it('INI: typing of values, ranges with stride, ports, children declared later, all:vars, empty group', async () => {
    await compare([fx('basic.ini')], ['solo', 'node01', 'node05', 'gateway.example.com']);
  }, 30_000);
  it('YAML: nested children, vars at every level, ranges, host:port, YAML 1.1 booleans/octal', async () => {
    await compare([fx('hosts.yml')], ['srv1', 'agent-x']);
  }, 30_000);
  it('a directory of sources with group_vars/ (file, dir of files, extension-less JSON) and host_vars/', async () => {
    await compare([fx('dirinv')], ['w1', 'd1', 'e1']);
  }, 30_000);
  it('executable script with _meta.hostvars', async () => {
    await compare([fx('script.sh')], ['s1', 's3']);
  }, 30_000);
  it('executable script without _meta is asked --host per host', async () => {
    await compare([fx('nometa.sh')], ['a2']);
  }, 30_000);
  it('group names that are not identifiers, with each TRANSFORM_INVALID_GROUP_CHARS mode', async () => {
    // With always/silently, ansible-core's ini plugin looks a :children entry up by its name as
    // written, so invalid-groups.ini (children with '-') fails to parse there: only never/ignore.
    const cases: Array<[string, Array<'never' | 'always' | 'ignore' | 'silently'>]> = [
      [fx('invalid-groups-flat.ini'), ['never', 'always', 'ignore', 'silently']],
      [fx('invalid-groups.ini'), ['never', 'ignore']],
    ];
    for (const [src, modes] of cases) {
      for (const mode of modes) {
        const warnings: string[] = [];
        const inv = await loadInventory([src], { cwd: oracleCwd, groupNameChars: mode, onWarning: (m) => warnings.push(m) });
        expect(pythonJson(inventoryList(inv)), mode).toBe(ansibleInventory(['-i', src, '--list'], { ANSIBLE_TRANSFORM_INVALID_GROUP_CHARS: mode }).trimEnd());
        expect(warnings, mode).toEqual(
          mode === 'never' ? ['Invalid characters were found in group names but not replaced, use -vvvv to see details'] : mode === 'always' ? ['Invalid characters were found in group names and automatically replaced, use -vvvv to see details'] : [],
        );
      }
    }
  }, 60_000);
  it('advanced_host_list: ranges in a comma list expand when the plugin is enabled', async () => {
    const src = 'web[01:03],db[a:c]:2222,plain,odd[1:j],';
    for (const enabled of [['advanced_host_list'], ['host_list', 'advanced_host_list']]) {
      const inv = await loadInventory([src], { cwd: oracleCwd, enabledPlugins: enabled });
      expect(pythonJson(inventoryList(inv)), enabled.join()).toBe(ansibleInventory(['-i', src, '--list'], { ANSIBLE_INVENTORY_ENABLED: enabled.join(',') }).trimEnd());
    }
  }, 60_000);
  it('comma-separated host list and several sources together', async () => {
    await compare(['h1,h2:2201,', fx('basic.ini'), fx('hosts.yml')], ['h2', 'srv1']);
  }, 30_000);
});
