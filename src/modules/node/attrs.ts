/**
 * File attributes shared by file, copy, template, lineinfile, blockinfile, replace:
 * mode (octal or symbolic), owner, group, as one sh fragment that compares and applies them
 * in the same script. Sets `ch=1` when something differs (and, outside check mode, fixes it).
 */
import { z } from 'zod';
import { mode, str } from './args.js';

export const attrFields = {
  mode: mode.optional(),
  owner: str.optional(),
  group: str.optional(),
  seuser: str.optional(),
  serole: str.optional(),
  setype: str.optional(),
  selevel: str.optional(),
  unsafe_writes: z.unknown().optional(),
  attributes: str.optional(),
};

/** Shell variables for the attribute arguments. */
export function attrVars(a: { mode?: string; owner?: string; group?: string }): Record<string, string | undefined> {
  return { a_mode: a.mode === 'preserve' ? undefined : a.mode, a_owner: a.owner, a_group: a.group };
}

/**
 * `attrs PATH ISDIR`: compare mode/owner/group of PATH with $a_mode/$a_owner/$a_group; set ch=1 and
 * fix (unless $a_check) when they differ. Symbolic modes are computed with chmod on a scratch file
 * so check mode knows the result without touching PATH. Sets `attr_before_mode` etc. for diffs.
 * Afterwards the f_* values still describe PATH (a chmod updates f_mode) unless it changed the
 * owner or group, which forgets them (`_fi_p=`): a caller that changed nothing else may vouch
 * for them with `_fi_k=1` when `$_fi_p` is still PATH.
 */
export const SH_ATTRS = String.raw`
normmode() { normmodev "$1"; printf '%s' "$_nm"; }
# normmodev MODE: $_nm = MODE as 4 octal digits, without a process.
normmodev() { _nm=000${'$'}{1#0}; _nm=${'$'}{_nm#"${'$'}{_nm%????}"}; }
wantmode() {
  case "$a_mode" in
    *[!0-7]*) _s=$(mktemp -d) || return 1; if [ "$2" = 1 ]; then _f="$_s/d"; mkdir "$_f"; else _f="$_s/f"; : > "$_f"; fi
      chmod "$1" "$_f"; chmod "$a_mode" "$_f" 2>/dev/null || { rm -rf "$_s"; return 1; }; stat -c %a "$_f"; rm -rf "$_s" ;;
    *) printf '%s' "$a_mode" ;;
  esac
}
attrs() {
  _p=$1
  finfo "$_p"
  normmodev "$f_mode"; attr_before_mode=$_nm; attr_before_owner=$f_owner; attr_before_group=$f_group
  attr_after_mode=$attr_before_mode; attr_after_owner=$f_owner; attr_after_group=$f_group
  if [ -n "$a_owner" ]; then
    case "$a_owner" in *[!0-9]*) _cur=$f_owner ;; *) _cur=$f_uid ;; esac
    if [ "$_cur" != "$a_owner" ]; then
      ch=1; ach=1; attr_after_owner=$a_owner
      if [ -z "$a_check" ]; then _e=$(chown -h "$a_owner" "$_p" 2>&1) || fail "chown failed: $_e"; _fi_p=; fi
    fi
  fi
  if [ -n "$a_group" ]; then
    case "$a_group" in *[!0-9]*) _cur=$f_group ;; *) _cur=$f_gid ;; esac
    if [ "$_cur" != "$a_group" ]; then
      ch=1; ach=1; attr_after_group=$a_group
      if [ -z "$a_check" ]; then _e=$(chgrp -h "$a_group" "$_p" 2>&1) || fail "chgrp failed: $_e"; _fi_p=; fi
    fi
  fi
  if [ -n "$a_mode" ] && [ "$f_type" != link ]; then
    # An octal mode needs no process; a symbolic one is worked out by chmod on a scratch file.
    case "$a_mode" in *[!0-7]*) _w=$(wantmode "$f_mode" "$2") || fail "mode must be in octal or symbolic form: $a_mode" ;; *) _w=$a_mode ;; esac
    normmodev "$_w"; _w=$_nm
    if [ "$_w" != "$attr_before_mode" ]; then
      ch=1; ach=1; attr_after_mode=$_w
      if [ -z "$a_check" ]; then chmod "$_w" "$_p" || fail "chmod failed on $_p"; f_mode=$_w; fi
    fi
  fi
}
# JSON fields describing PATH after the change (Ansible's add_path_info): state, mode, owner, ...
# pathinfov sets $_pi without a subshell; pathinfo prints it.
pathinfov() {
  finfo "$1"
  if [ -z "$f_exists" ]; then _pi='"state":"absent"'; return; fi
  _st=$f_type; [ "$_st" = other ] && _st=file
  normmodev "$f_mode"; jsv "$f_owner"; _o=$_j; jsv "$f_group"
  _pi="\"state\":\"$_st\",\"mode\":\"$_nm\",\"owner\":$_o,\"group\":$_j,\"uid\":$f_uid,\"gid\":$f_gid,\"size\":$f_size"
}
pathinfo() { pathinfov "$1"; printf '%s' "$_pi"; }
`;
