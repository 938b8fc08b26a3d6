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

const SCRIPT = String.raw`
p=$a_path
if [ -n "$a_follow" ]; then [ -e "$p" ] || { printf '{"exists":false}\n'; exit 0; }
else [ -e "$p" ] || [ -L "$p" ] || { printf '{"exists":false}\n'; exit 0; }; fi
L=; [ -n "$a_follow" ] && L=-L
set -- $(stat $L -c '%f %u %g %s %i %d %h %a' "$p")
raw=$((0x$1)); uid=$2; gid=$3; size=$4; ino=$5; dev=$6; nl=$7; perm=$((0$8))
times=$(stat $L -c '%.9X %.9Y %.9Z' "$p" 2>/dev/null) || times=$(stat $L -c '%X %Y %Z' "$p")
set -- $times; at=$1; mt=$2; ct=$3
owner=$(stat $L -c %U "$p"); group=$(stat $L -c %G "$p")
ft=$((raw & 61440))
b() { if [ "$1" -ne 0 ]; then printf true; else printf false; fi; }
t() { if [ "$ft" -eq "$1" ]; then printf true; else printf false; fi; }
printf '{"exists":true,"path":%s,"mode":"%04o","isdir":%s,"isreg":%s,"islnk":%s,"ischr":%s,"isblk":%s,"isfifo":%s,"issock":%s' \
  "$(js "$p")" "$perm" "$(t 16384)" "$(t 32768)" "$(t 40960)" "$(t 8192)" "$(t 24576)" "$(t 4096)" "$(t 49152)"
printf ',"uid":%s,"gid":%s,"size":%s,"inode":%s,"dev":%s,"nlink":%s,"atime":%s,"mtime":%s,"ctime":%s' "$uid" "$gid" "$size" "$ino" "$dev" "$nl" "$at" "$mt" "$ct"
printf ',"pw_name":%s,"gr_name":%s' "$(js "$owner")" "$(js "$group")"
printf ',"wusr":%s,"rusr":%s,"xusr":%s,"wgrp":%s,"rgrp":%s,"xgrp":%s,"woth":%s,"roth":%s,"xoth":%s,"isuid":%s,"isgid":%s' \
  "$(b $((perm & 128)))" "$(b $((perm & 256)))" "$(b $((perm & 64)))" "$(b $((perm & 16)))" "$(b $((perm & 32)))" "$(b $((perm & 8)))" \
  "$(b $((perm & 2)))" "$(b $((perm & 4)))" "$(b $((perm & 1)))" "$(b $((perm & 2048)))" "$(b $((perm & 1024)))"
r=false; w=false; x=false; [ -r "$p" ] && r=true; [ -w "$p" ] && w=true; [ -x "$p" ] && x=true
printf ',"readable":%s,"writeable":%s,"executable":%s' "$r" "$w" "$x"
if [ "$ft" -eq 40960 ]; then
  printf ',"lnk_target":%s,"lnk_source":%s' "$(js "$(readlink "$p")")" "$(js "$(readlink -f "$p")")"
fi
if [ -n "$a_sum" ] && [ "$ft" -eq 32768 ] && [ -r "$p" ]; then
  printf ',"checksum":"%s"' "$("$a_sum"sum < "$p" | cut -d' ' -f1)"
fi
if [ -n "$a_mime" ] && command -v file >/dev/null 2>&1; then
  printf ',"mimetype":%s,"charset":%s' "$(js "$(file -b --mime-type "$p" 2>/dev/null)")" "$(js "$(file -b --mime-encoding "$p" 2>/dev/null)")"
fi
printf '}\n'
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
      return { changed: false, stat: out.json };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};
