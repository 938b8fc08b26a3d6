/**
 * The part dnf and yum share (as Ansible's module_utils/yumdnf.py): the argument spec, its checks,
 * and one node script driving the node's `dnf` (or, for yum's yum3 backend, `yum`) command with
 * rpm's database read first, so the package manager runs only for what is missing, outdated or
 * present. Ansible's modules use the Python bindings; philote needs no Python on the node, so it
 * drives the commands, whose options match the arguments one to one.
 *
 * Arguments: name (pkg) list of specs (`curl`, `curl-7.76.1`, `@group`, a .rpm path or URL, `*`
 * with latest); state present|installed|latest|absent|removed (default present, absent with
 * autoremove alone); update_cache (expire-cache); update_only; autoremove; enablerepo, disablerepo,
 * exclude, enable_plugin, disable_plugin (lists); conf_file, installroot, releasever,
 * disable_excludes, download_dir; disable_gpg_check, skip_broken, security, bugfix, cacheonly,
 * allowerasing, nobest, install_weak_deps, download_only, sslverify/validate_certs. Accepted and
 * without effect here: allow_downgrade (the command decides), install_repoquery, lock_timeout.
 * `list` is refused with a message.
 *
 * Returns as Ansible: changed, msg ("Nothing to do", "Cache updated", the check mode sentence),
 * results ("Installed: NEVRA", "Removed: NEVRA" for the named packages; dependencies the command
 * pulled in are not listed), rc; failures and Ansible's "Failed to install some of the specified
 * packages" when the command fails. Check mode reads rpm's database and `check-update` only.
 */
import { z } from 'zod';
import type { ModuleContext, ModuleResult } from '../types.js';
import { bool, int, str, strList } from './args.js';
import { NEED_BIN } from './bin-path.js';
import { moduleFailure, q, runNodeScript, shVars } from './script.js';

export const yumdnfSchema = z
  .object({
    name: strList.optional(),
    pkg: strList.optional(),
    state: str.optional(),
    allow_downgrade: bool.default(false),
    autoremove: bool.default(false),
    bugfix: bool.default(false),
    cacheonly: bool.default(false),
    conf_file: str.optional(),
    disable_excludes: str.optional(),
    disable_gpg_check: bool.default(false),
    disable_plugin: strList.default([]),
    disablerepo: strList.default([]),
    download_only: bool.default(false),
    download_dir: str.optional(),
    enable_plugin: strList.default([]),
    enablerepo: strList.default([]),
    exclude: strList.default([]),
    installroot: str.default('/'),
    install_repoquery: bool.default(true),
    install_weak_deps: bool.default(true),
    list: str.optional(),
    releasever: str.optional(),
    security: bool.default(false),
    skip_broken: bool.default(false),
    update_cache: bool.optional(),
    'expire-cache': bool.optional(),
    update_only: bool.default(false),
    validate_certs: bool.default(true),
    sslverify: bool.default(true),
    lock_timeout: int.default(30),
    allowerasing: bool.default(false),
    nobest: bool.default(false),
    // yum's action plugin picks the backend with these; the dnf module itself has no such argument.
    use_backend: str.optional(),
    use: str.optional(),
  })
  .strict();
export type YumDnfArgs = z.infer<typeof yumdnfSchema>;

const STATES = ['absent', 'installed', 'latest', 'present', 'removed'];

