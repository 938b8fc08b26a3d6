/**
 * What `ansible-inventory --list / --graph / --host` print, for `philote inventory`.
 * JSON is formatted as Python's json.dumps(sort_keys=True, indent=4).
 */
import type { InventoryData } from './data.js';

/** Variables ansible-inventory strips from its output (InventoryCLI INTERNAL_VARS). */
const INTERNAL_VARS = new Set([
  'ansible_diff_mode', 'ansible_config_file', 'ansible_facts', 'ansible_forks', 'ansible_inventory_sources', 'ansible_limit',
  'ansible_playbook_python', 'ansible_run_tags', 'ansible_skip_tags', 'ansible_verbosity', 'ansible_version', 'inventory_dir',
  'inventory_file', 'inventory_hostname', 'inventory_hostname_short', 'groups', 'group_names', 'omit', 'playbook_dir',
]);

function publicVars(inv: InventoryData, host: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(inv.hostVars(host))) if (!INTERNAL_VARS.has(k)) out[k] = v;
  return out;
}

export function pythonJson(value: unknown, indent = 4): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) o[k] = sort((v as Record<string, unknown>)[k]);
      return o;
    }
    return v;
  };
  return JSON.stringify(sort(value), null, indent);
}

export function inventoryList(inv: InventoryData, pattern = 'all'): Record<string, unknown> {
  const hosts = inv.selectHosts(pattern).map((h) => h.name);
  const available = new Set(hosts);
  const seen = new Set<string>();
  const results: Record<string, unknown> = {};
  const format = (name: string) => {
    const g = inv.groups.get(name)!;
    const entry: Record<string, unknown> = {};
    results[name] = entry;
    if (name !== 'all') entry.hosts = g.hosts.filter((h) => available.has(h));
    entry.children = [...g.children];
    for (const c of g.children) {
      if (!seen.has(c)) {
        format(c);
        seen.add(c);
      }
    }
    for (const k of Object.keys(entry)) if (Array.isArray(entry[k]) && (entry[k] as unknown[]).length === 0) delete entry[k];
    if (Object.keys(entry).length === 0) delete results[name];
  };
  format(inv.groups.has(pattern) ? pattern : 'all');
  const hostvars: Record<string, unknown> = {};
  for (const h of hosts) {
    const v = publicVars(inv, h);
    if (Object.keys(v).length > 0) hostvars[h] = v;
  }
  results._meta = { hostvars };
  return results;
}

export function inventoryGraph(inv: InventoryData, group = 'all'): string {
  const lines: string[] = [];
  const name = (n: string, depth: number) => (depth ? '  |'.repeat(depth) + '--' + n : n);
  const walk = (g: string, depth: number) => {
    lines.push(name(`@${g}:`, depth));
    const grp = inv.groups.get(g)!;
    for (const c of grp.children) walk(c, depth + 1);
    if (g !== 'all') for (const h of grp.hosts) lines.push(name(h, depth + 1));
  };
  walk(group, 0);
  return lines.join('\n');
}

export function inventoryHost(inv: InventoryData, host: string): Record<string, unknown> | undefined {
  if (!inv.hosts.has(host)) return undefined;
  return publicVars(inv, host);
}
