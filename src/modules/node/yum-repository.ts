/**
 * yum_repository: a repository section in /etc/yum.repos.d/<file>.repo (ansible.builtin.yum_repository).
 * It only writes the INI file, so it works on any node (yum or dnf need not be there).
 *
 * Arguments: name (the repo id) (required); description (the repo's name=, required for
 * present); baseurl / metalink / mirrorlist (one required for present); file (default: name);
 * reposdir (/etc/yum.repos.d); state present | absent; the repository options Ansible passes
 * through (enabled, gpgcheck, gpgkey, exclude, includepkgs, priority, proxy, sslverify, ...);
 * mode/owner/group of the file.
 *
 * As Ansible's module: the file is read as Python's RawConfigParser reads it (keys lowercased,
 * comments dropped, indented continuation lines), the section is rebuilt from the arguments in
 * sorted key order (booleans as 1/0, lists of URLs one per line, exclude/includepkgs joined with
 * spaces), and the file is rewritten only when the sorted dump changed; a file left without
 * sections is removed. Returns changed, repo, state and diff {before, after} (the sorted dumps).
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, str, strList } from './args.js';
import { attrFields, attrVars, SH_ATTRS } from './attrs.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';

const opt = str.optional();
const schema = z
  .object({
    name: str,
    description: opt,
    baseurl: strList.optional(),
    metalink: opt,
    mirrorlist: opt,
    file: opt,
    reposdir: str.default('/etc/yum.repos.d'),
    state: z.enum(['present', 'absent']).default('present'),
    async: bool.optional(),
    bandwidth: opt,
    cost: opt,
    deltarpm_metadata_percentage: opt,
    deltarpm_percentage: opt,
    enabled: bool.optional(),
    enablegroups: bool.optional(),
    exclude: strList.optional(),
    failovermethod: z.enum(['roundrobin', 'priority']).optional(),
    gpgcakey: opt,
    gpgcheck: bool.optional(),
    gpgkey: strList.optional(),
    module_hotfixes: bool.optional(),
    http_caching: z.enum(['all', 'packages', 'none']).optional(),
    include: opt,
    includepkgs: strList.optional(),
    ip_resolve: z.enum(['4', '6', 'IPv4', 'IPv6', 'whatever']).optional(),
    keepalive: bool.optional(),
    keepcache: z.enum(['0', '1']).optional(),
    metadata_expire: opt,
    metadata_expire_filter: z.enum(['never', 'read-only:past', 'read-only:present', 'read-only:future']).optional(),
    mirrorlist_expire: opt,
    password: opt,
    priority: opt,
    protect: bool.optional(),
    proxy: opt,
    proxy_password: opt,
    proxy_username: opt,
    repo_gpgcheck: bool.optional(),
    retries: opt,
    s3_enabled: bool.optional(),
    skip_if_unavailable: bool.optional(),
    sslcacert: opt,
    ca_cert: opt,
    ssl_check_cert_permissions: bool.optional(),
    sslclientcert: opt,
    client_cert: opt,
    sslclientkey: opt,
    client_key: opt,
    sslverify: bool.optional(),
    validate_certs: bool.optional(),
    throttle: opt,
    timeout: opt,
    ui_repoid_vars: opt,
    username: opt,
    params: z.unknown().optional(),
    ...attrFields,
  })
  .strict();
type Args = z.infer<typeof schema>;

const ALLOWED = new Set(['async', 'bandwidth', 'baseurl', 'cost', 'deltarpm_metadata_percentage', 'deltarpm_percentage', 'enabled', 'enablegroups', 'exclude', 'failovermethod', 'gpgcakey', 'gpgcheck', 'gpgkey', 'module_hotfixes', 'http_caching', 'include', 'includepkgs', 'ip_resolve', 'keepalive', 'keepcache', 'metadata_expire', 'metadata_expire_filter', 'metalink', 'mirrorlist', 'mirrorlist_expire', 'name', 'password', 'priority', 'protect', 'proxy', 'proxy_password', 'proxy_username', 'repo_gpgcheck', 'retries', 's3_enabled', 'skip_if_unavailable', 'sslcacert', 'ssl_check_cert_permissions', 'sslclientcert', 'sslclientkey', 'sslverify', 'throttle', 'timeout', 'ui_repoid_vars', 'username']);

type Ini = Map<string, Map<string, string>>;

/** Python's RawConfigParser.read, for the parts a .repo file uses. */
function parseIni(text: string): Ini {
  const ini: Ini = new Map();
  let section: Map<string, string> | undefined;
  let last: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;].*)?$/.test(raw)) {
      last = undefined;
      continue;
    }
    if (/^\s/.test(raw) && section && last !== undefined) {
      section.set(last, `${section.get(last)}\n${raw.trim()}`);
      continue;
    }
    const sec = /^\[([^\]]+)\]/.exec(raw);
    if (sec) {
      section = ini.get(sec[1]!) ?? new Map();
      ini.set(sec[1]!, section);
      last = undefined;
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv && section) {
      last = kv[1]!.trim().toLowerCase();
      section.set(last, kv[2]!.trim());
    }
  }
  return ini;
}

