/**
 * ip_route (philote): routes present or absent, through `ip route`. One exec.
 *
 * Arguments:
 * - dest: the destination prefix, 'default', or omitted with state=absent to select by
 *   proto/dev/type alone.                                     `dest: 10.42.1.0/24`
 * - proto: routing protocol (bird, kernel, static, boot, a number).   `proto: bird`
 * - dev: output device.                                        `dev: eth0`
 * - via: gateway (present).                                    `via: 10.0.0.1`
 * - type: unicast (default), blackhole, unreachable, prohibit, local.  `type: blackhole`
 * - table: routing table (default main).                       `table: main`
 * - metric, onlink: for creation.
 * - ip_version: ipv4 (default, ipv6 when dest has ':') | ipv6 | both (absent). `ip_version: both`
 *   removes Calico's IPv6 bird routes too on dual-stack nodes (the twin has only ipv4 or ipv6).
 * - state: present (default) | absent.
 *
 * Returns: routes (absent: the matching routes before the change, as `ip route` prints them;
 * present: the route set, as the twin words it, or none when it existed),
 * removed (count, absent) / added; changed when a route was added, changed or removed.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, int, str } from '../node/args.js';
import { argError, moduleFailure, runNodeScript, shVars } from '../node/script.js';

const schema = z
  .object({
    dest: str.optional(),
    name: str.optional(),
    proto: str.optional(),
    dev: str.optional(),
    via: str.optional(),
    type: z.enum(['unicast', 'blackhole', 'unreachable', 'prohibit', 'local', 'throw']).optional(),
    table: str.default('main'),
    metric: int.optional(),
    onlink: bool.default(false),
    ip_version: z.enum(['ipv4', 'ipv6', 'both']).optional(),
    state: z.enum(['present', 'absent']).default('present'),
  })
  .strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
command -v ip >/dev/null 2>&1 || fail "ip (iproute2) not found on the node"
all=; n=0
for fam in $a_fams; do
  sel="table $a_table"
  [ -n "$a_dest" ] && sel="$sel exact $a_dest"
  [ -n "$a_type" ] && sel="$sel type $a_type"
  if [ "$a_state" = absent ]; then [ -n "$a_proto" ] && sel="$sel proto $a_proto"; [ -n "$a_dev" ] && sel="$sel dev $a_dev"; fi
  ip "$fam" route show $sel > "$t/r" 2>"$t/e" || fail "ip route show: $(cat "$t/e")"
  if [ "$a_state" = absent ]; then
    while IFS= read -r r; do
      [ -z "$r" ] && continue
      n=$((n + 1)); all="$all$r
"
      if [ -z "$a_check" ]; then
        # 'ip route show' drops the selectors it was given; add them back for the delete.
        extra="table $a_table"; [ -n "$a_proto" ] && extra="$extra proto $a_proto"; [ -n "$a_dev" ] && extra="$extra dev $a_dev"
        case "$r" in blackhole*|unreachable*|prohibit*|local*|throw*|unicast*) set -- $r ;; *) set -- ${'$'}{a_type:+$a_type} $r ;; esac
        ip "$fam" route del "$@" $extra 2>"$t/e" || fail "ip route del $r: $(cat "$t/e")"
      fi
    done < "$t/r"
  else
    want="$a_type $a_dest"; [ -n "$a_via" ] && want="$want via $a_via"; [ -n "$a_dev" ] && want="$want dev $a_dev"
    [ -n "$a_proto" ] && want="$want proto $a_proto"; [ -n "$a_metric" ] && want="$want metric $a_metric"; [ -n "$a_onlink" ] && want="$want onlink"
    cur=$(cat "$t/r"); all="$cur"
    ok=
    if [ -n "$cur" ]; then
      ok=1
      [ -n "$a_via" ] && { case " $cur " in *" via $a_via "*) ;; *) ok= ;; esac; }
      [ -n "$a_dev" ] && { case " $cur " in *" dev $a_dev "*) ;; *) ok= ;; esac; }
      [ -n "$a_metric" ] && { case " $cur " in *" metric $a_metric "*) ;; *) ok= ;; esac; }
      [ -n "$a_proto" ] && { case " $cur " in *" proto $a_proto "*) ;; *) ok= ;; esac; }
    fi
    if [ -z "$ok" ]; then
      n=1
      [ -z "$a_check" ] && { ip "$fam" route replace $want table "$a_table" 2>"$t/e" || fail "ip route replace $want: $(cat "$t/e")"; }
    fi
  fi
done
printf '{"count":%s,"routes":%s}\n' "$n" "$(js "$all")"
`;

export const ipRouteModule: ModuleDefinition<Args> = {
  name: 'ip_route',
  aliases: ['philote.ip_route', 'philote.net.ip_route'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const dest = a.dest ?? a.name;
    if (a.state === 'present' && !dest) throw argError('ip_route: dest is required with state=present');
    if (a.state === 'absent' && !dest && !a.proto && !a.dev && !a.type) throw argError('ip_route: state=absent needs dest, proto, dev or type to select routes (refusing to remove every route)');
    if (a.state === 'present' && a.type && a.type !== 'unicast' && a.via) throw argError(`ip_route: via cannot be used with type=${a.type}`);
    // ipv4 by default, as the twin (playbooks/library/ip_route.py): IPv6 routes are removed only when asked.
    const v = a.ip_version ?? (dest?.includes(':') ? 'ipv6' : 'ipv4');
    const fams = v === 'both' ? '-4 -6' : v === 'ipv6' ? '-6' : '-4';
    const vars = {
      a_fams: fams,
      a_dest: dest,
      a_proto: a.proto,
      a_dev: a.dev,
      a_via: a.via,
      a_type: a.type === 'unicast' ? '' : a.type,
      a_table: a.table,
      a_metric: a.metric,
      a_onlink: a.onlink,
      a_state: a.state,
      a_check: ctx.checkMode,
    };
    let out;
    try {
      out = await runNodeScript(ctx, shVars(vars) + 't=$(mktemp -d) || fail "cannot create a temporary directory"\ntrap \'rm -rf "$t"\' EXIT\n' + SCRIPT);
    } catch (e) {
      return moduleFailure(e);
    }
    const j = out.json;
    if (j['failed']) return { failed: true, changed: false, msg: j['msg'] as string };
    const n = j['count'] as number;
    const routes = String(j['routes']).split('\n').map((l) => l.trim()).filter(Boolean);
    if (a.state === 'absent') return { changed: n > 0, removed: n, routes, msg: n ? `${ctx.checkMode ? 'would remove' : 'removed'} ${n} routes` : 'no matching routes' };
    // As the twin: for present, routes is the route set ("dest via .. dev .. proto .. metric ..") or none.
    const sel = [dest, ...(['via', 'dev', 'proto', 'metric'] as const).flatMap((k) => (a[k] !== undefined ? [k, String(a[k])] : []))].join(' ');
    return { changed: n > 0, added: n, routes: n > 0 ? [sel] : [], msg: n ? `route ${dest} ${ctx.checkMode ? 'would be set' : 'set'}` : `route ${dest} exists` };
  },
};
