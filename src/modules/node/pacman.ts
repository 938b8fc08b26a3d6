/**
 * pacman (community.general.pacman): Arch Linux packages with the node's `pacman`, following the
 * collection module's steps and words: refresh the sync databases (update_cache), upgrade the
 * system (upgrade), or bring named packages, groups (expanded to their members), package files
 * and URLs to present / latest / absent, with install reasons (reason, reason_for).
 *
 * Arguments: name (pkg, package) list; state present|installed|latest|absent|removed; force
 * (remove with --nodeps --nodeps; always refresh); remove_nosave; executable (pacman); extra_args,
 * upgrade_extra_args, update_cache_extra_args (split as a shell would); upgrade; update_cache
 * (update-cache); reason explicit|dependency; reason_for new|all.
 *
 * Returns: changed, msg (the steps' messages, one a line), packages, diff {before, after}
 * (name-version[-reason] lines), cache_updated, stdout/stderr of the commands that ran; on a
 * failure, cmd too. Check mode asks pacman's --print-format dry runs only.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { shlexSplit } from '../../values/shlex.js';
import { bool, str, strList } from './args.js';
import { NEED_BIN } from './bin-path.js';
import { moduleFailure, q, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    name: strList.optional(),
    pkg: strList.optional(),
    package: strList.optional(),
    state: str.default('present'),
    force: bool.default(false),
    remove_nosave: bool.default(false),
    executable: str.default('pacman'),
    extra_args: str.default(''),
    upgrade: bool.optional(),
    upgrade_extra_args: str.default(''),
    update_cache: bool.optional(),
    'update-cache': bool.optional(),
    update_cache_extra_args: str.default(''),
    reason: str.optional(),
    reason_for: str.default('new'),
  })
  .strict();
type Args = z.infer<typeof schema>;

const STATES = ['present', 'installed', 'latest', 'absent', 'removed'];

const SCRIPT = String.raw`
need_bin "$a_exe"; P=$bin
export LANG=C LC_ALL=C
d=$(mktemp -d) || fail 'cannot create a temporary directory'
trap 'rm -rf "$d"' EXIT
: > "$d/so"; : > "$d/se"; : > "$d/db"; : > "$d/da"; : > "$d/pk"
nl='
'
ch=false; msgs=; cu=; hasdiff=; pkset=; cmdj=
addmsg() { msgs="$msgs${'$'}{msgs:+$nl}$1"; }
keep() {
  [ -s "$d/o" ] && { [ -s "$d/so" ] && printf '\n' >> "$d/so"; cat "$d/o" >> "$d/so"; }
  [ -s "$d/e" ] && { [ -s "$d/se" ] && printf '\n' >> "$d/se"; cat "$d/e" >> "$d/se"; }
  : > "$d/o"; : > "$d/e"
}
# x WORDS: run eval'd (the extra args are pre-quoted), output to $d/o and $d/e, the command kept for a failure.
x() { cmdj=$1; eval "$1" > "$d/o" 2> "$d/e"; }
finish() {
  [ -n "$2" ] && addmsg "$2"
  jsv "$msgs"; m=$_j
  f=; [ "$1" = failed ] && { f='"failed":true,'; keep; }
  c=; [ -n "$cmdj" ] && [ "$1" = failed ] && { jsv "$cmdj"; c=",\"cmd_sh\":$_j"; }
  u=; [ -n "$cu" ] && u=",\"cache_updated\":$cu"
  blob so "$d/so"; blob se "$d/se"; blob pk "$d/pk"; blob db "$d/db"; blob da "$d/da"
  emit "$f\"changed\":$ch,\"msg\":$m,\"packages_set\":$( [ -n "$pkset" ] && printf true || printf false ),\"has_diff\":$( [ -n "$hasdiff" ] && printf true || printf false )$u$c"
  exit 0
}
if [ -n "$a_uc" ]; then
  if [ -n "$a_check" ]; then addmsg 'Would have updated the package db'; ch=true; cu=true
  else
    [ -n "$a_force" ] || { "$P" --sync --list 2>/dev/null | sort > "$d/pre"; }
    x "\"\$P\" --sync --refresh $a_ucextra${'$'}{a_force:+ --refresh}"; rc=$?
    if [ -n "$a_force" ]; then cu=true
    else "$P" --sync --list 2>/dev/null | sort > "$d/post"; cmp -s "$d/pre" "$d/post" && cu=false || cu=true; fi
    [ "$cu" = true ] && ch=true
    [ "$rc" = 0 ] || finish failed 'could not update package db'
    addmsg 'Updated package db'; keep
  fi
  [ -n "$a_names$a_up" ] || finish ok
fi
"$P" --query > "$d/inst" 2>/dev/null
"$P" --query --explicit --quiet > "$d/expl" 2>/dev/null
"$P" --query --upgrades 2>/dev/null | grep -v '\[ignored\]' > "$d/upg"
have() { awk -v n="$1" '$1 == n { print $2; f = 1 } END { exit !f }' "$d/inst"; }
reason_of() { grep -qx -- "$1" "$d/expl" && echo explicit || echo dependency; }
if [ -n "$a_up" ]; then
  if [ ! -s "$d/upg" ]; then addmsg 'Nothing to upgrade'
  else
    ch=true; hasdiff=1; pkset=1
    awk '{ print $1 "-" $2 }' "$d/upg" > "$d/db"; awk '{ print $1 "-" $4 }' "$d/upg" > "$d/da"; awk '{ print $1 }' "$d/upg" > "$d/pk"
    if [ -n "$a_check" ]; then addmsg "$(wc -l < "$d/upg" | tr -d ' ') packages would have been upgraded"
    else
      x "\"\$P\" --sync --sysupgrade --quiet --noconfirm $a_upextra" || finish failed 'Could not upgrade'
      addmsg 'System upgraded'; keep
    fi
  fi
  finish ok
fi
# The named packages: groups expanded to their members, files and URLs kept as sources.
names=; urls=
IFS=$nl; set -f
for p in $a_names; do
  [ -n "$p" ] || continue
  case $p in *://*|*.pkg.tar*) urls="$urls$p$nl"; continue ;; esac
  g=$("$P" --sync --groups --quiet -- "$p" 2>/dev/null)
  if [ -n "$g" ]; then names="$names$g$nl"; else names="$names$p$nl"; fi
done
if [ "$a_state" = absent ]; then
  rm=
  for p in $names; do have "$p" > /dev/null && rm="$rm $(q1 "$p")"; done
  unset IFS
  [ -n "$rm" ] || { pkset=1; finish ok 'package(s) already absent'; }
  ch=true; pkset=1; hasdiff=1
  base="\"\$P\" --remove --noconfirm --noprogressbar $a_extra${'$'}{a_force:+ --nodeps --nodeps}"
  x "$base --print-format %n-%v $rm" || finish failed 'failed to list package(s) to remove'
  tr -s ' \n' '\n\n' < "$d/o" | sed '/^$/d' > "$d/pk"; cp "$d/pk" "$d/db"; : > "$d/o"; : > "$d/e"
  if [ -n "$a_check" ]; then finish ok "Would have removed $(wc -l < "$d/pk" | tr -d ' ') packages"; fi
  x "$base${'$'}{a_nosave:+ --nosave} $rm" || finish failed 'failed to remove package(s)'
  keep; finish ok "Removed $(wc -l < "$d/pk" | tr -d ' ') package(s)"
fi
inst=; why=
for p in $names; do
  v=$(have "$p") || v=
  if [ -n "$a_reason" ] && { [ -z "$v" ] || { [ "$a_reason_for" = all ] && [ "$(reason_of "$p")" != "$a_reason" ]; }; }; then why="$why$p$nl"; fi
  if [ -z "$v" ]; then inst="$inst $(q1 "$p")"
  elif [ "$a_state" = latest ] && awk -v n="$p" '$1 == n { f = 1 } END { exit !f }' "$d/upg"; then inst="$inst $(q1 "$p")"; fi
done
srcs=; for p in $urls; do srcs="$srcs $(q1 "$p")"; done
unset IFS
[ -n "$inst$srcs$why" ] || { pkset=1; finish ok 'package(s) already installed'; }
base="\"\$P\" --noconfirm --noprogressbar --needed $a_extra"
: > "$d/new"
for verb in sync upgrade; do
  if [ $verb = sync ]; then list=$inst; else list=$srcs; fi
  [ -n "$list" ] || continue
  x "$base --$verb --print-format '%n %v' $list" || finish failed 'Failed to list package(s) to install'
  grep -v 'loading packages\|there is nothing to do' "$d/o" | sed '/^[[:space:]]*$/d' >> "$d/new"; : > "$d/o"; : > "$d/e"
done
while read -r n v; do
  if cur=$(have "$n"); then echo "$n-$cur-$(reason_of "$n")" >> "$d/db"; fi
  if printf '%s' "$why" | grep -qx -- "$n"; then echo "$n-$v-$a_reason" >> "$d/da"
  elif have "$n" > /dev/null; then echo "$n-$v-$(reason_of "$n")" >> "$d/da"
  else echo "$n-$v" >> "$d/da"; fi
done < "$d/new"
awk '{ print $1 }' "$d/new" > "$d/pk"
printf '%s' "$why" | while read -r n; do [ -n "$n" ] && ! grep -qx -- "$n" "$d/pk" && echo "$n"; done >> "$d/pk.r"
cat "$d/pk.r" >> "$d/pk" 2>/dev/null
n=$(sed '/^$/d' "$d/pk" | wc -l | tr -d ' ')
pkset=1
[ "$n" -gt 0 ] || finish ok 'package(s) already installed'
ch=true; hasdiff=1
[ -z "$a_check" ] || finish ok "Would have installed $n packages"
[ -z "$inst" ] || { x "$base --sync $inst" || finish failed 'Failed to install package(s)'; keep; }
[ -z "$srcs" ] || { x "$base --upgrade $srcs" || finish failed 'Failed to install package(s)'; keep; }
if [ -n "$why" ]; then
  rs=; IFS=$nl; for p in $why; do rs="$rs $(q1 "$p")"; done; unset IFS
  x "\"\$P\" --noconfirm --database --as$( [ "$a_reason" = dependency ] && echo deps || echo explicit) $rs" || finish failed 'Failed to install package(s)'
  keep
fi
finish ok "Installed $n package(s)"
`;

/** q1: quote one word for the eval'd command lines (single quotes, as src/values/shell-quote). */
const Q1 = String.raw`q1() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
`;

