/**
 * The one write path of copy, template, lineinfile, blockinfile, replace and k3s_config:
 * compare the sha1 of the wanted content with the node's file, and only when they differ
 * (backup, write a temp file next to dest, validate, keep the old file's mode/owner, rename).
 * Then mode/owner/group. One exec; the content travels on stdin. Written to start few programs:
 * unchanged, one stat (and a sha1sum only for content over INLINE_MAX of dest's size); replaced,
 * a chmod and a mv besides.
 */
import { createHash } from 'node:crypto';
import type { FileDiff, ModuleContext, ModuleResult } from '../types.js';
import { attrVars, SH_ATTRS } from './attrs.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';
import { digestOf } from './source-cache.js';

/** Ansible's DIFF max (ansible.cfg max_diff_size default 104448 bytes). */
export const MAX_DIFF_SIZE = 104448;

export interface WriteOptions {
  dest: string;
  /** The wanted content; undefined with remoteSrc. */
  content?: Buffer;
  /** Copy this node-side file instead of `content`. */
  remoteSrc?: string;
  /** Basename to use when dest is a directory (copy of a file into a dir). */
  basename?: string;
  mode?: string;
  owner?: string;
  group?: string;
  backup?: boolean;
  /** false: leave an existing dest alone. */
  force?: boolean;
  /** A command with %s for the temp file, run before the file is put in place. */
  validate?: string;
  /** Header for the diff's "after" side (src path or 'dynamically generated'). */
  afterHeader?: string;
  /** Create missing parent directories (lineinfile create). */
  makeParents?: boolean;
  /**
   * Compare-and-swap: the sha1 the node's file must still have ('absent': it must not exist), else
   * nothing is done and the result is `{ _stale: true }` (edit.ts computed from a remembered read).
   */
  expect?: string;
  /** With `expect`: the byte size of the expected file (a file of another size is stale without a checksum). */
  expectSize?: number;
}

/**
 * Content up to this size with no NUL byte goes "inline": the script reads it with the shell's
 * own `read` (no process) to compare it with dest and to write it, instead of sha1sum and cat.
 * Beyond ~1 KB the shell's byte-at-a-time read costs more than starting sha1sum.
 */
export const INLINE_MAX = 1024;

/** The inline payload: the content, then a line only a complete transfer ends with. */
function inlinePayload(content: Buffer): { marker: string; payload: Buffer } | undefined {
  if (content.length > INLINE_MAX || content.includes(0)) return undefined;
  const marker = `_PL_END_${digestOf(content, 'sha1')}`;
  return { marker, payload: Buffer.concat([content, Buffer.from(`\n${marker}\n`)]) };
}