const SCRIPT = String.raw`
need_bin "$a_cmd"
[ -n "$a_download_only" ] || [ "$(id -u)" = 0 ] || { printf '{"failed":true,"msg":"This command has to be run under the root user.","results":[]}\n'; exit 0; }
export LANG=C LC_ALL=C
t=$(mktemp) || fail 'cannot create a temporary file'
trap 'rm -f "$t"' EXIT
set -f
nl='
'
pm() { eval "\"$bin\" $a_opts \"\$@\"" >> "$t" 2>&1; }
nevra() { rpm -q --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n' "$1" 2>/dev/null || { case $1 in */*) rpm -q --whatprovides --qf '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n' "$1" 2>/dev/null ;; *) false ;; esac; }; }
res=; rl() { jsv "$1"; res="$res${'$'}{res:+,}$_j"; }
if [ -n "$a_update" ] && [ -z "$a_check" ]; then
  pm makecache || fail "Failed to synchronize repodata: $(tail -n 3 "$t")"
fi
if [ -z "$a_names" ] && [ -z "$a_autoremove" ] && [ -n "$a_update" ]; then
  printf '{"changed":false,"msg":"Cache updated","results":[],"rc":0}\n'; exit 0
fi
ins=; upg=; rem=; all=
IFS=$nl
for p in $a_names; do
  case $p in @*|*.rpm|*://*) [ "$a_state" = absent ] && rem="$rem$p$nl" || ins="$ins$p$nl"; continue ;; esac
  if [ "$p" = '*' ] && [ "$a_state" = latest ]; then all=1; continue; fi
  have=$(nevra "$p" | head -n 1)
  case $a_state in
    present) [ -n "$have" ] || ins="$ins$p$nl" ;;
    latest)
      if [ -z "$have" ]; then
        if [ -n "$a_update_only" ]; then rl "Packages providing $p not installed due to update_only specified"; else ins="$ins$p$nl"; fi
      else pm -q check-update "$p"; [ $? = 100 ] && upg="$upg$p$nl"; fi ;;
    absent) [ -z "$have" ] || { rem="$rem$p$nl"; for n in $have; do rl "Removed: $n"; done; } ;;
  esac
done
if [ -n "$all" ]; then pm -q check-update; [ $? = 100 ] || all=; fi
unset IFS
if [ -z "$ins$upg$rem$all" ] && [ -z "$a_autoremove" ]; then
  printf '{"changed":false,"msg":"Nothing to do","results":[%s],"rc":0}\n' "$res"; exit 0
fi
if [ -n "$a_check" ]; then
  IFS=$nl; for p in $ins$upg; do rl "Installed: $p"; done; unset IFS
  [ -n "$all" ] && rl "Installed: *"
  ch=true; [ -z "$ins$upg$rem$all" ] && ch=false
  printf '{"changed":%s,"msg":"Check mode: No changes made, but would have if not in check mode","results":[%s],"rc":0}\n' "$ch" "$res"; exit 0
fi
: > "$t"
failed=
IFS=$nl
[ -z "$ins" ] || pm -y install $ins || failed=1
[ -n "$failed" ] || [ -z "$upg" ] || pm -y upgrade $upg || failed=1
[ -n "$failed" ] || [ -z "$all" ] || pm -y upgrade || failed=1
[ -n "$failed" ] || [ -z "$rem" ] || pm -y remove $rem || failed=1
unset IFS
if [ -n "$failed" ]; then
  printf '{"failed":true,"msg":"Failed to install some of the specified packages","failures":[%s],"results":[],"rc":1}\n' "$(js "$(tail -n 5 "$t")")"; exit 0
fi
ch=; [ -n "$ins$upg$rem$all" ] && ch=1
if [ -n "$a_autoremove" ]; then n0=$(wc -l < "$t"); pm -y autoremove; tail -n +$((n0 + 1)) "$t" | grep -q '^Removing\|^Removed:' && ch=1; fi
IFS=$nl; for p in $ins$upg; do case $p in @*|*.rpm|*://*) rl "Installed: $p" ;; *) for n in $(nevra "$p"); do rl "Installed: $n"; done ;; esac; done; unset IFS
[ -n "$all" ] && rl "Installed: *"
printf '{"changed":%s,"msg":"","results":[%s],"rc":0}\n' "$( [ -n "$ch" ] && printf true || printf false )" "$res"
`;

