/**
 * stat: facts about a path (ansible.builtin.stat). Never changes anything.
 *
 * Arguments:
 * - path (aliases dest, name): the path.                         `path: /etc/rancher/k3s/config.yaml`
 * - follow: follow symlinks (default false).                     `follow: true`
 * - get_checksum: compute the checksum of regular files (default true).   `get_checksum: false`
 * - checksum_algorithm (alias checksum, checksum_algo): sha1 (default), md5, sha224, sha256, sha384, sha512.
 * - get_mime / get_attributes: accepted; mimetype is reported when `file` exists on the node.
 *
 * Returns: stat: {exists, path, mode, isdir, isreg, islnk, ischr, isblk, isfifo, issock, uid, gid,
 * pw_name, gr_name, size, inode, dev, nlink, atime, mtime, ctime, wusr, rusr, xusr, wgrp, rgrp, xgrp,
 * woth, roth, xoth, isuid, isgid, readable, writeable, executable, checksum, lnk_source, lnk_target,
 * mimetype}. Missing path: stat: {exists: false}.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, str } from './args.js';
import { argError, moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    path: str.optional(),
    dest: str.optional(),
    name: str.optional(),
    follow: bool.default(false),
    get_checksum: bool.default(true),
    checksum_algorithm: z.enum(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']).optional(),
    checksum: z.enum(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']).optional(),
    checksum_algo: z.enum(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']).optional(),
    get_mime: bool.default(true),
    get_md5: bool.optional(),
    get_attributes: bool.default(true),
  })
  .strict();
type Args = z.infer<typeof schema>;

// Few processes on purpose: one `stat` for the numbers and names, one more only for sub-second
// times, booleans and JSON strings built without subshells (tf/jsv), checksum and mime type
// only when asked.
const SCRIPT = String.raw`
p=$a_path
if [ -n "$a_follow" ]; then [ -e "$p" ] || { printf '{"exists":false}\n'; exit 0; }
else [ -e "$p" ] || [ -L "$p" ] || { printf '{"exists":false}\n'; exit 0; }; fi
L=; [ -n "$a_follow" ] && L=-L
# GNU stat gives sub-second times; BusyBox's does not know %.9X, so fall back to whole seconds.
# One command per substitution: a list (a || b) inside $(...) costs dash another process.
_o=$(stat $L -c '%f %u %g %s %i %d %h %a %.9X %.9Y %.9Z %U %G' "$p" 2>/dev/null) || _o=$(stat $L -c '%f %u %g %s %i %d %h %a %X %Y %Z %U %G' "$p")
set -- $_o
raw=$((0x$1)); uid=$2; gid=$3; size=$4; ino=$5; dev=$6; nl=$7; perm=$((0$8)); m=000$8; at=$9; shift 9; mt=$1; ct=$2; owner=$3; group=$4
ft=$((raw & 61440))
jsv "$p"; o="{\"exists\":true,\"path\":$_j"
o="$o,\"mode\":\"${'$'}{m#"${'$'}{m%????}"}\""
for k in isdir:16384 isreg:32768 islnk:40960 ischr:8192 isblk:24576 isfifo:4096 issock:49152; do
  if [ "$ft" -eq "${'$'}{k#*:}" ]; then o="$o,\"${'$'}{k%%:*}\":true"; else o="$o,\"${'$'}{k%%:*}\":false"; fi
done
o="$o,\"uid\":$uid,\"gid\":$gid,\"size\":$size,\"inode\":$ino,\"dev\":$dev,\"nlink\":$nl,\"atime\":$at,\"mtime\":$mt,\"ctime\":$ct"
jsv "$owner"; o="$o,\"pw_name\":$_j"; jsv "$group"; o="$o,\"gr_name\":$_j"
for k in wusr:128 rusr:256 xusr:64 wgrp:16 rgrp:32 xgrp:8 woth:2 roth:4 xoth:1 isuid:2048 isgid:1024; do
  tf $((perm & ${'$'}{k#*:})); o="$o,\"${'$'}{k%%:*}\":$_b"
done
r=false; w=false; x=false; [ -r "$p" ] && r=true; [ -w "$p" ] && w=true; [ -x "$p" ] && x=true
o="$o,\"readable\":$r,\"writeable\":$w,\"executable\":$x"
if [ "$ft" -eq 40960 ]; then
  jsv "$(readlink "$p")"; o="$o,\"lnk_target\":$_j"; jsv "$(readlink -f "$p")"; o="$o,\"lnk_source\":$_j"
fi
if [ -n "$a_sum" ] && [ "$ft" -eq 32768 ] && [ -r "$p" ]; then
  set -- $("$a_sum"sum < "$p"); o="$o,\"checksum\":\"$1\""
fi
# file (libmagic: the dearest program here) last, in place of the shell: its answer follows the
# JSON line and is split into mimetype and charset by the controller; no $(...) process.
if [ -n "$a_mime" ] && command -v file >/dev/null 2>&1; then printf '%s,"_mime":1}\n' "$o"; exec file -b --mime "$p" 2>/dev/null; fi
printf '%s}\n' "$o"
`;

export const statModule: ModuleDefinition<Args> = {
  name: 'stat',
  aliases: ['ansible.builtin.stat', 'ansible.legacy.stat'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const path = a.path ?? a.dest ?? a.name;
    if (!path) throw argError('stat: missing required argument: path');
    const algo = a.checksum_algorithm ?? a.checksum ?? a.checksum_algo ?? 'sha1';
    try {
      const out = await runNodeScript(ctx, shVars({ a_path: path, a_follow: a.follow, a_sum: a.get_checksum ? algo : '', a_mime: a.get_mime }) + SCRIPT);
      if (out.json['failed']) return { failed: true, msg: out.json['msg'] as string };
      const st = out.json;
      if (st['_mime']) {
        delete st['_mime'];
        // What `m=$(file -b --mime PATH)` held: trailing newlines gone; "type; charset=x".
        const m = (out.tail ?? '').replace(/\n+$/, '');
        const at = m.indexOf('charset=');
        st['mimetype'] = m.split(';')[0];
        st['charset'] = at < 0 ? '' : m.slice(at + 'charset='.length);
      }
      return { changed: false, stat: st };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};
