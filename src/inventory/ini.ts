/**
 * Ansible's INI inventory format (plugins/inventory/ini.py). It is not plain INI: host
 * lines are shell-split with `key=value` vars, values are typed by Python's literal_eval,
 * sections are `[group]`, `[group:vars]`, `[group:children]`, and a child group may be
 * declared after it is referenced. Errors carry file:line like Ansible's "path:N: msg".
 */
import { PhiloteError } from '../errors.js';
import { expandHostRange, parseAddress } from './address.js';
import type { InventoryData } from './data.js';
import { literalEval } from '../values/literal-eval.js';
import { shlexSplit } from '../values/shlex.js';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUPNAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface Pending {
  line: number;
  state: 'vars' | 'children';
  name: string;
  parents: string[];
}

/** Python's literal_eval, or the text unchanged when it is not a literal. */
export function parseIniValue(v: string): unknown {
  const lit = literalEval(v);
  return lit ? lit.value : v;
}

export function parseIni(inv: InventoryData, text: string, file: string): void {
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let state = 'hosts';
  const lines = text.split(/\r?\n/);
  let lineNo = 0;
  const fail = (msg: string, line = lineNo): never => {
    throw new PhiloteError('parse', msg, { location: { file, line, column: 1 } });
  };
  const addPendingChildren = (g: string) => {
    for (const parent of pending.get(g)!.parents) {
      inv.addChild(parent, g);
      if (pending.get(parent)?.state === 'children') addPendingChildren(parent);
    }
    pending.delete(g);
  };
  for (const raw of lines) {
    lineNo++;
    const line = raw.trim();
    if (!line || line[0] === ';' || line[0] === '#') continue;
    const m = SECTION.exec(line);
    if (m) {
      // ansible-core's InventoryData.add_group returns the name made safe (TRANSFORM_INVALID_GROUP_CHARS).
      group = inv.safeGroupName(m[1]!);
      state = m[2] ?? 'hosts';
      if (!['hosts', 'children', 'vars'].includes(state)) fail(`Section [${m[1]}:${m[2]}] has unknown type: ${state}`);
      if (!inv.groups.has(group)) {
        if (state === 'vars' && !pending.has(group)) pending.set(group, { line: lineNo, state: 'vars', name: group, parents: [] });
        inv.addGroup(group);
      }
      const p = pending.get(group);
      if (p && state !== 'vars') {
        if (p.state === 'children') addPendingChildren(group);
        else pending.delete(group);
      }
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      fail(`Invalid section entry: '${line}'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters`);
    }
    if (state === 'hosts') {
      let tokens: string[];
      try {
        tokens = shlexSplit(line, { comments: true });
      } catch (e) {
        return fail(`Error parsing host definition '${line}': ${(e as Error).message}`);
      }
      if (tokens.length === 0) continue;
      const { hosts, port } = expandHostPattern(tokens[0]!, fail);
      const vars: Record<string, unknown> = {};
      for (const t of tokens.slice(1)) {
        const eq = t.indexOf('=');
        if (eq < 0) fail(`Expected key=value host variable assignment, got: ${t}`);
        vars[t.slice(0, eq)] = parseIniValue(t.slice(eq + 1));
      }
      for (const h of hosts) {
        const host = inv.addHostTo(h, group, port);
        Object.assign(host.vars, vars);
      }
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) fail(`Expected key=value, got: ${line}`);
      inv.groups.get(group)!.vars[line.slice(0, eq).trim()] = parseIniValue(line.slice(eq + 1).trim());
    } else {
      const cm = GROUPNAME.exec(line);
      if (!cm) return fail(`Expected group name, got: ${line}`);
      // As ansible-core's ini plugin: a child is looked up by its name as written, so with
      // TRANSFORM_INVALID_GROUP_CHARS=always a child whose name was made safe is not found.
      const child = cm[1]!;
      if (!inv.groups.has(child)) {
        const p = pending.get(child);
        if (!p) pending.set(child, { line: lineNo, state: 'children', name: child, parents: [group] });
        else p.parents.push(group);
      } else {
        inv.addChild(group, child);
      }
    }
  }
  for (const p of pending.values()) {
    if (p.state === 'vars') fail(`Section [${p.name}:vars] not valid for undefined group: ${p.name}`, p.line);
    fail(`Section [${p.parents[p.parents.length - 1]}:children] includes undefined group: ${p.name}`, p.line);
  }
}

export function expandHostPattern(pattern: string, fail: (msg: string) => never): { hosts: string[]; port?: number } {
  const addr = parseAddress(pattern);
  const base = addr?.host ?? pattern;
  const port = addr?.port;
  if (pattern.trim().endsWith(':') && port === undefined) {
    fail(`Invalid host pattern '${pattern}' supplied, ending in ':' is not allowed, this character is reserved to provide a port.`);
  }
  let hosts: string[];
  try {
    hosts = expandHostRange(base);
  } catch (e) {
    return fail((e as Error).message);
  }
  if (hosts.some((h) => h.trim() === '---')) fail(`Invalid host pattern '${pattern}' supplied, '---' is normally a sign this is a YAML file.`);
  return { hosts, port };
}
