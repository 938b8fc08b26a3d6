/**
 * Ansible's YAML inventory (plugins/inventory/yaml.py): top-level keys are groups, each
 * with optional `hosts` (host pattern → vars), `vars` and `children` (nested groups).
 * Also used for .json inventory files, which are YAML too.
 */
import { PhiloteError } from '../errors.js';
import type { InventoryData } from './data.js';
import { expandHostPattern } from './ini.js';

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function parseYamlInventory(inv: InventoryData, data: unknown, file: string): void {
  const fail = (msg: string): never => {
    throw new PhiloteError('parse', msg, { location: { file, line: 1, column: 1 } });
  };
  if (data === null || data === undefined || data === '' || (isMap(data) && Object.keys(data).length === 0)) fail('Parsed empty YAML file');
  if (!isMap(data)) return fail(`YAML inventory has invalid structure, it should be a dictionary, got: ${Array.isArray(data) ? 'list' : typeof data}`);
  if (data.plugin) {
    fail(
      ['philote.kube_nodes', 'kube_nodes'].includes(String(data.plugin))
        ? `Plugin configuration YAML file, not YAML inventory (give ${String(data.plugin)} files to -i directly, not inside an inventory directory)`
        : `Plugin configuration YAML file, not YAML inventory (inventory plugin ${String(data.plugin)} is not supported by philote; philote.kube_nodes is)`,
    );
  }
  for (const [name, body] of Object.entries(data)) parseGroup(inv, name, body, fail);
}

function parseGroup(inv: InventoryData, group: string, body: unknown, fail: (msg: string) => never): string {
  if (body !== null && body !== undefined && !isMap(body)) {
    inv.warn(`Skipping '${group}' as this is not a valid group definition`);
    return group;
  }
  const g = inv.addGroup(group);
  if (!body) return group;
  for (const section of ['vars', 'children', 'hosts']) {
    if (typeof body[section] === 'string') body[section] = { [body[section] as string]: null };
    const v = body[section];
    if (v !== undefined && v !== null && !isMap(v)) {
      fail(`Invalid "${section}" entry for "${group}" group, requires a dictionary, found "${Array.isArray(v) ? 'list' : typeof v}" instead.`);
    }
  }
  for (const [key, value] of Object.entries(body)) {
    if (value === null || value === undefined) continue;
    if (!isMap(value)) {
      inv.warn(`Skipping key (${key}) in group (${group}) as it is not a mapping, it is a ${Array.isArray(value) ? 'list' : typeof value}`);
      continue;
    }
    if (key === 'vars') Object.assign(g.vars, value);
    else if (key === 'children') {
      for (const [child, childBody] of Object.entries(value)) {
        parseGroup(inv, child, childBody, fail);
        inv.addChild(group, child);
      }
    } else if (key === 'hosts') {
      for (const [pattern, hostVars] of Object.entries(value)) {
        if (hostVars !== null && hostVars !== undefined && !isMap(hostVars)) {
          fail(`Invalid data from file, expected dictionary and got: ${JSON.stringify(hostVars)} (vars of host '${pattern}' in group '${group}')`);
        }
        const { hosts, port } = expandHostPattern(pattern, fail);
        for (const h of hosts) Object.assign(inv.addHostTo(h, group, port).vars, hostVars ?? {});
      }
    } else {
      inv.warn(`Skipping unexpected key (${key}) in group (${group}), only "vars", "children" and "hosts" are valid`);
    }
  }
  return group;
}
