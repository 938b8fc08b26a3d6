/**
 * dpkg_selections: a Debian package's selection state (ansible.builtin.dpkg_selections), e.g.
 * holding the K3s host's container runtime at its version.
 *
 * Arguments: name (required), selection (required): install | hold | deinstall | purge.
 * Reads `dpkg --get-selections NAME` ("not present" when dpkg lists nothing) and, when it
 * differs and not in check mode, feeds "NAME SELECTION" to `dpkg --set-selections`.
 * Returns changed, before, after, as Ansible's module.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { str } from './args.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    name: str,
    selection: z.enum(['install', 'hold', 'deinstall', 'purge']),
  })
  .strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
command -v dpkg >/dev/null 2>&1 || fail "Failed to find required executable \"dpkg\" in paths: $PATH"
out=$(dpkg --get-selections "$n" 2>/dev/null) || fail "dpkg --get-selections $n failed"
set -f; set -- $out; set +f
cur=${'$'}{2:-not present}
ch=; [ "$cur" != "$sel" ] && ch=1
if [ -n "$ch" ] && [ -z "$a_check" ]; then
  e=$(printf '%s %s' "$n" "$sel" | dpkg --set-selections 2>&1) || fail "$e"
fi
jsv "$cur"
printf '{"changed":%s,"before":%s}\n' "$( [ -n "$ch" ] && printf true || printf false )" "$_j"
`;

export const dpkgSelectionsModule: ModuleDefinition<Args> = {
  name: 'dpkg_selections',
  aliases: ['ansible.builtin.dpkg_selections', 'ansible.legacy.dpkg_selections'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (!/^[a-z0-9][a-z0-9+.-]*(:[a-z0-9-]+)?$/.test(a.name)) return { failed: true, changed: false, msg: `dpkg_selections: '${a.name}' is not a Debian package name` };
    let out;
    try {
      out = await runNodeScript(ctx, shVars({ n: a.name, sel: a.selection, a_check: ctx.checkMode }) + SCRIPT);
    } catch (e) {
      return moduleFailure(e);
    }
    if (out.json['failed']) return { failed: true, changed: false, msg: String(out.json['msg']) };
    return { changed: out.json['changed'] === true, before: out.json['before'], after: a.selection };
  },
};
