/**
 * hostname: the node's host name, now and after a reboot (ansible.builtin.hostname).
 *
 * Arguments:
 * - name: the wanted host name.                                   `name: k3s-w1`
 * - use: accepted (systemd, debian, generic...); philote writes /etc/hostname and sets the
 *   running name with `hostname`, which is what the systemd and debian strategies amount to
 *   on the nodes K3s runs on.
 *
 * Returns: name, ansible_facts (ansible_hostname, ansible_nodename, ansible_fqdn, ansible_domain).
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { str } from './args.js';
import { argError, moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z.object({ name: str, use: str.optional() }).strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
ch=
cur=$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)
perm=; [ -r /etc/hostname ] && read -r perm < /etc/hostname
[ "$perm" = "$a_name" ] || { ch=1; [ -n "$a_check" ] || printf '%s\n' "$a_name" > /etc/hostname || fail "could not write /etc/hostname"; }
if [ "$cur" != "$a_name" ]; then
  ch=1
  if [ -z "$a_check" ]; then
    out=$(hostname "$a_name" 2>&1) || fail "Command failed: hostname $a_name: $out"
  fi
fi
printf '{"changed":%s}\n' "$( [ -n "$ch" ] && printf true || printf false )"
`;

export const hostnameModule: ModuleDefinition<Args> = {
  name: 'hostname',
  aliases: ['ansible.builtin.hostname', 'ansible.legacy.hostname'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const name = ctx.args.name.trim();
    if (!name) throw argError('hostname: name must not be empty');
    try {
      const out = await runNodeScript(ctx, shVars({ a_name: name, a_check: ctx.checkMode }) + SCRIPT);
      if (out.json['failed']) return { failed: true, changed: false, msg: String(out.json['msg']) };
      const short = name.split('.')[0]!;
      const domain = name.includes('.') ? name.slice(short.length + 1) : '';
      return {
        changed: out.json['changed'] === true,
        name,
        ansible_facts: { ansible_hostname: short, ansible_nodename: name, ansible_fqdn: name, ansible_domain: domain },
      };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};
