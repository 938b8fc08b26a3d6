/**
 * What `ansible-inventory --list / --graph / --host` print, for `philote inventory`.
 * JSON is formatted as Python's json.dumps(sort_keys=True, indent=4).
 */
import { PyFloat } from '../template/runtime/values.js';
import { pyStr } from '../output/pystr.js';
import type { InventoryData } from './data.js';

/** Variables ansible-inventory strips from its output (InventoryCLI INTERNAL_VARS). */
const INTERNAL_VARS = new Set([
  'ansible_diff_mode', 'ansible_config_file', 'ansible_facts', 'ansible_forks', 'ansible_inventory_sources', 'ansible_limit',
  'ansible_playbook_python', 'ansible_run_tags', 'ansible_skip_tags', 'ansible_verbosity', 'ansible_version', 'inventory_dir',
  'inventory_file', 'inventory_hostname', 'inventory_hostname_short', 'groups', 'group_names', 'omit', 'playbook_dir',
]);

function withoutInternal(vars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars)) if (!INTERNAL_VARS.has(k)) out[k] = v;
  return out;
}

function publicVars(inv: InventoryData, host: string): Record<string, unknown> {
  return withoutInternal(inv.hostVars(host));
}

/** --export: only what the host itself defines (inventory line, host_vars/), not what its groups give it. */
export function ownHostVars(inv: InventoryData, host: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...inv.hosts.get(host)?.vars };
  for (const l of inv.inventoryLayers) Object.assign(out, l.host(host));
  return withoutInternal(out);
}

/** A group's own variables: [g:vars] / vars: in the source, then group_vars/ beside it. */
export function ownGroupVars(inv: InventoryData, group: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...inv.groups.get(group)?.vars };
  for (const l of inv.inventoryLayers) Object.assign(out, l.group(group));
  return withoutInternal(out);
}

/** ansible-inventory's _get_host_variables: merged, or the host's own with --export. */
function hostVarsFor(inv: InventoryData, host: string, exportMode: boolean): Record<string, unknown> {
  return exportMode ? ownHostVars(inv, host) : publicVars(inv, host);
}

export function pythonJson(value: unknown, indent = 4): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object' && !(v instanceof PyFloat)) {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) o[k] = sort((v as Record<string, unknown>)[k]);
      return o;
    }
    return v;
  };
  return JSON.stringify(sort(value), null, indent);
}

export function inventoryList(inv: InventoryData, pattern = 'all', exportMode = false): Record<string, unknown> {
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
    if (exportMode) entry.vars = ownGroupVars(inv, name);
    for (const k of Object.keys(entry)) if (isEmpty(entry[k])) delete entry[k];
    if (Object.keys(entry).length === 0) delete results[name];
  };
  format(inv.groups.has(pattern) ? pattern : 'all');
  const hostvars: Record<string, unknown> = {};
  for (const h of hosts) {
    const v = hostVarsFor(inv, h, exportMode);
    if (Object.keys(v).length > 0) hostvars[h] = v;
  }
  results._meta = { hostvars };
  return results;
}

const isEmpty = (v: unknown) => (Array.isArray(v) ? v.length === 0 : v !== null && typeof v === 'object' && Object.keys(v).length === 0);

/** --graph, with --vars each host's and group's variables as "{name = value}" (Python's str of the value). */
export function inventoryGraph(inv: InventoryData, group = 'all', opts: { vars?: boolean; exportMode?: boolean } = {}): string {
  const lines: string[] = [];
  const name = (n: string, depth: number) => (depth ? '  |'.repeat(depth) + '--' + n : n);
  const showVars = (vars: Record<string, unknown>, depth: number) => {
    for (const k of Object.keys(vars).sort()) lines.push(name(`{${k} = ${pyStr(vars[k])}}`, depth));
  };
  const walk = (g: string, depth: number) => {
    lines.push(name(`@${g}:`, depth));
    const grp = inv.groups.get(g)!;
    for (const c of grp.children) walk(c, depth + 1);
    if (g !== 'all') {
      for (const h of grp.hosts) {
        lines.push(name(h, depth + 1));
        if (opts.vars) showVars(hostVarsFor(inv, h, opts.exportMode ?? false), depth + 2);
      }
    }
    if (opts.vars) showVars(ownGroupVars(inv, g), depth + 1);
  };
  walk(group, 0);
  return lines.join('\n');
}

/** --list --yaml: groups nested under their parents, each host's variables written once (where first seen). */
export function inventoryYaml(inv: InventoryData, group = 'all', exportMode = false): Record<string, unknown> {
  const seen = new Set<string>();
  const format = (g: string): Record<string, unknown> => {
    const grp = inv.groups.get(g)!;
    const entry: Record<string, unknown> = { children: {}, hosts: {} };
    for (const c of grp.children) if (c !== 'all') Object.assign(entry.children as object, format(c));
    if (g !== 'all') {
      for (const h of grp.hosts) {
        (entry.hosts as Record<string, unknown>)[h] = seen.has(h) ? {} : hostVarsFor(inv, h, exportMode);
        seen.add(h);
      }
    }
    if (exportMode) {
      const vars = ownGroupVars(inv, g);
      if (Object.keys(vars).length) entry.vars = vars;
    }
    for (const k of ['hosts', 'vars', 'children']) if (k in entry && isEmpty(entry[k])) delete entry[k];
    return { [g]: entry };
  };
  return format(group);
}

export function inventoryHost(inv: InventoryData, host: string, exportMode = false): Record<string, unknown> | undefined {
  if (!inv.hosts.has(host)) return undefined;
  return hostVarsFor(inv, host, exportMode);
}