/** The command-line options the arguments ask for, quoted for the script's `eval`. */
function options(a: YumDnfArgs): string {
  const o: string[] = [];
  const each = (flag: string, list: string[]) => list.forEach((v) => o.push(q(`${flag}=${v}`)));
  if (a.conf_file) o.push('-c', q(a.conf_file));
  if (a.disable_gpg_check) o.push('--nogpgcheck');
  each('--enablerepo', a.enablerepo);
  each('--disablerepo', a.disablerepo);
  each('--exclude', a.exclude);
  each('--enableplugin', a.enable_plugin);
  each('--disableplugin', a.disable_plugin);
  if (a.installroot !== '/') o.push(q(`--installroot=${a.installroot}`));
  if (a.releasever) o.push(q(`--releasever=${a.releasever}`));
  if (a.disable_excludes) o.push(q(`--disableexcludes=${a.disable_excludes}`));
  if (a.skip_broken) o.push('--skip-broken');
  if (a.security) o.push('--security');
  if (a.bugfix) o.push('--bugfix');
  if (a.cacheonly) o.push('-C');
  if (a.allowerasing) o.push('--allowerasing');
  if (a.nobest) o.push('--nobest');
  if (!a.install_weak_deps) o.push('--setopt=install_weak_deps=False');
  if (!a.sslverify || !a.validate_certs) o.push('--setopt=sslverify=False');
  if (a.download_only) o.push('--downloadonly');
  if (a.download_dir) o.push(q(`--downloaddir=${a.download_dir}`));
  return o.join(' ');
}

/**
 * Ansible's checks of the arguments (AnsibleModule's, then YumDnf's), in its order and words.
 * Its required_one_of (name, list, update_cache) never fires: name defaults to [].
 */
export function checkYumDnfArgs(a: YumDnfArgs): ModuleResult | undefined {
  const fail = (msg: string, extra: Record<string, unknown> = {}): ModuleResult => ({ failed: true, changed: false, msg, ...extra });
  const names = a.name ?? a.pkg;
  if (a.state !== undefined && !STATES.includes(a.state)) return fail(`value of state must be one of: ${STATES.join(', ')}, got: ${a.state}`);
  if (names !== undefined && a.list !== undefined) return fail('parameters are mutually exclusive: name|list');
  for (const n of names ?? []) {
    if (n.includes(' ') && !['@', '>', '<', '='].some((c) => n.includes(c))) {
      return fail('It appears that a space separated string of packages was passed in as an argument. To operate on several packages, pass a comma separated string of packages or a list of packages.');
    }
  }
  const state = a.state ?? (a.autoremove ? 'absent' : 'present');
  if (a.autoremove && state !== 'absent') return fail('Autoremove should be used alone or with state=absent', { results: [] });
  if (a.list !== undefined) return fail('list is not supported by philote yet (use package_facts)');
  return undefined;
}

/** Run the package transaction with `cmd` (dnf, or yum for yum3); the arguments are checked already. */
export async function runYumDnf(ctx: ModuleContext<YumDnfArgs>, cmd: 'dnf' | 'yum'): Promise<ModuleResult> {
  const a = ctx.args;
  const state = a.state === 'installed' ? 'present' : a.state === 'removed' ? 'absent' : (a.state ?? (a.autoremove ? 'absent' : 'present'));
  const names = (a.name ?? a.pkg ?? []).map((n) => n.trim()).filter((n) => n !== '');
  try {
    const out = await runNodeScript(
      ctx,
      shVars({
        a_cmd: cmd,
        a_names: names.join('\n'),
        a_state: state,
        a_opts: options(a),
        a_update: a.update_cache ?? a['expire-cache'] ?? false,
        a_update_only: a.update_only,
        a_autoremove: a.autoremove,
        a_download_only: a.download_only,
        a_check: ctx.checkMode,
      }) + NEED_BIN + SCRIPT,
    );
    const j = out.json;
    if (j['failed']) return { results: [], ...j, failed: true, changed: false, msg: String(j['msg']) };
    return { ...j, changed: j['changed'] === true };
  } catch (e) {
    return moduleFailure(e);
  }
}
