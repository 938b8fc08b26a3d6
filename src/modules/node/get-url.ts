/**
 * get_url: download a file to the node, run from the node with curl (or wget)
 * (ansible.builtin.get_url).
 *
 * Arguments:
 * - url (http, https, ftp), dest (a file, or a directory: the URL's basename is used).
 *   `url: https://get.k3s.io` `dest: /usr/local/bin/k3s-install.sh` `mode: "0755"`
 * - checksum: "sha256:HEX" (also sha1, sha512, md5); the download must match, and an existing
 *   dest that matches is not downloaded again.
 * - force (default false): download even when dest exists; without it an existing dest is kept.
 * - headers (dict), timeout (default 10 s), url_username/url_password, validate_certs (default
 *   true), mode/owner/group.
 *
 * Returns: changed, dest, url, checksum_dest, checksum_src, size, status_code, msg, elapsed.
 * Check mode downloads nothing: changed when dest is missing (or force).
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { SH_ATTRS } from './attrs.js';
import { bool, int, mode, str } from './args.js';
import { curlConfig, hasSecret, wgetConfig } from './request-config.js';
import { argError, moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    url: str,
    dest: str,
    checksum: str.default(''),
    force: bool.default(false),
    headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    timeout: int.default(10),
    url_username: str.optional(),
    username: str.optional(),
    url_password: str.optional(),
    password: str.optional(),
    validate_certs: bool.default(true),
    mode: mode.optional(),
    owner: str.optional(),
    group: str.optional(),
    backup: bool.default(false),
    force_basic_auth: bool.default(false),
    tmp_dest: str.optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
ch=; ach=
dest=$a_dest
[ -d "$dest" ] && dest="${'$'}{dest%/}/$a_base"
started=$(date +%s)
sum_of() { set -- $("$1"sum < "$2"); printf '%s' "$1"; }
if [ -e "$dest" ] && [ -z "$a_force" ]; then
  if [ -z "$a_algo" ] || [ "$(sum_of "$a_algo" "$dest")" = "$a_sum" ]; then
    attrs "$dest" 0
    printf '{"kept":1,"dest":%s,"changed":%s,"checksum_dest":"%s"}\n' "$(js "$dest")" "$( [ -n "$ch" ] && printf true || printf false )" "$(sum_of sha1 "$dest")"
    exit 0
  fi
fi
if [ -n "$a_check" ]; then printf '{"check":1,"dest":%s}\n' "$(js "$dest")"; exit 0; fi
t=$(mktemp "${'$'}{a_tmp:-${'$'}{TMPDIR:-/tmp}}/.philote_get_url.XXXXXX") || fail "cannot create a temporary file"
trap 'rm -f "$t" "$t.h" "$t.cfg"' EXIT
# URL, headers and credentials from a config file written by a builtin (0600: mktemp's mode and
# umask 077): never in curl's or wget's argv.
_um=$(umask); umask 077
if command -v curl >/dev/null 2>&1; then
  printf '%s' "$a_curlcfg" > "$t.cfg"; umask "$_um"
  code=$(eval "curl -sS -L -K \"\$t.cfg\" $a_curlopts --max-time \"\$a_timeout\" -o \"\$t\" -w '%{http_code}'" 2>"$t.h") || fail "Request failed: $(cat "$t.h")"
elif command -v wget >/dev/null 2>&1; then
  printf '%s' "$a_wgetcfg" > "$t.cfg"; umask "$_um"
  eval "wget -q --config=\"\$t.cfg\" $a_wgetopts -T \"\$a_timeout\" -O \"\$t\" \"\$a_url\"" 2>"$t.h" && code=200 || fail "Request failed: $(cat "$t.h")"
else fail "neither curl nor wget was found on the node: get_url needs one of them"; fi
case "$code" in 2*|3*) ;; *) printf '{"failed":true,"msg":"Request failed","status_code":%s,"url":%s,"dest":%s}\n' "$code" "$(js "$a_url")" "$(js "$dest")"; exit 0 ;; esac
src_sum=$(sum_of sha1 "$t")
if [ -n "$a_algo" ]; then
  got=$(sum_of "$a_algo" "$t")
  [ "$got" = "$a_sum" ] || fail "The checksum for $dest did not match $a_sum; it was $got."
fi
dest_sum=; [ -f "$dest" ] && dest_sum=$(sum_of sha1 "$dest")
if [ "$src_sum" != "$dest_sum" ]; then
  ch=1
  [ -n "$a_backup" ] && [ -f "$dest" ] && cp -p "$dest" "$dest.$$.$(date +%Y-%m-%d@%H:%M:%S)~"
  chmod 644 "$t"; mv -f "$t" "$dest" || fail "Could not replace file $dest"
fi
attrs "$dest" 0
set -- $(wc -c < "$dest")
printf '{"changed":%s,"dest":%s,"status_code":%s,"checksum_src":"%s","checksum_dest":"%s","size":%s,"elapsed":%s}\n' \
  "$( [ -n "$ch" ] && printf true || printf false )" "$(js "$dest")" "$code" "$src_sum" "$src_sum" "$1" "$(( $(date +%s) - started ))"
`;

export const getUrlModule: ModuleDefinition<Args> = {
  name: 'get_url',
  aliases: ['ansible.builtin.get_url', 'ansible.legacy.get_url'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (!/^(https?|ftp):\/\//.test(a.url)) throw argError(`get_url: url must be http, https or ftp: ${a.url}`);
    let algo = '';
    let sum = '';
    if (a.checksum) {
      const m = /^(md5|sha1|sha224|sha256|sha384|sha512):([0-9a-fA-F]+)$/.exec(a.checksum);
      if (!m) throw argError(`get_url: checksum must be <algorithm>:<hex digest>, for example sha256:abc...; got '${a.checksum}'`);
      algo = m[1]!;
      sum = m[2]!.toLowerCase();
    }
    const user = a.url_username ?? a.username;
    const pass = a.url_password ?? a.password;
    const curl: string[] = [];
    const wget: string[] = [];
    const headers = Object.fromEntries(Object.entries(a.headers).map(([k, v]) => [k, String(v)]));
    const request = { url: a.url, headers, ...(user !== undefined ? { user } : {}), ...(pass !== undefined ? { password: pass } : {}) };
    if (!a.validate_certs) {
      curl.push('-k');
      wget.push('--no-check-certificate');
    }
    const base = decodeURIComponent(new URL(a.url).pathname.split('/').pop() || 'index.html');
    try {
      const out = await runNodeScript(
        ctx,
        SH_ATTRS +
          shVars({
            a_url: a.url,
            a_dest: a.dest,
            a_base: base,
            a_algo: algo,
            a_sum: sum,
            a_force: a.force,
            a_timeout: a.timeout,
            a_curlopts: curl.join(' '),
            a_curlcfg: curlConfig(request),
            a_wgetcfg: wgetConfig(request),
            a_wgetopts: wget.join(' '),
            a_backup: a.backup,
            a_tmp: a.tmp_dest ?? '',
            a_mode: a.mode ?? '',
            a_owner: a.owner ?? '',
            a_group: a.group ?? '',
            a_check: ctx.checkMode,
          }) +
          SCRIPT,
        undefined,
        { secret: hasSecret(request) },
      );
      const j = out.json;
      if (j['failed']) return { changed: false, url: a.url, ...j, failed: true };
      if (j['kept']) return { changed: j['changed'] === true, dest: j['dest'], url: a.url, checksum_dest: j['checksum_dest'], msg: 'file already exists' };
      if (j['check']) return { changed: true, dest: j['dest'], url: a.url, msg: 'the file would be downloaded (check mode)' };
      return { ...j, url: a.url, msg: `OK (${String(j['size'])} bytes)`, changed: j['changed'] === true };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};
