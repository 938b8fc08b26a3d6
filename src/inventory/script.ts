/**
 * Executable inventory scripts: `script --list` prints JSON groups (a list of hosts, or
 * {hosts, vars, children}) and `_meta.hostvars`; without `_meta`, `script --host H` is
 * asked for each host, as Ansible's script plugin does.
 */
import { execFileSync } from 'node:child_process';
import { PhiloteError } from '../errors.js';
import type { InventoryData } from './data.js';

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function run(path: string, args: string[]): unknown {
  let stdout: string;
  try {
    stdout = execFileSync(path, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new PhiloteError('parse', `Inventory script (${path}) had an execution error: ${err.stderr?.trim() || err.message}`);
  }
  try {
    return JSON.parse(stdout);
  } catch (e) {
    throw new PhiloteError('parse', `failed to parse executable inventory script results from ${path}: ${(e as Error).message}`);
  }
}

export function parseScriptInventory(inv: InventoryData, path: string): void {
  const data = run(path, ['--list']);
  if (!isMap(data)) throw new PhiloteError('parse', `failed to parse executable inventory script results from ${path}: needs to be a json dict`);
  const hosts: string[] = [];
  let meta: Record<string, unknown> | undefined;
  for (const [group, raw] of Object.entries(data)) {
    if (group === '_meta') {
      if (isMap(raw) && isMap(raw.hostvars)) meta = raw.hostvars;
      continue;
    }
    const g = inv.addGroup(group);
    let body: Record<string, unknown>;
    if (!isMap(raw)) body = { hosts: raw };
    else if (!('hosts' in raw || 'vars' in raw || 'children' in raw)) body = { hosts: [group], vars: raw };
    else body = raw;
    if ('hosts' in body) {
      if (!Array.isArray(body.hosts)) throw new PhiloteError('parse', `You defined a group '${group}' with bad data for the host list:\n ${JSON.stringify(body)}`);
      for (const h of body.hosts) {
        inv.addHostTo(String(h), group);
        if (!hosts.includes(String(h))) hosts.push(String(h));
      }
    }
    if ('vars' in body) {
      if (!isMap(body.vars)) throw new PhiloteError('parse', `You defined a group '${group}' with bad data for variables:\n ${JSON.stringify(body)}`);
      Object.assign(g.vars, body.vars);
    }
    if (Array.isArray(body.children)) for (const c of body.children) inv.addChild(group, String(c));
  }
  for (const h of hosts) {
    const got = meta ? meta[h] ?? {} : run(path, ['--host', h]);
    if (!isMap(got)) throw new PhiloteError('parse', `Improperly formatted host information for ${h}`);
    Object.assign(inv.hosts.get(h)!.vars, got);
  }
}
