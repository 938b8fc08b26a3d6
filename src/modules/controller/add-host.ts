/**
 * add_host: add a host (and its groups) to the in-memory inventory for later plays.
 *   - add_host: {name: "{{ new_ip }}", groups: [k3s_agents], ansible_user: ubuntu}
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';

const schema = z.record(z.string(), z.unknown());
type Args = z.infer<typeof schema>;

function list(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (Array.isArray(v)) return v.map((x) => String(x).trim());
  return String(v)
    .split(',')
    .map((s) => s.trim());
}

export const addHostModule: ModuleDefinition<Args> = {
  name: 'add_host',
  keepsFloats: true,
  aliases: ['ansible.builtin.add_host', 'ansible.legacy.add_host'],
  runsOn: 'controller',
  bypassHostLoop: true,
  keepsUnsafeArgs: true,
  schema,
  async run(ctx) {
    // `add_host: "{{ a_dict }}"`: the rendered dict gives the arguments, the task's own ones win (combine_vars in the action plugin).
    const raw = ctx.args['_raw_params'] ?? {};
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      return { failed: true, exception: ACTION_FAIL, msg: `Invalid raw parameters passed, requires a dictonary/mapping got a  ${pyTypeName(raw)}` };
    }
    const args: Record<string, unknown> = { ...(raw as Record<string, unknown>), ...ctx.args };
    delete args['_raw_params'];
    const name = args['name'] ?? args['hostname'] ?? args['host'];
    if (name === undefined || name === null) return { failed: true, exception: ACTION_FAIL, msg: 'name, host or hostname needs to be provided' };
    const groupsArg = args['groupname'] ?? args['groups'] ?? args['group'] ?? '';
    if (groupsArg !== '' && groupsArg !== null && !Array.isArray(groupsArg) && typeof groupsArg !== 'string') {
      return { failed: true, exception: ACTION_FAIL, msg: 'Groups must be specified as a list.' };
    }
    const groups: string[] = [];
    for (const g of list(groupsArg)) if (!groups.includes(g)) groups.push(g);
    // Only these four are not host variables: `host` and `group` stay, as in the action plugin.
    const hostVars: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(args)) if (!['name', 'hostname', 'groupname', 'groups'].includes(k)) hostVars[k] = v;
    let hostName = String(name);
    // "host:port" (parse_address) sets ansible_ssh_port.
    const m = /^([^:\[\]]+):(\d+)$/.exec(hostName) ?? /^\[([^\]]+)\]:(\d+)$/.exec(hostName);
    if (m) {
      hostName = m[1]!;
      hostVars['ansible_ssh_port'] = Number(m[2]);
    }
    // `changed` is decided by the executor from what the inventory gained (add_dynamic_host).
    return { changed: false, add_host: { host_name: hostName, groups, host_vars: hostVars } };
  },
};

/** AnsibleActionFail carries traceback.format_exc() taken outside an except block. */
const ACTION_FAIL = 'NoneType: None\n';

function pyTypeName(v: unknown): string {
  if (typeof v === 'string') return "<class 'str'>";
  if (Array.isArray(v)) return "<class 'list'>";
  if (typeof v === 'number') return Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>";
  if (typeof v === 'boolean') return "<class 'bool'>";
  return "<class 'NoneType'>";
}
