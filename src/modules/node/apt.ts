/**
 * apt and package (ansible.builtin.apt, ansible.builtin.package on Debian-family nodes):
 * install, upgrade or remove Debian packages with apt-get, in one script that reads dpkg's
 * status first and runs apt-get only for what is missing, outdated or present.
 *
 * Arguments:
 * - name (aliases pkg, package): package names, `name=version` pins allowed.   `name: [curl, open-iscsi]`
 * - state: present (default) | absent | latest.
 * - update_cache (alias update-cache): `apt-get update` first; cache_valid_time (seconds): skip the
 *   update when the lists are younger.
 * - install_recommends (default: apt's own setting), purge, autoremove, force (allow downgrades and
 *   unauthenticated), default_release, dpkg_options (default force-confdef,force-confold).
 *
 * Returns: changed, cache_updated, cache_update_time, stdout/stderr of apt-get when it ran.
 * Check mode asks `apt-get -s` what would happen and changes nothing.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, int, str, strList } from './args.js';
import { argError, moduleFailure, q, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    name: strList.optional(),
    pkg: strList.optional(),
    package: strList.optional(),
    state: z.enum(['present', 'absent', 'latest', 'installed', 'removed']).default('present'),
    update_cache: bool.optional(),
    'update-cache': bool.optional(),
    cache_valid_time: int.default(0),
    install_recommends: bool.optional(),
    purge: bool.default(false),
    autoremove: bool.default(false),
    force: bool.default(false),
    default_release: str.optional(),
    dpkg_options: str.default('force-confdef,force-confold'),
    use: str.optional(),
    lock_timeout: int.optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
command -v apt-get >/dev/null 2>&1 || fail "apt-get was not found: philote's package module drives apt only (Debian, Ubuntu)"
export DEBIAN_FRONTEND=noninteractive LANG=C
t=$(mktemp) || fail 'cannot create a temporary file'
trap 'rm -f "$t"' EXIT
cu=false; ctime=0
if [ -n "$a_update" ]; then
  st=/var/lib/apt/periodic/update-success-stamp; [ -e "$st" ] || st=/var/lib/apt/lists
  now=$(date +%s); ctime=$(stat -c %Y "$st" 2>/dev/null || echo 0)
  if [ "$a_valid" -le 0 ] || [ $((now - ctime)) -gt "$a_valid" ]; then
    if [ -z "$a_check" ]; then apt-get update -q > "$t" 2>&1 || fail "Failed to update apt cache: $(tail -n 3 "$t")"; ctime=$now; fi
    cu=true
  fi
fi
# What needs doing, per package: dpkg's status, and for latest the candidate version.
todo=
for p in $a_names; do
  n=${'$'}{p%%=*}
  inst=$(dpkg-query -W -f='${'$'}{Status} ${'$'}{Version}' "$n" 2>/dev/null)
  case "$inst" in "install ok installed "*) have=${'$'}{inst##* } ;; *) have= ;; esac
  case "$a_state" in
    present) if [ -z "$have" ]; then todo="$todo $p"; elif [ "$p" != "$n" ] && [ "$have" != "${'$'}{p#*=}" ]; then todo="$todo $p"; fi ;;
    latest)
      if [ -z "$have" ]; then todo="$todo $p"
      else cand=$(apt-cache policy "$n" 2>/dev/null | sed -n 's/^ *Candidate: //p'); [ -n "$cand" ] && [ "$cand" != "$have" ] && todo="$todo $p"; fi ;;
    absent) if [ -n "$have" ] || { [ -n "$a_purge" ] && dpkg-query -W -f='${'$'}{Status}' "$n" 2>/dev/null | grep -q 'config-files'; }; then todo="$todo $n"; fi ;;
  esac
done
ch=
if [ -n "$todo" ]; then
  ch=1
  sim=; [ -n "$a_check" ] && sim=-s
  if [ "$a_state" = absent ]; then
    eval "apt-get -y -q $sim $a_rmopts remove $todo" > "$t" 2>&1 || fail "apt-get remove failed: $(tail -n 5 "$t")"
  else
    eval "apt-get -y -q $sim $a_opts install $todo" > "$t" 2>&1 || fail "apt-get install failed: $(tail -n 5 "$t")"
  fi
fi
if [ -n "$a_autoremove" ] && [ -z "$a_check" ]; then
  apt-get -y -q autoremove >> "$t" 2>&1 && grep -q '^Removing ' "$t" && ch=1
fi
[ -n "$todo" ] || : > "$t"
blob out "$t"
emit "\"changed\":$( [ -n "$ch" ] && printf true || printf false ),\"cache_updated\":$cu,\"cache_update_time\":$ctime"
`;

function definition(name: string, aliases: string[]): ModuleDefinition<Args> {
  return {
    name,
    aliases,
    runsOn: 'node',
    schema,
    async run(ctx) {
      const a = ctx.args;
      const names = a.name ?? a.pkg ?? a.package ?? [];
      const update = a.update_cache ?? a['update-cache'] ?? false;
      if (names.length === 0 && !update && !a.autoremove) throw argError(`${name}: name is required (or update_cache / autoremove alone)`);
      for (const n of names) if (!/^[a-z0-9][a-z0-9+.\-:]*(=[\w.+:~-]+)?$/.test(n)) throw argError(`${name}: '${n}' is not a Debian package name`);
      const state = a.state === 'installed' ? 'present' : a.state === 'removed' ? 'absent' : a.state;
      const opts = [`-o Dpkg::Options::=--${a.dpkg_options.split(',').join(' -o Dpkg::Options::=--')}`];
      if (a.install_recommends === true) opts.push('--install-recommends');
      if (a.install_recommends === false) opts.push('--no-install-recommends');
      if (a.force) opts.push('--allow-downgrades --allow-unauthenticated --allow-change-held-packages');
      if (a.default_release) opts.push(`-t ${q(a.default_release)}`);
      const installOpts = opts.join(' ');
      try {
        const out = await runNodeScript(
          ctx,
          shVars({
            a_names: names.join(' '),
            a_state: state,
            a_update: update,
            a_valid: a.cache_valid_time,
            a_opts: installOpts,
            a_rmopts: a.purge ? '--purge' : '',
            a_purge: a.purge,
            a_autoremove: a.autoremove,
            a_check: ctx.checkMode,
          }) + SCRIPT,
        );
        const j = out.json;
        if (j['failed']) return { failed: true, changed: false, msg: String(j['msg']) };
        const text = (out.blobs['out'] ?? Buffer.alloc(0)).toString('utf8');
        return {
          changed: j['changed'] === true,
          cache_updated: j['cache_updated'] === true,
          cache_update_time: j['cache_update_time'] as number,
          ...(text ? { stdout: text, stdout_lines: text.split('\n').filter((l) => l !== ''), stderr: '' } : {}),
        };
      } catch (e) {
        return moduleFailure(e);
      }
    },
  };
}

export const aptModule = definition('apt', ['ansible.builtin.apt', 'ansible.legacy.apt']);
export const packageModule = definition('package', ['ansible.builtin.package', 'ansible.legacy.package']);
