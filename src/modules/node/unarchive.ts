/**
 * unarchive: unpack a tar (gz, bz2, xz, zstd) or zip archive into an existing directory
 * (ansible.builtin.unarchive).
 *
 * Arguments:
 * - src (required): a controller file (found in files/, sent over the connection) or, with
 *   remote_src, a path on the node.                             `src: k3s-airgap-images.tar.gz`
 * - dest (required): an existing directory on the node.       `dest: /var/lib/rancher/k3s/agent/images`
 * - remote_src: src is already on the node.                   `remote_src: true`
 * - creates: skip when this path exists on the node.          `creates: /usr/local/bin/helm`
 * - list_files: return the archive's member names as `files`.
 * - exclude / include: member names (tar patterns) to leave out / to take only (mutually exclusive).
 * - keep_newer: don't replace files newer than the archive's.
 * - extra_opts: more tar options (`--strip-components=1`).
 * - mode / owner / group: applied to every member after unpacking, as Ansible does.
 *
 * Changed: as Ansible, tar archives are compared with `tar --diff` and only missing files, mode,
 * mod time, uid/gid (as root, when owner/group are not given) and invalid owner/group count; zip
 * archives (unzip) count a member missing or with other content or mode (Ansible also compares
 * zip timestamps, to the DOS format's 2 s: not done here). Check mode reports that without
 * unpacking. Returns: dest, src, handler (TgzArchive, TarArchive, TarBzipArchive, TarXzArchive,
 * TarZstdArchive, ZipArchive), extract_results {cmd, rc, out, err} when it unpacked, files with
 * list_files, and dest's uid, gid, owner, group, mode, size, state.
 * Not supported: src URLs with remote_src (use get_url first): refused with a message.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ModuleDefinition, ModuleResult } from '../types.js';
import { bool, strList, str } from './args.js';
import { attrFields, attrVars, SH_ATTRS } from './attrs.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    src: str,
    dest: str,
    remote_src: bool.default(false),
    copy: bool.optional(),
    creates: str.optional(),
    list_files: bool.default(false),
    keep_newer: bool.default(false),
    exclude: strList.default([]),
    include: strList.default([]),
    extra_opts: strList.default([]),
    validate_certs: bool.default(true),
    io_buffer_size: z.unknown().optional(),
    decrypt: bool.default(true),
    ...attrFields,
  })
  .strict()
  .refine((a) => !(a.exclude.length && a.include.length), { message: 'parameters are mutually exclusive: include|exclude' });
type Args = z.infer<typeof schema>;

/** The node side: find the handler, compare, unpack, fix attributes, describe dest. Inputs: a_* and $words (tar options). */
const SCRIPT = String.raw`
ch=; tmp=
nl='
'
# runtar ARGS...: tar with the handler's flag, the option words, -f src and the include list.
# The words are newline-separated so each stays one argument whatever it contains.
runtar() {
  IFS=$nl; set -f
  LC_ALL=C "$tarbin" "$@" $zf $words $ownopts -f "$src" $incl; _r=$?
  IFS=' 	
'; set +f; return $_r
}
listtar() { IFS=$nl; set -f; LC_ALL=C "$tarbin" --list -C "$a_dest" $zf $words -f "$src" $incl; _r=$?; IFS=' 	
'; set +f; return $_r; }
cleanup() { [ -n "$tmp" ] && rm -rf "$tmp"; }
trap cleanup EXIT
if [ -n "$a_creates" ] && [ -e "$a_creates" ]; then printf '{"skipped":true,"msg":%s}\n' "$(js "skipped, since $a_creates exists")"; exit 0; fi
src=$a_src
if [ -z "$a_remote" ]; then
  tmp=$(mktemp -d) || fail "could not make a temporary directory on the node"
  src=$tmp/source; cat > "$src"
fi
[ -e "$src" ] || { if [ -n "$a_remote" ]; then fail "Source '$a_src' does not exist"; else fail "Source '$src' failed to transfer"; fi; }
[ -r "$src" ] || fail "Source '$src' not readable"
[ -s "$src" ] || fail "Invalid archive '$src', the file is 0 bytes"
[ -d "$a_dest" ] || fail "Destination '$a_dest' is not a directory"
handler=; zf=; tarbin=
if command -v unzip >/dev/null 2>&1 && unzip -Z1 "$src" >/dev/null 2>&1; then handler=ZipArchive
else
  tarbin=$(command -v gtar || command -v tar) || fail "Failed to find handler for \"$src\". Make sure the required command to extract the file is installed. Unable to find required 'gtar' or 'tar' binary in the path"
  for h in TgzArchive:-z TarArchive: TarBzipArchive:-j TarXzArchive:-J TarZstdArchive:--use-compress-program=zstd; do
    f=${'$'}{h#*:}
    zf=$f
    if [ "$(cd "$a_dest" && listtar 2>/dev/null | head -c1)" != "" ]; then handler=${'$'}{h%%:*}; break; fi
  done
  [ -n "$handler" ] || fail "Failed to find handler for \"$src\". Make sure the required command to extract the file is installed."
fi
# Member names, one per line (directories end in /).
if [ "$handler" = ZipArchive ]; then members=$(unzip -Z1 "$src")
else members=$(cd "$a_dest" && listtar 2>/dev/null); fi
differ=
if [ "$handler" = ZipArchive ]; then
  while IFS= read -r m; do
    [ -z "$m" ] && continue
    case $m in */) [ -d "$a_dest/$m" ] || { differ=1; break; }; continue ;; esac
    [ -f "$a_dest/$m" ] || { differ=1; break; }
    unzip -p "$src" "$m" | cmp -s - "$a_dest/$m" || { differ=1; break; }
    # Mode: the archive's permission bits, or the mode argument when it is octal.
    case $a_mode in
      ''|*[!0-7]*) want=$(unzip -Z "$src" "$m" | awk '{ p = substr($1, 2, 9); v = 0; for (i = 1; i <= 9; i++) { v = v * 2; if (substr(p, i, 1) != "-") v += 1 } printf "%o", v }') ;;
      *) want=${'$'}{a_mode#0} ;;
    esac
    [ "$(stat -c %a "$a_dest/$m")" = "${'$'}{want#0}" ] || { differ=1; break; }
  done <<EOF
$members
EOF
else
  # tar --diff lines that count, as Ansible's regular expressions pick them.
  pat=': Mod time differs$|: Warning: Cannot stat: No such file or directory$|: Invalid owner|: Invalid group'
  if [ "$(id -u)" = 0 ] && [ -z "$a_owner" ]; then pat="$pat|: Uid differs$"; fi
  if [ "$(id -u)" = 0 ] && [ -z "$a_group" ]; then pat="$pat|: Gid differs$"; fi
  [ -z "$a_mode" ] && pat="$pat|: Mode differs$"
  d=$(cd "$a_dest" && runtar --diff -C "$a_dest" 2>&1 | grep -v ': : Warning: Cannot stat: No such file or directory$' | grep -E "$pat")
  [ -n "$d" ] && differ=1
fi
[ -n "$differ" ] && ch=1
ext_rc=; ext_out=; ext_err=
if [ -n "$differ" ] && [ -z "$a_check" ]; then
  eo=$(mktemp) ; ee=$(mktemp)
  if [ "$handler" = ZipArchive ]; then (cd "$a_dest" && unzip -o "$src" -d "$a_dest") >"$eo" 2>"$ee"; ext_rc=$?
  else (cd "$a_dest" && runtar --extract -C "$a_dest") >"$eo" 2>"$ee"; ext_rc=$?; fi
  ext_out=$(cat "$eo"); ext_err=$(cat "$ee"); rm -f "$eo" "$ee"
fi
if [ -n "$ext_rc" ] && [ "$ext_rc" != 0 ]; then
  jsv "$ext_out"; o=$_j; jsv "$ext_err"
  printf '{"failed":true,"msg":%s,"handler":"%s","src":%s,"ext_rc":%s,"ext_out":%s,"ext_err":%s}\n' "$(js "failed to unpack $src to $a_dest")" "$handler" "$(js "$src")" "$ext_rc" "$o" "$_j"; exit 0
fi
# Attributes of every member (and top folders), as set_fs_attributes_if_different does.
if [ -z "$a_check" ] && { [ -n "$a_mode" ] || [ -n "$a_owner" ] || [ -n "$a_group" ]; }; then
  tops=
  while IFS= read -r m; do
    [ -z "$m" ] && continue
    p=$a_dest/${'$'}{m%/}
    [ -e "$p" ] || [ -L "$p" ] || continue
    isd=0; [ -d "$p" ] && isd=1
    attrs "$p" "$isd"
    case $m in */*) t=${'$'}{m%%/*}; case " $tops " in *" $t "*) ;; *) tops="$tops $t" ;; esac ;; esac
  done <<EOF
$members
EOF
  for t in $tops; do [ -e "$a_dest/$t" ] && attrs "$a_dest/$t" 1; done
fi
finfo "$a_dest"
jsv "$src"; s=$_j
printf '{"changed":%s,"handler":"%s","src":%s,"uid":%s,"gid":%s,"owner":%s,"group":%s,"mode":"%s","size":%s,"state":"directory"' \
  "$( [ -n "$ch" ] && printf true || printf false )" "$handler" "$s" "$f_uid" "$f_gid" "$(js "$f_owner")" "$(js "$f_group")" "$(printf '%04o' "0$f_mode")" "$f_size"
if [ -n "$ext_rc" ]; then jsv "$ext_out"; o=$_j; jsv "$ext_err"; printf ',"ext_rc":%s,"ext_out":%s,"ext_err":%s' "$ext_rc" "$o" "$_j"; fi
printf ',"members":%s}\n' "$(js "$members")"
`;

