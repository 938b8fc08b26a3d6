/**
 * add_host: add a host (and its groups) to the in-memory inventory for later plays.
 *   - add_host: {name: "{{ new_ip }}", groups: [k3s_agents], ansible_user: ubuntu}
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';

const schema = z.record(z.string(), z.unknown());
type Args = z.infer<typeof schema>;

function list(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map(String);
  return String(v)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const addHostModule: ModuleDefinition<Args> = {
  name: 'add_host',
  aliases: ['ansible.builtin.add_host', 'ansible.legacy.add_host'],
  runsOn: 'controller',
  bypassHostLoop: true,
  keepsUnsafeArgs: true,
  schema,
  async run(ctx) {
    // `add_host: "{{ a_dict }}"`: the rendered dict gives the arguments, the task's own ones win (as the action plugin does).
    const raw = ctx.args['_raw_params'];
    const args = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>), ...ctx.args } : { ...ctx.args };
    delete args['_raw_params'];
    const name = args['name'] ?? args['hostname'] ?? args['host'];
    if (name === undefined || name === null || name === '') return { failed: true, msg: 'missing required arguments: name' };
    const groups = list(args['groups'] ?? args['group'] ?? args['groupname']);
    const hostVars: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(args)) {
      if (['name', 'hostname', 'host', 'groups', 'group', 'groupname', '_raw_params'].includes(k)) continue;
      hostVars[k] = v;
    }
    let hostName = String(name);
    // "host:port" sets ansible_port, as Ansible's add_host does.
    const m = /^([^:\[\]]+):(\d+)$/.exec(hostName);
    if (m) {
      hostName = m[1]!;
      hostVars['ansible_port'] = Number(m[2]);
    }
    return { changed: true, add_host: { host_name: hostName, groups, host_vars: hostVars } };
  },
};
