/**
 * selinux: SELinux state and policy (ansible.posix.selinux); K3s hosts on RHEL-family systems
 * set it before installing k3s-selinux.
 *
 * Arguments: state (required): enforcing | permissive | disabled; policy (required unless
 * disabled; default the configured one); configfile (conf, file) (/etc/selinux/config).
 * update_kernel_param (grubby) is refused with a message.
 *
 * Read from the node without Python: running state from selinuxfs (/sys/fs/selinux/enforce),
 * configured state and policy from the config file's SELINUX= and SELINUXTYPE= lines (also the
 * running policy's name, as libselinux reports it). As Ansible's module: a new policy must exist
 * under /etc/selinux/POLICY/policy; the config lines are replaced (or appended); the running
 * state changes with setenforce when SELinux runs; otherwise "Reboot is required to set SELinux
 * state to 'X'" (warning, reboot_required); disabling a running SELinux goes permissive now.
 * Returns changed, msg, configfile, policy, state, reboot_required; check mode as the module.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, str } from './args.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    policy: str.optional(),
    state: z.enum(['enforcing', 'permissive', 'disabled']),
    configfile: str.optional(),
    conf: str.optional(),
    file: str.optional(),
    update_kernel_param: bool.default(false),
  })
  .strict();
type Args = z.infer<typeof schema>;

const READ = String.raw`
[ -f "$cf" ] || fail "Unable to find file $cf"
en=false; rs=disabled
if [ -f /sys/fs/selinux/enforce ]; then en=true; [ "$(cat /sys/fs/selinux/enforce)" = 1 ] && rs=enforcing || rs=permissive; fi
cs=$(sed -n 's/^SELINUX=\(.*\)$/\1/p' "$cf" | head -1 | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
cp=$(sed -n 's/^SELINUXTYPE=\(.*\)$/\1/p' "$cf" | head -1 | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
pe=false; [ -n "$want_policy" ] && [ -e "/etc/selinux/$want_policy/policy" ] && pe=true
jsv "$cs"; a=$_j; jsv "$cp"
printf '{"enabled":%s,"runtime_state":"%s","config_state":%s,"config_policy":%s,"policy_exists":%s}\n' "$en" "$rs" "$a" "$_j" "$pe"
`;

/** Replace KEY= lines (or append one), writing every line back with a newline, as the module does. */
const SETLINE = String.raw`
setline() {
  t=$(mktemp) || fail "mktemp failed"
  awk -v k="$1" -v v="$2" 'BEGIN { re = "^" k "=" } $0 ~ re { print k "=" v; f = 1; next } { print } END { if (!f) print k "=" v }' "$cf" > "$t"
  cat "$t" > "$cf" || fail "could not write $cf"; rm -f "$t"
}
[ -n "$new_policy" ] && setline SELINUXTYPE "$new_policy"
[ -n "$new_runtime" ] && { o=$(setenforce "$new_runtime" 2>&1) || fail "$o"; }
[ -n "$new_state" ] && setline SELINUX "$new_state"
printf '{"ok":true}\n'
`;

export const selinuxModule: ModuleDefinition<Args> = {
  name: 'selinux',
  aliases: ['ansible.posix.selinux'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (a.update_kernel_param) return { failed: true, changed: false, msg: 'selinux: update_kernel_param (grubby) is not supported by philote yet' };
    const configfile = a.configfile ?? a.conf ?? a.file ?? '/etc/selinux/config';
    let read;
    try {
      read = await runNodeScript(ctx, shVars({ cf: configfile, want_policy: a.policy }) + READ);
    } catch (e) {
      return moduleFailure(e);
    }
    const j = read.json;
    if (j['failed']) return { failed: true, changed: false, msg: String(j['msg']) };
    const configPolicy = String(j['config_policy'] ?? '');
    const configState = String(j['config_state'] ?? '');
    const runtimeEnabled = j['enabled'] === true;
    const runtimeState = String(j['runtime_state']);
    // libselinux names the running policy after the configured SELINUXTYPE.
    const runtimePolicy = configPolicy;
    if (a.state !== 'disabled' && !a.policy) return { failed: true, changed: false, msg: "Policy is required if state is not 'disabled'" };
    const policy = a.policy ?? configPolicy;
    const msgs: string[] = [];
    let changed = false;
    let rebootRequired = false;
    const todo: Record<string, string> = {};
    if (policy !== runtimePolicy) {
      if (ctx.checkMode) return { changed: true };
      msgs.push(`Running SELinux policy changed from '${runtimePolicy}' to '${policy}'`);
      changed = true;
    }
    if (policy !== configPolicy) {
      if (ctx.checkMode) return { changed: true };
      if (j['policy_exists'] !== true) return { failed: true, changed: false, msg: `Policy ${policy} does not exist in /etc/selinux/` };
      todo['new_policy'] = policy;
      msgs.push(`SELinux policy configuration in '${configfile}' changed from '${configPolicy}' to '${policy}'`);
      changed = true;
    }
    if (a.state !== runtimeState) {
      if (runtimeEnabled) {
        if (a.state === 'disabled') {
          if (runtimeState !== 'permissive') {
            todo['new_runtime'] = '0';
            ctx.warn(`SELinux state temporarily changed from '${runtimeState}' to 'permissive'. State change will take effect next reboot.`);
            changed = true;
          } else ctx.warn('SELinux state change will take effect next reboot');
          rebootRequired = true;
        } else {
          todo['new_runtime'] = a.state === 'enforcing' ? '1' : '0';
          msgs.push(`SELinux state changed from '${runtimeState}' to '${a.state}'`);
          changed = true;
        }
      } else {
        ctx.warn(`Reboot is required to set SELinux state to '${a.state}'`);
        rebootRequired = true;
      }
    }
    if (a.state !== configState) {
      todo['new_state'] = a.state;
      msgs.push(`Config SELinux state changed from '${configState}' to '${a.state}'`);
      changed = true;
    }
    if (Object.keys(todo).length && !ctx.checkMode) {
      try {
        const out = await runNodeScript(ctx, shVars({ cf: configfile, ...todo }) + SETLINE);
        if (out.json['failed']) return { failed: true, changed: false, msg: String(out.json['msg']) };
      } catch (e) {
        return moduleFailure(e);
      }
    }
    return { changed, msg: msgs.join(', '), configfile, policy, state: a.state, reboot_required: rebootRequired };
  },
};
