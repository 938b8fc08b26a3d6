/**
 * file: manage files, directories, links and their attributes (ansible.builtin.file).
 *
 * Arguments:
 * - path (aliases dest, name): the path to manage.                   `path: /etc/cni/net.d`
 * - state: file | directory | touch | absent | link | hard. Default: the current state, or file.
 *                                                                     `state: absent`
 * - mode: octal ('0644', 0644) or symbolic ('u=rw,g=r,o=r', 'a+x').  `mode: '0755'`
 * - owner / group: names or numeric ids.                             `owner: root`
 * - recurse: with state=directory, apply mode/owner/group to everything below.  `recurse: true`
 * - src: the link target for state=link/hard.                        `src: /usr/local/bin/k3s`
 * - force: replace an existing file with a link, or create a link to a missing target.  `force: true`
 * - follow: set attributes on a link's target (default true).
 * - modification_time / access_time: 'now', 'preserve' or a time in modification_time_format
 *   (default '%Y%m%d%H%M.%S').                                        `modification_time: '202401011200.00'`
 *
 * Returns: path (dest for touch/link), state, mode, owner, group, uid, gid, size, src (links),
 * diff ({before: {path, state, ...}, after: {...}}). Idempotent: changed only when something differs
 * (touch without times always changes, as in Ansible). Check mode changes nothing.
 */
import { posix } from 'node:path';
import { z } from 'zod';
import type { FileDiff, ModuleDefinition, ModuleResult } from '../types.js';
import { bool, str } from './args.js';
import { attrFields, attrVars, SH_ATTRS } from './attrs.js';
import { argError, moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    path: str.optional(),
    dest: str.optional(),
    name: str.optional(),
    state: z.enum(['file', 'directory', 'touch', 'absent', 'link', 'hard']).optional(),
    recurse: bool.default(false),
    src: str.optional(),
    force: bool.default(false),
    follow: bool.default(true),
    modification_time: str.optional(),
    modification_time_format: str.default('%Y%m%d%H%M.%S'),
    access_time: str.optional(),
    access_time_format: str.default('%Y%m%d%H%M.%S'),
    _original_basename: str.optional(),
    _diff_peek: z.unknown().optional(),
    ...attrFields,
  })
  .strict();
type Args = z.infer<typeof schema>;

/** Turn a time argument into 'now', 'preserve' or an epoch, using the controller's local time zone. */
export function timeArg(value: string | undefined, format: string, dflt: 'now' | 'preserve'): string {
  const v = value ?? dflt;
  if (v === 'now' || v === 'preserve') return v;
  const fields: Record<string, number> = { Y: 1970, m: 1, d: 1, H: 0, M: 0, S: 0 };
  let re = '';
  const order: string[] = [];
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === '%' && i + 1 < format.length) {
      const f = format[++i]!;
      if (!(f in fields)) throw argError(`modification_time_format: %${f} is not supported (use %Y %m %d %H %M %S)`);
      re += f === 'Y' ? '(\\d{4})' : '(\\d{1,2})';
      order.push(f);
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const m = new RegExp(`^${re}$`).exec(v);
  if (!m) throw argError(`Error while obtaining timestamp for time ${v} using format ${format}`);
  order.forEach((f, i) => (fields[f] = Number(m[i + 1])));
  return String(Math.floor(new Date(fields['Y']!, fields['m']! - 1, fields['d']!, fields['H']!, fields['M']!, fields['S']!).getTime() / 1000));
}

/**
 * os.walk's order from two pre-order `find` listings: for each directory visited (top first, then
 * its subdirectories in listing order, depth first), its subdirectories, then its files.
 */
