/**
 * mount: fstab entries and active mounts (ansible.posix.mount), Linux.
 *
 * Arguments:
 * - path (name) (required): the mount point.                    `path: /var/lib/longhorn`
 * - src, fstype: device and type (required for mounted, present, ephemeral).  `src: /dev/sdb1`, `fstype: ext4`
 * - opts (defaults), dump (0), passno (0): the other fstab fields.
 * - state (required): mounted (fstab line + mounted; remounted when the line changed), present
 *   (fstab line only), unmounted (unmount, fstab kept), absent (line removed, unmounted, the
 *   mount point directory removed), absent_from_fstab (line removed only), remounted, ephemeral
 *   (mounted with these src/fstype/opts, fstab untouched).
 * - fstab (/etc/fstab): another file; mount then reads it with `mount -T`.
 * - boot (true): false adds noauto to opts (unless opts has defaults: a warning, as Ansible).
 * - backup: keep the old fstab as FSTAB.<pid>.<YYYY-MM-DD@HH:MM:SS>~ (backup_file).
 *
 * Fields are escaped as Ansible does (space \040, & \046, backslash \134); a line matches on its
 * mount point (and on src for swap lines "none"). Returns changed, name, src, fstype, opts, dump,
 * passno, fstab, boot, backup_file, as Ansible's module does. Check mode changes nothing.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, str } from './args.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    path: str.optional(),
    name: str.optional(),
    src: str.optional(),
    fstype: str.optional(),
    opts: str.optional(),
    dump: str.default('0'),
    passno: str.default('0'),
    state: z.enum(['absent', 'absent_from_fstab', 'mounted', 'present', 'unmounted', 'remounted', 'ephemeral']),
    fstab: str.optional(),
    boot: bool.default(true),
    backup: bool.default(false),
  })
  .strict()
  .refine((a) => a.path !== undefined || a.name !== undefined, { message: 'missing required arguments: path' });
type Args = z.infer<typeof schema>;

function escapeField(v: string): string {
  return v.replace(/\\/g, '\\134').replace(/ /g, '\\040').replace(/&/g, '\\046');
}

const SCRIPT = String.raw`
ch=; backup_file=; rmsg=
fs=$a_fstab
if [ "$a_state" != ephemeral ] && [ ! -e "$fs" ]; then
  mkdir -p "$(dirname "$fs")" 2>/dev/null; : >> "$fs" 2>/dev/null || fail "Failed to open $fs due to permission issue"
fi
# mounted PATH: listed as a mount point in /proc/self/mountinfo (octal escapes as fstab's).
ismounted() { awk -v p="$e_name" '$5 == p { f = 1 } END { exit !f }' /proc/self/mountinfo; }
srcmatches() { awk -v p="$e_name" -v s="$a_src" '$5 == p { for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 2) == s) f = 1; break } } END { exit !f }' /proc/self/mountinfo; }
tflag() { [ "$fs" != /etc/fstab ] && printf '%s\n' "-T" "$fs"; }
domount() {
  set -- mount
  [ "$fs" != /etc/fstab ] && [ "$a_state" != ephemeral ] && set -- "$@" -T "$fs"
  [ "$a_state" = ephemeral ] && set -- "$@" -t "$a_fstype" -o "$a_opts" "$a_src"
  rmsg=$("$@" "$a_name" 2>&1)
}
doumount() { rmsg=$(umount "$a_name" 2>&1); }
doremount() {
  set -- mount -o remount
  [ "$fs" != /etc/fstab ] && [ "$a_state" != ephemeral ] && set -- "$@" -T "$fs"
  [ "$a_state" = ephemeral ] && set -- mount -o "remount,$a_opts" -t "$a_fstype" "$a_src"
  rmsg=$("$@" "$a_name" 2>&1) && return 0
  doumount || return 1
  domount
}
backup() {
  [ -n "$a_backup" ] || return 0
  backup_file="$fs.$$.$(date +%Y-%m-%d@%H:%M:%S)~"; cp -p "$fs" "$backup_file"
}
# setline: rewrite fstab with our line (changed fields of a matching line, or appended). Sets fch.
setline() {
  new=$(mktemp) || fail "mktemp failed"
  awk -v s="$e_src" -v n="$e_name" -v t="$e_fstype" -v o="$e_opts" -v d="$e_dump" -v p="$e_passno" -v rs="$a_src" '
    { line = $0 }
    /^[ \t]*$/ || /^[ \t]*#/ || NF < 4 || NF > 6 { print line; next }
    $2 != n || ($2 == "none" && $3 == "swap" && $1 != rs) { print line; next }
    {
      found = 1
      dd = (NF >= 5) ? $5 : "0"; pp = (NF >= 6) ? $6 : "0"
      if ($1 != s || $3 != t || $4 != o || dd != d || pp != p) { changed = 1; print s " " n " " t " " o " " d " " p } else print line
    }
    END { if (!found) { print s " " n " " t " " o " " d " " p; changed = 1 } exit !changed }' "$fs" > "$new" && fch=1 || fch=
  if [ -n "$fch" ] && [ -z "$a_check" ]; then backup; cat "$new" > "$fs"; fi
  rm -f "$new"
}
unsetline() {
  new=$(mktemp) || fail "mktemp failed"
  awk -v n="$e_name" -v rs="$a_src" '
    /^[ \t]*$/ || /^[ \t]*#/ || NF != 6 { print; next }
    $2 != n || ($2 == "none" && $3 == "swap" && rs != "" && $1 != rs) { print; next }
    { changed = 1 }
    END { exit !changed }' "$fs" > "$new" && fch=1 || fch=
  if [ -n "$fch" ] && [ -z "$a_check" ]; then backup; cat "$new" > "$fs"; fi
  rm -f "$new"
}
case $a_state in
  absent_from_fstab) unsetline; ch=$fch ;;
  absent)
    unsetline; ch=$fch
    if [ -n "$ch" ] && [ -z "$a_check" ]; then
      if ismounted; then doumount || fail "Error unmounting $a_name: $rmsg"; fi
      if [ -e "$a_name" ]; then e=$(rmdir "$a_name" 2>&1) || fail "Error rmdir $a_name: $e"; fi
    fi ;;
  unmounted)
    if ismounted; then ch=1; [ -z "$a_check" ] && { doumount || fail "Error unmounting $a_name: $rmsg"; }; fi ;;
  mounted|ephemeral)
    made=
    if [ ! -e "$a_name" ] && [ -z "$a_check" ]; then
      made=$(mkdir -pv "$a_name" 2>&1) || fail "Error making dir $a_name: $made"
    fi
    if [ "$a_state" = mounted ]; then oldfs=$(cat "$fs"); setline; ch=$fch; fi
    res=0
    if ismounted; then
      if [ -n "$ch" ] && [ -z "$a_check" ]; then doremount || res=1; fi
      if [ "$a_state" = ephemeral ]; then
        srcmatches || fail "Ephemeral mount point is already mounted with a different source than the specified one. Failing in order to prevent an unwanted unmount or override operation. Try replacing this command with a \"state: unmounted\" followed by a \"state: ephemeral\", or use a different destination path."
        ch=1; [ -z "$a_check" ] && { doremount || res=1; }
      fi
    else
      ch=1; [ -z "$a_check" ] && { domount || res=1; }
    fi
    if [ "$res" != 0 ]; then
      # Undo as Ansible does: a broken fstab line could stop the next boot.
      [ "$a_state" = mounted ] && [ -n "$fch" ] && printf '%s\n' "$oldfs" > "$fs"
      [ -n "$made" ] && rmdir "$a_name" 2>/dev/null
      fail "Error mounting $a_name: $rmsg"
    fi ;;
  present) setline; ch=$fch ;;
  remounted) ch=1; [ -z "$a_check" ] && { doremount || fail "Error remounting $a_name: $rmsg"; } ;;
esac
jsv "$backup_file"
printf '{"changed":%s,"backup_file":%s}\n' "$( [ -n "$ch" ] && printf true || printf false )" "$_j"
`;

export const mountModule: ModuleDefinition<Args> = {
  name: 'mount',
  aliases: ['ansible.posix.mount'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const name = (a.path ?? a.name)!.replace(/(.)\/+$/, '$1');
    if (['mounted', 'present', 'ephemeral'].includes(a.state) && (a.src === undefined || a.fstype === undefined)) {
      const missing = ['src', 'fstype'].filter((k) => a[k as 'src' | 'fstype'] === undefined);
      return { failed: true, changed: false, msg: `state is ${a.state} but all of the following are missing: ${missing.join(', ')}` };
    }
    let opts = a.opts ?? 'defaults';
    let boot = 'yes';
    const warnings: string[] = [];
    const list = opts.split(',');
    if (list.includes('noauto')) warnings.push("Ignore the 'boot' due to 'opts' contains 'noauto'.");
    else if (!a.boot) {
      boot = 'no';
      if (list.includes('defaults')) warnings.push("Ignore the 'boot' due to 'opts' contains 'defaults'.");
      else opts = [...list, 'noauto'].join(',');
    }
    for (const w of warnings) ctx.warn(w);
    const fstab = a.fstab ?? '/etc/fstab';
    const vars = {
      a_name: name,
      a_src: a.src ?? '',
      a_fstype: a.fstype ?? '',
      a_opts: opts,
      a_state: a.state,
      a_fstab: fstab,
      a_backup: a.backup,
      a_check: ctx.checkMode,
      e_name: escapeField(name),
      e_src: escapeField(a.src ?? ''),
      e_fstype: escapeField(a.fstype ?? ''),
      e_opts: escapeField(opts),
      e_dump: escapeField(a.dump),
      e_passno: escapeField(a.passno),
    };
    let out;
    try {
      out = await runNodeScript(ctx, shVars(vars) + SCRIPT);
    } catch (e) {
      return moduleFailure(e);
    }
    const base = {
      name,
      opts,
      dump: a.dump,
      passno: a.passno,
      fstab,
      boot,
      backup_file: String(out.json['backup_file'] ?? ''),
      ...(a.src !== undefined ? { src: a.src } : {}),
      ...(a.fstype !== undefined ? { fstype: a.fstype } : {}),
    };
    if (out.json['failed']) return { failed: true, changed: false, msg: String(out.json['msg']) };
    return { changed: out.json['changed'] === true, ...base };
  },
};
