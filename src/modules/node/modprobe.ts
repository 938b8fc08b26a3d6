/**
 * modprobe: load or unload a kernel module (community.general.modprobe).
 *
 * Arguments:
 * - name: the module.                                  `name: br_netfilter`
 * - state: present (default) | absent.
 * - params: module parameters for loading.             `params: "numdummies=2"`
 *
 * Returns: name, params, state, changed. "Loaded" means the kernel lists the module under
 * /sys/module (modules built into the kernel count, as Ansible's modules.builtin check does).
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { str } from './args.js';
import { argError, moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    name: str,
    state: z.enum(['present', 'absent']).default('present'),
    params: str.default(''),
    persistent: z.enum(['disabled', 'absent', 'present']).default('disabled'),
  })
  .strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
m=$(printf '%s' "$a_name" | tr - _)
loaded=; [ -d "/sys/module/$m" ] && loaded=1
ch=
if [ "$a_state" = present ] && [ -z "$loaded" ]; then ch=1
elif [ "$a_state" = absent ] && [ -n "$loaded" ]; then ch=1; fi
if [ -n "$ch" ] && [ -z "$a_check" ]; then
  command -v modprobe >/dev/null 2>&1 || fail "modprobe was not found on the node"
  # params are split into words (no globbing), as Ansible passes them.
  if [ "$a_state" = present ]; then set -f; out=$(modprobe "$a_name" $a_params 2>&1) || fail "$out"; set +f
  else out=$(modprobe -r "$a_name" 2>&1) || fail "$out"; fi
fi
printf '{"changed":%s}\n' "$( [ -n "$ch" ] && printf true || printf false )"
`;

export const modprobeModule: ModuleDefinition<Args> = {
  name: 'modprobe',
  aliases: ['community.general.modprobe', 'community.general.system.modprobe'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (!/^[\w-]+$/.test(a.name)) throw argError(`modprobe: '${a.name}' is not a module name`);
    if (a.persistent !== 'disabled') ctx.warn('modprobe: persistent is not supported by philote yet; the module is only loaded or unloaded now');
    try {
      const out = await runNodeScript(ctx, shVars({ a_name: a.name, a_state: a.state, a_params: a.params, a_check: ctx.checkMode }) + SCRIPT);
      if (out.json['failed']) return { failed: true, changed: false, msg: String(out.json['msg']), name: a.name, params: a.params, state: a.state };
      return { changed: out.json['changed'] === true, name: a.name, params: a.params, state: a.state };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};