export function walkOrder(top: string, dirList: string, fileList: string): { directories: string[]; files: string[] } {
  const lines = (s: string) => s.split('\n').filter((l) => l !== '');
  const byParent = (paths: string[]) => {
    const m = new Map<string, string[]>();
    for (const p of paths) {
      const parent = posix.dirname(p);
      m.set(parent, [...(m.get(parent) ?? []), p]);
    }
    return m;
  };
  const dirs = byParent(lines(dirList));
  const files = byParent(lines(fileList));
  const out = { directories: [] as string[], files: [] as string[] };
  const visit = (d: string): void => {
    const sub = dirs.get(d) ?? [];
    out.directories.push(...sub);
    out.files.push(...(files.get(d) ?? []));
    sub.forEach(visit);
  };
  visit(top);
  return out;
}

const SCRIPT = String.raw`
ch=; a_time_touch=; _walk=
finfo "$a_path"; prev=$f_type; [ -z "$prev" ] && prev=absent; [ "$prev" = other ] && prev=file
if [ "$a_state" = hard ] && [ "$prev" = file ] && [ -f "$a_path" ] && [ ! -L "$a_path" ] && [ "$(stat -c %h "$a_path")" -gt 1 ]; then prev=hard; fi
st=$a_state
if [ -z "$st" ]; then if [ "$prev" = absent ]; then st=file; elif [ -n "$a_recurse" ]; then st=directory; else st=$prev; fi; [ "$st" = hard ] && st=file; fi
# attrs, then vouch for its stat (finfo's cache) when it left owner and group alone: what follows
# (times, the result's mode/owner/size) needs no second stat of the path.
attrsk() { attrs "$@"; [ "$_fi_p" = "$1" ] && _fi_k=1; return 0; }
settimes() {
  # $1 path; uses a_mtime/a_atime ('now' | 'preserve' | epoch)
  [ "$a_mtime" = preserve ] && [ "$a_atime" = preserve ] && return 0
  finfo "$1"
  _tch=
  case "$a_mtime" in now) _tch=1 ;; preserve) ;; *) [ "$f_mtime" != "$a_mtime" ] && _tch=1 ;; esac
  case "$a_atime" in now) _tch=1 ;; preserve) ;; *) [ "$f_atime" != "$a_atime" ] && _tch=1 ;; esac
  [ -z "$_tch" ] && return 0
  ch=1; [ -n "$a_check" ] && return 0
  case "$a_mtime" in now) touch -m -c "$1" ;; preserve) ;; *) touch -m -c -d "@$a_mtime" "$1" ;; esac
  case "$a_atime" in now) touch -a -c "$1" ;; preserve) ;; *) touch -a -c -d "@$a_atime" "$1" ;; esac
}
case "$st" in
absent)
  if [ "$prev" != absent ]; then
    # Ansible's diff lists what a removed directory held (initial_diff's os.walk): two finds,
    # directories and the rest, each in the order the file system gives them.
    if [ "$prev" = directory ]; then
      jsv "$(find "$a_path" -mindepth 1 -type d 2>/dev/null)"; _walk=",\"walk_dirs\":$_j"
      jsv "$(find "$a_path" -mindepth 1 ! -type d 2>/dev/null)"; _walk="$_walk,\"walk_files\":$_j"
    fi
    ch=1; [ -z "$a_check" ] && { rm -rf "$a_path" 2>/dev/null || fail "unable to remove $a_path"; }
  fi
  ;;
file)
  if [ "$prev" = absent ]; then fail "file ($a_path) is absent, cannot continue"; fi
  if [ "$prev" != file ] && [ "$prev" != hard ] && ! { [ "$prev" = link ] && [ -n "$a_follow" ]; }; then fail "file ($a_path) is $prev, cannot continue"; fi
  attrsk "$a_path" 0; settimes "$a_path"
  ;;
directory)
  if [ "$prev" = absent ]; then
    ch=1
    if [ -z "$a_check" ]; then mkdir -p "$a_path" 2>/dev/null || fail "There was an issue creating $a_path as requested"; fi
  elif [ "$prev" != directory ] && ! { [ "$prev" = link ] && [ -d "$a_path" ] && [ -n "$a_follow" ]; }; then
    fail "$a_path already exists as a $prev"
  fi
  if [ -e "$a_path" ]; then
    attrsk "$a_path" 1; settimes "$a_path"
    if [ -n "$a_recurse" ]; then
      _b=$(find "$a_path" -mindepth 1 -exec stat -c '%n %a %u %g %U %G' {} + | cksum)
      if [ -z "$a_check" ]; then
        [ -n "$a_owner" ] && chown -R -h "$a_owner" "$a_path"
        [ -n "$a_group" ] && chgrp -R -h "$a_group" "$a_path"
        [ -n "$a_mode" ] && find "$a_path" -mindepth 1 ! -type l -exec chmod "$a_mode" {} +
        [ "$_b" != "$(find "$a_path" -mindepth 1 -exec stat -c '%n %a %u %g %U %G' {} + | cksum)" ] && ch=1
        _fi_p=
      else
        [ -n "$a_owner" ] && [ -n "$(find "$a_path" -mindepth 1 ! -user "$a_owner" | head -n 1)" ] && ch=1
        [ -n "$a_group" ] && [ -n "$(find "$a_path" -mindepth 1 ! -group "$a_group" | head -n 1)" ] && ch=1
        case "$a_mode" in ''|*[!0-7]*) ;; *) [ -n "$(find "$a_path" -mindepth 1 ! -type l ! -perm "$a_mode" | head -n 1)" ] && ch=1 ;; esac
      fi
    fi
  fi
  ;;
touch)
  if [ "$prev" = absent ]; then
    ch=1
    if [ -z "$a_check" ]; then : > "$a_path" 2>/dev/null || fail "Error, could not touch target: $a_path"; fi
  fi
  [ "$a_mtime" = preserve ] || [ "$a_atime" = preserve ] || true
  if [ -e "$a_path" ]; then attrsk "$a_path" 0; settimes "$a_path"; fi
  ;;
link|hard)
  if [ -z "$a_src" ]; then fail "src is required for creating new $st"; fi
  if [ "$st" = hard ] && [ ! -e "$a_src" ]; then fail "src does not exist"; fi
  if [ "$st" = link ] && [ -z "$a_force" ]; then
    case "$a_src" in /*) _t=$a_src ;; *) _t="$(dirname "$a_path")/$a_src" ;; esac
    [ -e "$_t" ] || [ -L "$_t" ] || fail "src file does not exist, use \"force=yes\" if you really want to create the link: $_t"
  fi
  need=
  if [ "$prev" = absent ]; then need=1
  elif [ "$st" = link ]; then
    if [ "$prev" = link ]; then [ "$(readlink "$a_path")" != "$a_src" ] && need=1
    elif [ "$prev" = directory ] && [ -z "$a_force" ]; then fail "refusing to convert from directory to symlink for $a_path"
    elif [ -n "$a_force" ]; then need=1
    else fail "refusing to convert from $prev to symlink for $a_path"; fi
  else
    if [ "$prev" = hard ] || [ "$prev" = file ]; then
      [ "$(stat -c '%d:%i' "$a_path")" != "$(stat -c '%d:%i' "$a_src")" ] && { [ -n "$a_force" ] || [ "$prev" = hard ] || fail "Cannot link, file exists at destination"; need=1; }
    elif [ -n "$a_force" ]; then need=1
    else fail "Cannot link, $prev exists at destination"; fi
  fi
  if [ -n "$need" ]; then
    ch=1
    if [ -z "$a_check" ]; then
      [ "$prev" = directory ] && { rmdir "$a_path" 2>/dev/null || fail "the directory $a_path is not empty, refusing to convert it"; }
      if [ "$st" = link ]; then ln -sfn "$a_src" "$a_path" 2>/dev/null || fail "Error while linking: $a_path"
      else ln -f "$a_src" "$a_path" 2>/dev/null || fail "Error while linking: $a_path"; fi
    fi
  fi
  if [ -e "$a_path" ] || [ -L "$a_path" ]; then attrsk "$a_path" 0; fi
  ;;
esac
b_ch=false; [ -n "$ch" ] && b_ch=true
jsv "$attr_before_owner"; j_bo=$_j; jsv "$attr_after_owner"; j_ao=$_j; jsv "$attr_before_group"; j_bg=$_j; jsv "$attr_after_group"; j_ag=$_j
pathinfov "$a_path"
printf '{"changed":%s,"prev":"%s","st":"%s","bmode":"%s","amode":"%s","bowner":%s,"aowner":%s,"bgroup":%s,"agroup":%s,%s%s}\n' \
  "$b_ch" "$prev" "$st" "$attr_before_mode" "$attr_after_mode" "$j_bo" "$j_ao" "$j_bg" "$j_ag" "$_pi" "$_walk"
`;