const SCRIPT = String.raw`
ch=; ach=; backup=; dest=$a_dest
if [ -d "$dest" ] && [ ! -L "$dest" ]; then
  [ -n "$a_base" ] || fail "can not use content with a dir as dest"
  dest="${'${dest%/}'}/$a_base"
fi
case "$dest" in */) [ -n "$a_base" ] && dest="$dest$a_base" ;; esac
case "$dest" in */*) dir=${'$'}{dest%/*}; [ -n "$dir" ] || dir=/ ;; *) dir=. ;; esac
if [ ! -d "$dir" ]; then
  if [ -n "$a_parents" ]; then [ -n "$a_check" ] || mkdir -p "$dir" || fail "Error creating $dir"
  # copy reports the source's checksum with this failure.
  elif [ -n "$a_sum" ]; then printf '{"failed":true,"checksum":"%s","msg":%s}\n' "$a_sum" "$(js "Destination directory $dir does not exist")"; exit 0
  else fail "Destination directory $dir does not exist"; fi
fi
[ -n "$a_rsrc" ] && { [ -r "$a_rsrc" ] || fail "Source $a_rsrc not found"; set -- $(sha1sum < "$a_rsrc"); a_sum=$1; }
# Every process counts on a fleet: dest's size first (the one stat, kept for the mode, owner and
# result), its bytes only when the size matches: read and compared by the shell itself when the
# content came inline (small text, see INLINE_MAX), else by sha1sum.
existed=; cur=; _c=; _hc=; _NL='
'
# readin: the inline content from stdin into $_c; it arrives followed by a line holding $a_inline,
# so a transfer cut short (a lost connection ends stdin early) is told from a short file.
readin() {
  [ -n "$_hc" ] && return 0
  _c=; _l=; while IFS= read -r _l; do _c="$_c$_l$_NL"; done; _c="$_c$_l"
  case "$_c" in *"$_NL$a_inline$_NL") _c=${'$'}{_c%"$_NL$a_inline$_NL"}; _hc=1 ;; *) fail "the content of $dest arrived incomplete: the connection was lost mid-transfer; $dest was left as it was" ;; esac
}
# readf PATH: the file into $_f. The shell's read drops NUL bytes: a file holding one comes out
# shorter than its size, so it can never equal content of that size (which has none).
readf() { _f=; _l=; while IFS= read -r _l; do _f="$_f$_l$_NL"; done < "$1"; _f="$_f$_l"; }
if [ -e "$dest" ]; then
  existed=1
  [ -z "$a_force" ] && { jsv "$dest"; printf '{"kept":1,"dest":%s}\n' "$_j"; exit 0; }
  # The old file's mode and owner (through a symlink, its target's): the new one keeps them.
  finfo "$dest"; _om=$f_mode; _ou=$f_uid; _og=$f_gid; d_owner=$f_owner; d_group=$f_group; d_size=$f_size
  [ -L "$dest" ] && { set -- $(stat -L -c '%a %u %g %s' "$dest"); _om=$1; _ou=$2; _og=$3; d_size=$4; d_owner=; }
fi
if [ -n "$existed" ] && [ -f "$dest" ]; then
  if [ -n "$a_expect" ] && [ "$a_expect" != absent ] && [ -n "$a_esize" ] && [ "$d_size" != "$a_esize" ]; then cur=size
  elif [ -n "$a_size" ] && [ -z "$a_expect" ] && [ "$d_size" != "$a_size" ]; then cur=size
  elif [ -n "$a_inline" ] && [ -z "$a_expect" ]; then readin; readf "$dest"; if [ "$_f" = "$_c" ]; then cur=$a_sum; else cur=bytes; fi
  else set -- $(sha1sum < "$dest"); cur=$1; fi
fi
if [ -n "$a_expect" ]; then
  if [ "$a_expect" = absent ]; then [ -z "$existed" ] || { printf '{"stale":true}\n'; exit 0; }
  elif [ "$cur" != "$a_expect" ]; then printf '{"stale":true}\n'; exit 0; fi
fi
# The scratch directory only when something needs it (diff, validate).
t=
new=
# One cleanup for the scratch dir and a temp file not yet renamed; a signal (SIGHUP or SIGPIPE
# when the session goes away) exits through it too.
cleanup() { [ -n "$new" ] && rm -f "$new"; [ -n "$t" ] && rm -rf "$t"; }
trap cleanup EXIT; trap 'exit 1' HUP INT TERM PIPE
scratch() { [ -n "$t" ] && return 0; t=$(mktemp -d) || fail "cannot create a temporary directory"; }
if [ "$cur" != "$a_sum" ]; then
  ch=1
  if [ -n "$a_diff" ] && [ -n "$existed" ]; then
    if [ "$d_size" -le ${MAX_DIFF_SIZE} ]; then scratch; cp "$dest" "$t/before"; blob before "$t/before"; else toolarge=1; fi
  fi
  if [ -z "$a_check" ]; then
    # The final mode: the old file's, else a new file's (0666 less the umask, read from
    # /proc/self/status by the shell itself where Linux has it); a numeric mode argument wins
    # now (a symbolic one is applied after the rename by attrs).
    _um=; [ -r /proc/self/status ] && while read -r _k _v; do case "$_k" in Umask:) _um=$_v; break ;; esac; done < /proc/self/status
    [ -n "$_um" ] || _um=$(umask)
    if [ -z "$existed" ]; then _d=$(( 0666 & ~0$_um )); _om=$(( (_d >> 6) & 7 ))$(( (_d >> 3) & 7 ))$(( _d & 7 )); fi
    case "$a_mode" in ''|*[!0-7]*) _fm=$_om ;; *) _fm=$a_mode ;; esac
    # The temp file beside dest is made by the shell itself (noclobber: O_EXCL, so never someone
    # else's file) under umask 077: unreadable by others while the content goes in.
    new="$dir/.philote.$$.tmp"; umask 077; set -C
    { : > "$new"; } 2>/dev/null || { new="$dir/.philote.$$.$(date +%N).tmp"; { : > "$new"; } 2>/dev/null; } || { umask "$_um"; fail "cannot create a temporary file in $dir"; }
    set +C; umask "$_um"
    # The final owner from the start (root only; a plain user can only own it himself). The
    # test builtins -O/-G (owned by our effective uid/gid) spare a stat when the temp file
    # already has the owner and group it needs: always so for our own files.
    if [ -z "$a_owner" ] && [ -z "$a_group" ] && [ -G "$new" ] && { [ -z "$existed" ] || { [ ! -L "$dest" ] && [ -O "$dest" ] && [ -G "$dest" ]; }; }; then
      _own=1
    else
      _own=
      [ -n "$existed" ] || { _ou=$(id -u); _og=$(id -g); }
      _wu=${'$'}{a_owner:-$_ou}; _wg=${'$'}{a_group:-$_og}
      finfo "$new"; { [ "$_wu" = "$f_uid" ] || [ "$_wu" = "$f_owner" ]; } && { [ "$_wg" = "$f_gid" ] || [ "$_wg" = "$f_group" ]; } || chown "$_wu:$_wg" "$new" 2>/dev/null
    fi
    if [ -n "$a_rsrc" ]; then cp "$a_rsrc" "$new"
    elif [ -n "$a_inline" ]; then readin; printf '%s' "$_c" >> "$new" || fail "cannot write the content of $dest to $new"
    else cat >> "$new"; fi
    # Size and checksum the controller knows: a partial transfer (a lost connection or a killed
    # controller ends stdin early) never replaces dest, and the cleanup removes the temp file.
    # Inline content was checked whole by readin.
    if [ -z "$a_inline" ]; then
      finfo "$new"
      if [ -n "$a_size" ] && [ "$f_size" != "$a_size" ]; then fail "the content of $dest arrived incomplete ($f_size of $a_size bytes): the connection was lost mid-transfer; $dest was left as it was"; fi
      set -- $(sha1sum < "$new"); [ "$1" = "$a_sum" ] || fail "the content of $dest arrived corrupted (sha1 $1, sent $a_sum); $dest was left as it was"
    fi
    if [ -n "$a_validate" ]; then
      scratch
      vcmd=$(printf '%s' "$a_validate" | sed "s|%s|$new|g")
      if ! sh -c "$vcmd" >"$t/vo" 2>"$t/ve"; then printf '{"failed":true,"msg":%s,"stdout":%s,"stderr":%s}\n' "$(js "failed to validate")" "$(js "$(cat "$t/vo")")" "$(js "$(cat "$t/ve")")"; exit 0; fi
    fi
    if [ -n "$existed" ] && [ -n "$a_backup" ]; then backup="$dest.$$.$(date +%Y-%m-%d@%H:%M:%S)~"; cp -p "$dest" "$backup" || fail "backup of $dest failed"; fi
    # One chmod, always: the temp file's mode is 0600 only where no default ACL decides otherwise.
    chmod "$_fm" "$new" || fail "chmod failed on $new"
    # What attrs would have found had the old mode/owner been kept: the edit modules word their msg with it.
    normmodev "$_fm"; _w=$_nm; normmodev "$_om"; [ "$_w" = "$_nm" ] || ach=1
    if [ -z "$_own" ]; then finfo "$new"; [ "$f_uid:$f_gid" = "$_ou:$_og" ] || ach=1; fi
    mv -f "$new" "$dest" || fail "Could not replace file $dest"
    new=
    # dest is now the temp file: what it is is known when it kept an old file's owner (no stat).
    if [ -n "$_own" ] && [ -n "$existed" ] && [ -n "$d_owner" ] && [ -n "$a_size" ]; then
      f_exists=1; f_type=file; f_mode=$_fm; f_uid=$_ou; f_gid=$_og; f_owner=$d_owner; f_group=$d_group; f_size=$a_size; f_mtime=; f_atime=
      _fi_p=$dest; _fi_k=1
    fi
  fi
fi
if [ -e "$dest" ]; then attrs "$dest" 0; [ "$_fi_p" = "$dest" ] && _fi_k=1; elif [ -n "$a_mode" ] || [ -n "$a_owner" ] || [ -n "$a_group" ]; then attr_after_mode=$a_mode; fi
# md5sum as Ansible's copy returns it: of the source on a change; a remote_src copy always.
# Content sent from the controller gets its md5 there (one process less per task).
md5=; [ -n "$a_rsrc" ] && [ -z "$a_check" ] && [ -f "$dest" ] && command -v md5sum >/dev/null 2>&1 && { set -- $(md5sum < "$dest"); md5=$1; }
b_ach=false; [ -n "$ach" ] && b_ach=true; b_ch=false; [ -n "$ch" ] && b_ch=true
b_ex=false; [ -n "$existed" ] && b_ex=true; b_tl=false; [ -n "$toolarge" ] && b_tl=true
jsv "$dest"; j_dest=$_j; jsv "$backup"; j_bak=$_j; jsv "$md5"; j_md5=$_j; pathinfov "$dest"
emit "\"attrs_changed\":$b_ach,\"changed\":$b_ch,\"dest\":$j_dest,\"existed\":$b_ex,\"backup_file\":$j_bak,\"md5sum\":$j_md5,\"toolarge\":$b_tl,$_pi"
`.replace('${MAX_DIFF_SIZE}', String(MAX_DIFF_SIZE));

