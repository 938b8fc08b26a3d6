/**
 * group_vars/ and host_vars/ beside the playbook: Ansible reads them on top of the
 * inventory's own group_vars/host_vars (see PRECEDENCE.md).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../inventory/types.js';
import { listVarsDir, readVarsFile } from './files.js';

export interface PlaybookDirVars {
  groups: Map<string, Record<string, unknown>>;
  hosts: Map<string, Record<string, unknown>>;
  /** The given groups ordered as Ansible merges them: all first, then by depth, then by name. */
  groupOrder(groups: string[], inventory: Inventory): string[];
}

function loadDir(dir: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.')) continue;
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) {
      const merged: Record<string, unknown> = {};
      for (const f of listVarsDir(p)) Object.assign(merged, readVarsFile(f));
      out.set(entry, { ...(out.get(entry) ?? {}), ...merged });
    } else {
      const m = /^(.*?)(\.ya?ml|\.json)?$/.exec(entry);
      if (!m || (m[2] === undefined && entry.includes('.'))) continue;
      out.set(m[1]!, { ...(out.get(m[1]!) ?? {}), ...readVarsFile(p) });
    }
  }
  return out;
}

export function playbookDirVars(baseDir: string): PlaybookDirVars {
  const groups = loadDir(join(baseDir, 'group_vars'));
  const hosts = loadDir(join(baseDir, 'host_vars'));
  return {
    groups,
    hosts,
    groupOrder(names, inventory) {
      if (groups.size === 0) return [];
      const depth = new Map<string, number>();
      const depthOf = (g: string, seen = new Set<string>()): number => {
        if (g === 'all') return 0;
        const known = depth.get(g);
        if (known !== undefined) return known;
        let d = 1;
        if (!seen.has(g)) {
          seen.add(g);
          for (const [pname, pg] of inventory.groups) if (pg.children.includes(g)) d = Math.max(d, depthOf(pname, seen) + 1);
        }
        depth.set(g, d);
        return d;
      };
      return names
        .filter((g) => groups.has(g))
        .sort((a, b) => depthOf(a) - depthOf(b) || (a < b ? -1 : a > b ? 1 : 0));
    },
  };
}