export const fileModule: ModuleDefinition<Args> = {
  name: 'file',
  aliases: ['ansible.builtin.file', 'ansible.legacy.file'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const path = a.path ?? a.dest ?? a.name;
    if (!path) throw argError('file: missing required argument: path');
    if (a.src !== undefined && a.state !== undefined && a.state !== 'link' && a.state !== 'hard') {
      throw argError(`file: src option requires state to be 'link' or 'hard' (state is '${a.state}')`);
    }
    if (a.recurse && a.state !== undefined && a.state !== 'directory') throw argError(`file: recurse option requires state to be 'directory' (state is '${a.state}')`);
    const touchDefault = a.state === 'touch' ? 'now' : 'preserve';
    const vars = {
      a_path: path.replace(/(.)\/+$/, '$1'),
      a_state: a.state,
      a_src: a.src,
      a_force: a.force,
      a_follow: a.follow,
      a_recurse: a.recurse,
      a_check: ctx.checkMode,
      a_mtime: timeArg(a.modification_time, a.modification_time_format, touchDefault),
      a_atime: timeArg(a.access_time, a.access_time_format, touchDefault),
      ...attrVars(a),
    };
    let out;
    try {
      out = await runNodeScript(ctx, shVars(vars) + SH_ATTRS + SCRIPT);
    } catch (e) {
      return moduleFailure(e);
    }
    const j = out.json;
    if (j['failed']) return { failed: true, changed: false, msg: j['msg'] as string, path };
    const st = j['st'] as string;
    const prev = j['prev'] as string;
    const changed = j['changed'] as boolean;
    const before: Record<string, unknown> = { path, state: prev };
    const after: Record<string, unknown> = { path, state: st };
    if (j['bmode'] !== j['amode']) (before['mode'] = j['bmode']), (after['mode'] = j['amode']);
    if (j['bowner'] !== j['aowner']) (before['owner'] = j['bowner']), (after['owner'] = j['aowner']);
    if (j['bgroup'] !== j['agroup']) (before['group'] = j['bgroup']), (after['group'] = j['agroup']);
    if (st === 'link' || st === 'hard') after['src'] = a.src;
    if (typeof j['walk_dirs'] === 'string' && typeof j['walk_files'] === 'string') before['path_content'] = walkOrder(path.replace(/(.)\/+$/, '$1'), j['walk_dirs'], j['walk_files']);
    const res: ModuleResult = { changed, diff: { before, after } as unknown as FileDiff };
    for (const k of ['state', 'mode', 'owner', 'group', 'uid', 'gid', 'size']) if (j[k] !== undefined) res[k] = j[k];
    if (st === 'touch' || st === 'link' || st === 'hard') res['dest'] = path;
    else res['path'] = path;
    if (st === 'link' || st === 'hard') res['src'] = a.src;
    if (st === 'absent') res['state'] = 'absent';
    // In check mode the node still shows the old state; report the one we would reach.
    if (ctx.checkMode && changed) {
      res['state'] = st === 'touch' ? 'file' : st;
      if (after['mode']) res['mode'] = after['mode'];
    }
    return res;
  },
};