export function sha1(data: Buffer | string): string {
  return createHash('sha1').update(data).digest('hex');
}

/** Write `o.content` (or copy `o.remoteSrc`) to `o.dest` on the node, as copy does. */
export async function writeFile(ctx: ModuleContext, o: WriteOptions): Promise<ModuleResult> {
  return (await writeFileDetailed(ctx, o)).result;
}

/** writeFile plus whether mode/owner/group had to change (the edit modules word their msg with it). */
export async function writeFileDetailed(ctx: ModuleContext, o: WriteOptions): Promise<{ result: ModuleResult; attrsChanged: boolean }> {
  const result = await writeFileInner(ctx, o);
  const attrsChanged = Boolean(result['_attrs_changed']);
  delete result['_attrs_changed'];
  return { result, attrsChanged };
}

async function writeFileInner(ctx: ModuleContext, o: WriteOptions): Promise<ModuleResult> {
  // Every writing module checks this before it validates (copy, template, lineinfile, blockinfile, replace, assemble).
  if (o.validate !== undefined && !o.validate.includes('%s') && !ctx.checkMode) return { failed: true, changed: false, msg: `validate must contain %s: ${o.validate}` };
  const inline = o.content && !o.remoteSrc ? inlinePayload(o.content) : undefined;
  const vars = {
    a_dest: o.dest,
    a_base: o.basename,
    a_sum: o.content ? digestOf(o.content, 'sha1') : '',
    a_size: o.content ? o.content.length : undefined,
    a_rsrc: o.remoteSrc,
    a_force: o.force ?? true,
    a_backup: o.backup ?? false,
    a_validate: o.validate,
    a_check: ctx.checkMode,
    a_diff: ctx.diffMode,
    a_parents: o.makeParents ?? false,
    a_expect: o.expect,
    a_esize: o.expectSize,
    a_inline: inline?.marker,
    ...attrVars(o),
  };
  let out;
  try {
    out = await runNodeScript(ctx, shVars(vars) + SH_ATTRS + SCRIPT, inline ? inline.payload : (o.content ?? ''));
  } catch (e) {
    return moduleFailure(e);
  }
  const j = out.json;
  if (j['stale']) return { changed: false, _stale: true };
  if (j['failed']) return { ...j, failed: true, changed: false } as ModuleResult;
  if (j['kept']) return { changed: false, dest: j['dest'], msg: 'file already exists', src: o.remoteSrc };
  const res: ModuleResult = { changed: j['changed'] as boolean, dest: j['dest'] as string };
  if (j['attrs_changed']) res['_attrs_changed'] = true;
  const checksum = o.content ? digestOf(o.content, 'sha1') : undefined;
  if (checksum) res['checksum'] = checksum;
  if (j['md5sum']) res['md5sum'] = j['md5sum'];
  else if (o.content && res.changed && !ctx.checkMode) res['md5sum'] = digestOf(o.content, 'md5');
  if (j['backup_file']) res['backup_file'] = j['backup_file'];
  for (const k of ['state', 'mode', 'owner', 'group', 'uid', 'gid', 'size']) if (j[k] !== undefined) res[k] = j[k];
  if (ctx.checkMode && o.content) {
    res['size'] = o.content.length;
    res['state'] = 'file';
  }
  if (o.remoteSrc) res['src'] = o.remoteSrc;
  if (ctx.diffMode && res.changed) {
    const diff: FileDiff & Record<string, unknown> = { after_header: o.afterHeader ?? 'dynamically generated' };
    const before = out.blobs['before'];
    if (j['toolarge']) diff['dst_larger'] = MAX_DIFF_SIZE;
    else if (before && before.includes(0)) diff['dst_binary'] = 1;
    // Ansible's _get_diff_data names the destination only when it read an existing one.
    else if (before) Object.assign(diff, { before_header: res.dest as string, before: before.toString('utf8') });
    else diff.before = '';
    if (o.content && o.content.length > MAX_DIFF_SIZE) diff['src_larger'] = MAX_DIFF_SIZE;
    else if (o.content && o.content.includes(0)) diff['src_binary'] = 1;
    else if (o.content) diff.after = o.content.toString('utf8');
    if (diff.before !== undefined && diff.after !== undefined) res.diff = diff;
    else res.diff = diff;
  }
  return res;
}