/** tar options as Ansible builds them (exclude/include/keep_newer/extra_opts/owner/group). */
function tarWords(a: Args): { words: string; incl: string; ownopts: string; cmd: (tar: string, zf: string, src: string) => string[] } {
  const opts = a.extra_opts.length ? ['--show-transformed-names', ...a.extra_opts] : [];
  const own = [...(a.owner ? [`--owner=${a.owner}`] : []), ...(a.group ? [`--group=${a.group}`] : [])];
  const words = [...opts, ...(a.keep_newer ? ['--keep-newer-files'] : []), ...a.exclude.map((e) => `--exclude=${e}`)];
  return {
    words: words.join('\n'),
    incl: a.include.join('\n'),
    ownopts: own.join('\n'),
    cmd: (tar, zf, src) => [tar, '--extract', '-C', a.dest, ...(zf ? [zf] : []), ...opts, ...own, ...(a.keep_newer ? ['--keep-newer-files'] : []), ...a.exclude.map((e) => `--exclude=${e}`), '-f', src, ...a.include],
  };
}

const TAR_FLAG: Record<string, string> = { TgzArchive: '-z', TarBzipArchive: '-j', TarXzArchive: '-J', TarZstdArchive: '--use-compress-program=zstd' };

export const unarchiveModule: ModuleDefinition<Args> = {
  name: 'unarchive',
  aliases: ['ansible.builtin.unarchive', 'ansible.legacy.unarchive'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const remote = a.remote_src || a.copy === false;
    if (remote && a.src.includes('://')) {
      return { failed: true, changed: false, msg: `unarchive: downloading '${a.src}' with remote_src is not supported by philote yet; fetch it with get_url first` };
    }
    let payload: Buffer | undefined;
    if (!remote) {
      const local = ctx.findFile('files', a.src);
      if (!local) return { failed: true, changed: false, msg: `Could not find or access '${a.src}' on the Ansible Controller.` };
      try {
        payload = await readFile(local);
      } catch {
        return { failed: true, changed: false, msg: `Could not find or access '${a.src}' on the Ansible Controller.` };
      }
    }
    const t = tarWords(a);
    // Shell words are pre-quoted: they are expanded unquoted in the script on purpose.
    const vars = shVars({ a_src: a.src, a_dest: a.dest.replace(/(.)\/+$/, '$1'), a_remote: remote, a_creates: a.creates, a_check: ctx.checkMode, ...attrVars(a), words: t.words, incl: t.incl, ownopts: t.ownopts });
    const script = vars + SH_ATTRS + SCRIPT;
    let out;
    try {
      out = await runNodeScript(ctx, script, payload ?? '');
    } catch (e) {
      return moduleFailure(e);
    }
    const j = out.json;
    if (j['skipped']) return { skipped: true, changed: false, msg: String(j['msg']) };
    const handler = String(j['handler'] ?? '');
    const src = String(j['src'] ?? a.src);
    const extract: Record<string, unknown> | undefined =
      j['ext_rc'] === undefined
        ? undefined
        : {
            cmd: handler === 'ZipArchive' ? ['unzip', '-o', src, '-d', a.dest] : t.cmd('tar', TAR_FLAG[handler] ?? '', src),
            rc: j['ext_rc'],
            out: j['ext_out'],
            err: j['ext_err'],
          };
    if (j['failed']) return { failed: true, changed: false, msg: String(j['msg']), ...(handler ? { handler, dest: a.dest, src } : {}), ...(extract ? { extract_results: extract } : {}) };
    const members = String(j['members'] ?? '')
      .split('\n')
      .filter(Boolean);
    const res: ModuleResult = {
      changed: j['changed'] === true,
      handler,
      dest: a.dest,
      src,
      ...(extract ? { extract_results: extract } : {}),
      ...(a.list_files ? { files: members } : {}),
      uid: j['uid'],
      gid: j['gid'],
      owner: j['owner'],
      group: j['group'],
      mode: j['mode'],
      size: j['size'],
      state: 'directory',
    };
    return res;
  },
};
