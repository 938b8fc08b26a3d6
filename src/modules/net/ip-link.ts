/**
 * ip_link (philote): network links present or absent, through `ip link`. One exec.
 *
 * Arguments:
 * - name (required): a link name or a shell glob (absent), or a list of them.
 *                                                   `name: [vxlan.calico, tunl0, 'cali*']`
 * - state: present (default) | absent.                                   `state: absent`
 * - type: link type for creation (dummy, vxlan, bridge, ...).   `type: dummy`
 * - options (alias args, the twin's name): extra `ip link add` arguments after the type.  `options: 'id 4096 dstport 4789 dev eth0'`
 * - up: bring a created link up (default true).
 *
 * Returns: links (absent: names matched before the change; present: names created, as the twin),
 * removed / added counts, warnings for links
 * the kernel refuses to delete (the ipip fallback device tunl0 can only be brought down).
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, str, strList } from '../node/args.js';
import { argError, moduleFailure, runNodeScript, shVars } from '../node/script.js';

const schema = z
  .object({
    name: strList,
    state: z.enum(['present', 'absent']).default('present'),
    type: str.optional(),
    options: str.optional(),
    args: str.optional(),
    up: bool.default(true),
  })
  .strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
command -v ip >/dev/null 2>&1 || fail "ip (iproute2) not found on the node"
set -f
links=$(ip -o link show | awk -F': ' '{ split($2, a, "@"); print a[1] }')
hit=; n=0; warn=
for l in $links; do
  for p in $a_names; do
    case "$l" in $p) hit="$hit $l"; break ;; esac
  done
done
if [ "$a_state" = absent ]; then
  for l in $hit; do
    n=$((n + 1))
    [ -n "$a_check" ] && continue
    if ! ip link del "$l" 2>"$t/e"; then
      if [ "$l" = tunl0 ] || [ "$l" = gre0 ] || [ "$l" = sit0 ] || [ "$l" = ip6tnl0 ]; then
        ip link set "$l" down 2>/dev/null; warn="$warn$l is a fallback device of its kernel module and cannot be deleted; it was set down. "
      else fail "ip link del $l: $(cat "$t/e")"; fi
    fi
  done
else
  for p in $a_names; do
    case " $hit " in *" $p "*) continue ;; esac
    case "$p" in *[*?[]*) fail "name '$p' is a pattern; state=present needs exact names" ;; esac
    [ -n "$a_type" ] || fail "link $p does not exist and no type was given to create it"
    n=$((n + 1))
    [ -n "$a_check" ] && continue
    ip link add "$p" type $a_type $a_options 2>"$t/e" || fail "ip link add $p type $a_type: $(cat "$t/e")"
    [ -n "$a_up" ] && ip link set "$p" up
  done
fi
printf '{"count":%s,"links":%s,"warn":%s}\n' "$n" "$(js "$hit")" "$(js "$warn")"
`;

export const ipLinkModule: ModuleDefinition<Args> = {
  name: 'ip_link',
  aliases: ['philote.ip_link', 'philote.net.ip_link'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (a.name.length === 0) throw argError('ip_link: name is required');
    for (const n of a.name) if (/\s/.test(n)) throw argError(`ip_link: name '${n}' must not contain spaces`);
    if (a.state === 'absent' && a.type) throw argError('ip_link: type is only used with state=present');
    const vars = { a_names: a.name.join(' '), a_state: a.state, a_type: a.type, a_options: a.options ?? a.args, a_up: a.up, a_check: ctx.checkMode };
    let out;
    try {
      out = await runNodeScript(ctx, shVars(vars) + 't=$(mktemp -d) || fail "cannot create a temporary directory"\ntrap \'rm -rf "$t"\' EXIT\n' + SCRIPT);
    } catch (e) {
      return moduleFailure(e);
    }
    const j = out.json;
    if (j['failed']) return { failed: true, changed: false, msg: j['msg'] as string };
    if (j['warn']) ctx.warn(String(j['warn']).trim());
    const n = j['count'] as number;
    const links = String(j['links']).trim().split(/\s+/).filter(Boolean);
    if (a.state === 'absent') return { changed: n > 0, removed: n, links, msg: n ? `${ctx.checkMode ? 'would remove' : 'removed'} ${links.join(', ')}` : 'no matching links' };
    // As the twin: for present, links are the names created (none when they all exist).
    const added = a.name.filter((name) => !links.includes(name));
    return { changed: n > 0, added: n, links: n > 0 ? added : [], msg: n ? `${ctx.checkMode ? 'would add' : 'added'} ${n} links` : 'links exist' };
  },
};
