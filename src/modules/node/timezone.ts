/**
 * timezone: set the node's time zone (community.general.timezone), Linux.
 *
 * Arguments: name: a zone under /usr/share/zoneinfo (`name: Europe/Berlin`); hwclock (rtc):
 * not supported by philote yet (refused with a message).
 *
 * As the collection's module picks its way: when `timedatectl` answers (systemd), read
 * "Time zone:" and run `timedatectl set-timezone`; otherwise the zone is /etc/timezone's first
 * word, checked against the /etc/localtime link (or file contents), and a change rewrites
 * /etc/timezone's line then links /etc/localtime and runs `dpkg-reconfigure --frontend
 * noninteractive tzdata` on Debian (elsewhere copies the zone file over /etc/localtime).
 * Returns changed, diff {before: {name}, after: {name}} and msg (the files edited), as Ansible.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { str } from './args.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    name: str.optional(),
    hwclock: z.enum(['local', 'UTC']).optional(),
    rtc: z.enum(['local', 'UTC']).optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
msg=
zf=/usr/share/zoneinfo/$tz
[ -f "$zf" ] || fail "Error message:
given timezone \"$tz\" is not available"
if command -v timedatectl >/dev/null 2>&1 && timedatectl >/dev/null 2>&1; then
  cur() { timedatectl status 2>/dev/null | sed -n 's/^[[:space:]]*Time \{0,1\}zone[[:space:]]*:[[:space:]]*\([^[:space:]]*\).*/\1/p' | head -1; }
  before=$(cur)
  if [ "$before" != "$tz" ] && [ -z "$a_check" ]; then o=$(timedatectl set-timezone "$tz" 2>&1) || fail "Error message:
$o"; fi
else
  cur() {
    v=n/a
    if [ -r /etc/timezone ]; then v=$(awk 'match($0, /^[^ \t]+/) { print substr($0, 1, RLENGTH); exit }' /etc/timezone); [ -z "$v" ] && v=n/a; fi
    if [ "$v" = "$tz" ]; then
      if [ -L /etc/localtime ]; then
        if [ -e /etc/localtime ]; then
          l=$(readlink /etc/localtime)
          case $l in */usr/share/zoneinfo/*) lz=${'$'}{l#*/usr/share/zoneinfo/} ;; */etc/zoneinfo/*) lz=${'$'}{l#*/etc/zoneinfo/} ;; *) lz= ;; esac
          if [ -n "$lz" ]; then [ "$lz" != "$tz" ] && v=$lz; else v=n/a; fi
        else v=n/a; fi
      else cmp -s /etc/localtime "$zf" || v=n/a; fi
    fi
    printf '%s' "$v"
  }
  before=$(cur)
  if [ "$before" != "$tz" ] && [ -z "$a_check" ]; then
    # /etc/timezone: the first zone line replaced (others deleted), as Ansible's _edit_file.
    n=0; [ -r /etc/timezone ] && n=$(grep -c '^[^[:space:]]' /etc/timezone)
    new=$(mktemp) || fail "mktemp failed"
    if [ "$n" = 0 ]; then { printf '%s\n' "$tz"; [ -r /etc/timezone ] && cat /etc/timezone; } > "$new"
    else awk -v z="$tz" '/^[^ \t]/ { if (!d++) print z; next } { print }' /etc/timezone > "$new"; fi
    cat "$new" > /etc/timezone || fail "Error message:
tried to configure name using a file \"/etc/timezone\", but could not write to it"
    rm -f "$new"
    msg="Added 1 line and deleted $n line(s) on /etc/timezone"
    if command -v dpkg-reconfigure >/dev/null 2>&1; then
      ln -sf "$zf" /etc/localtime || fail "Error message:
ln -sf $zf /etc/localtime failed"
      o=$(dpkg-reconfigure --frontend noninteractive tzdata 2>&1) || fail "Error message:
$o"
    else
      o=$(cp --remove-destination "$zf" /etc/localtime 2>&1) || fail "Error message:
$o"
    fi
  fi
fi
after=$before
if [ -z "$a_check" ]; then after=$(cur); [ "$after" = "$tz" ] || fail "Error message:
still not desired state, though changes have made - planned: {'name': '$tz'}, after: {'name': '$after'}"; fi
jsv "$before"; b=$_j; jsv "$msg"
printf '{"before":%s,"msg":%s}\n' "$b" "$_j"
`;

export const timezoneModule: ModuleDefinition<Args> = {
  name: 'timezone',
  aliases: ['community.general.timezone', 'community.general.system.timezone'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (a.hwclock !== undefined || a.rtc !== undefined) return { failed: true, changed: false, msg: 'timezone: hwclock is not supported by philote yet; set only name' };
    if (a.name === undefined) return { failed: true, changed: false, msg: 'one of the following is required: hwclock, name' };
    let out;
    try {
      out = await runNodeScript(ctx, shVars({ tz: a.name, a_check: ctx.checkMode }) + SCRIPT);
    } catch (e) {
      return moduleFailure(e);
    }
    if (out.json['failed']) return { failed: true, changed: false, msg: String(out.json['msg']) };
    const before = String(out.json['before']);
    const diff = { before: { name: before }, after: { name: a.name } } as unknown as Record<string, string>;
    const msg = String(out.json['msg'] ?? '');
    return { changed: before !== a.name, diff, ...(msg ? { msg } : {}) };
  },
};