/** YumRepo.dump: sections and keys sorted, "key = value". */
function dump(ini: Ini): string {
  let out = '';
  for (const name of [...ini.keys()].sort()) {
    out += `[${name}]\n`;
    for (const [k, v] of [...ini.get(name)!.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out += `${k} = ${v}\n`;
    out += '\n';
  }
  return out;
}

/** RawConfigParser.write: sections in order, multi-line values continued with a tab. */
function write(ini: Ini): string {
  let out = '';
  for (const [name, sec] of ini) {
    out += `[${name}]\n`;
    for (const [k, v] of sec) out += `${k} = ${v.replace(/\n/g, '\n\t')}\n`;
    out += '\n';
  }
  return out;
}

const READ = String.raw`
[ -d "$d" ] || fail "Repo directory '$d' does not exist."
printf '{"exists":%s}\n' "$( [ -f "$f" ] && printf true || printf false )"
[ -f "$f" ] && cat "$f"
`;

const SAVE = String.raw`
ch=$a_changed
if [ -n "$a_changed" ] && [ -z "$a_check" ]; then
  if [ -n "$a_remove" ]; then rm -f "$f" || fail "Cannot remove empty repo file $f."
  else cat > "$f" || fail "Problems handling file $f."; fi
fi
[ -f "$f" ] && attrs "$f" 0
printf '{"changed":%s}\n' "$( [ -n "$ch" ] && printf true || printf false )"
`;

export const yumRepositoryModule: ModuleDefinition<Args> = {
  name: 'yum_repository',
  aliases: ['ansible.builtin.yum_repository', 'ansible.legacy.yum_repository'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (a.params !== undefined) return { failed: true, changed: false, msg: "The params option to yum_repository was removed in Ansible 2.5 since it circumvents Ansible's option handling" };
    if (a.state === 'present') {
      if (a.baseurl === undefined && a.metalink === undefined && a.mirrorlist === undefined) return { failed: true, changed: false, msg: "Parameter 'baseurl', 'metalink' or 'mirrorlist' is required." };
      if (a.description === undefined) return { failed: true, changed: false, msg: "Parameter 'description' is required." };
    }
    const reposdir = a.reposdir.replace(/(.)\/+$/, '$1');
    const dest = `${reposdir}/${a.file ?? a.name}.repo`;
    let read;
    try {
      read = await runNodeScript(ctx, shVars({ d: reposdir, f: dest }) + READ);
    } catch (e) {
      return moduleFailure(e);
    }
    if (read.json['failed']) return { failed: true, changed: false, msg: String(read.json['msg']) };
    const ini = parseIni(read.json['exists'] ? (read.tail ?? '') : '');
    const before = dump(ini);
    ini.delete(a.name);
    if (a.state === 'present') {
      const values: Record<string, unknown> = {
        ...a,
        name: a.description,
        baseurl: a.baseurl?.join('\n'),
        gpgkey: a.gpgkey?.join('\n'),
        sslcacert: a.sslcacert ?? a.ca_cert,
        sslclientcert: a.sslclientcert ?? a.client_cert,
        sslclientkey: a.sslclientkey ?? a.client_key,
        sslverify: a.sslverify ?? a.validate_certs,
      };
      const sec = new Map<string, string>();
      for (const k of Object.keys(values).sort()) {
        let v = values[k];
        if (!ALLOWED.has(k) || v === undefined || v === null) continue;
        if ((k === 'exclude' || k === 'includepkgs') && Array.isArray(v)) v = v.join(' ');
        else if (typeof v === 'boolean') v = v ? 1 : 0;
        sec.set(k, String(v));
      }
      ini.set(a.name, sec);
    }
    const after = dump(ini);
    const changed = before !== after;
    let out;
    try {
      out = await runNodeScript(
        ctx,
        shVars({ f: dest, a_changed: changed, a_check: ctx.checkMode, a_remove: ini.size === 0, ...attrVars(a) }) + SH_ATTRS + SAVE,
        changed && ini.size ? write(ini) : '',
      );
    } catch (e) {
      return moduleFailure(e);
    }
    if (out.json['failed']) return { failed: true, changed: false, msg: String(out.json['msg']) };
    return { changed: out.json['changed'] === true, repo: a.name, state: a.state, diff: { before_header: dest, before, after_header: dest, after } };
  },
};