const sortedLines = (b: Buffer | undefined): string[] => (b ?? Buffer.alloc(0)).toString('utf8').split('\n').filter((l) => l !== '');

export const pacmanModule: ModuleDefinition<Args> = {
  name: 'pacman',
  aliases: ['community.general.pacman', 'community.general.packaging.os.pacman'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const fail = (msg: string) => ({ failed: true, changed: false, msg });
    const names = a.name ?? a.pkg ?? a.package;
    const update = a.update_cache ?? a['update-cache'];
    if (!STATES.includes(a.state)) return fail(`value of state must be one of: ${STATES.join(', ')}, got: ${a.state}`);
    if (a.reason !== undefined && !['explicit', 'dependency'].includes(a.reason)) return fail(`value of reason must be one of: explicit, dependency, got: ${a.reason}`);
    if (!['new', 'all'].includes(a.reason_for)) return fail(`value of reason_for must be one of: new, all, got: ${a.reason_for}`);
    if (names === undefined && update === undefined && a.upgrade === undefined) return fail('one of the following is required: name, update_cache, upgrade');
    if (names !== undefined && a.upgrade !== undefined) return fail('parameters are mutually exclusive: name|upgrade');
    const words = (s: string) => shlexSplit(s).map((w) => q(w)).join(' ');
    const state = a.state === 'installed' ? 'present' : a.state === 'removed' ? 'absent' : a.state;
    try {
      const out = await runNodeScript(
        ctx,
        NEED_BIN +
          Q1 +
          shVars({
            a_exe: a.executable,
            a_names: (names ?? []).join('\n'),
            a_state: state,
            a_force: a.force,
            a_nosave: a.remove_nosave,
            a_extra: words(a.extra_args),
            a_up: a.upgrade === true,
            a_upextra: words(a.upgrade_extra_args),
            a_uc: update === true,
            a_ucextra: words(a.update_cache_extra_args),
            a_reason: a.reason,
            a_reason_for: a.reason_for,
            a_check: ctx.checkMode,
          }) +
          SCRIPT,
      );
      const j = out.json;
      if (!('packages_set' in j)) return { failed: true, changed: false, msg: String(j['msg']) };
      const text = (name: string) => (out.blobs[name] ?? Buffer.alloc(0)).toString('utf8');
      const lines = (name: string) => sortedLines(out.blobs[name]);
      const result: Record<string, unknown> = { changed: j['changed'] === true, msg: String(j['msg'] ?? '') };
      if (text('so')) result['stdout'] = text('so');
      if (text('se')) result['stderr'] = text('se');
      if (j['packages_set'] === true) result['packages'] = j['failed'] ? lines('pk') : [...new Set(lines('pk'))].sort();
      if (j['has_diff'] === true) {
        const join = (l: string[]) => (l.length ? `${l.join('\n')}\n` : '');
        result['diff'] = { before: join(lines('db').sort()), after: join(lines('da').sort()) };
      }
      if ('cache_updated' in j) result['cache_updated'] = j['cache_updated'];
      if (j['failed']) {
        result['failed'] = true;
        result['changed'] = false;
        if (typeof j['cmd_sh'] === 'string') result['cmd'] = j['cmd_sh'];
      }
      return result;
    } catch (e) {
      return moduleFailure(e);
    }
  },
};
