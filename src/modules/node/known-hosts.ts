/**
 * known_hosts: add or remove a host's key in a known_hosts file (ansible.builtin.known_hosts).
 *
 * Arguments: name (host) (required): the host as ssh looks it up ('k3s-1', '[10.0.0.5]:2222');
 * key: the line to add ("name keytype base64"); path (~/.ssh/known_hosts, expanded on the node);
 * hash_host: store the host name hashed (|1|salt|hash); state: present (default) | absent.
 *
 * As Ansible's module: the key must name the host (checked with `ssh-keygen -F` on the node);
 * the file is searched with `ssh-keygen -F` (plain and hashed names); the same key is left alone,
 * another key of the same type is replaced in place of its line, a new one is appended; absent
 * removes the line found (or, without key, every key of the host with `ssh-keygen -R`).
 * Returns name, key, path, hash_host, state, changed and diff {before, after} as Ansible.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, str } from './args.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    name: str.optional(),
    host: str.optional(),
    key: str.optional(),
    path: str.default('~/.ssh/known_hosts'),
    hash_host: bool.default(false),
    state: z.enum(['present', 'absent']).default('present'),
  })
  .strict()
  .refine((a) => a.name !== undefined || a.host !== undefined, { message: 'missing required arguments: name' });
type Args = z.infer<typeof schema>;

/** One exec: the expanded path, whether the key names the host, ssh-keygen -F's answer on the file, and the file. */
const PINFO = String.raw`
# Path info as AnsibleModule adds it to a result that has a path.
pinfo() {
  if [ -e "$p" ]; then
    set -- $(stat -c '%u %g %a %s %U %G %F' "$p")
    st=file; [ -d "$p" ] && st=directory
    printf ',"uid":%s,"gid":%s,"mode":"%04o","size":%s,"owner":"%s","group":"%s","state":"%s"' "$1" "$2" "0$3" "$4" "$5" "$6" "$st"
  else printf ',"state":"absent"'; fi
}
`;

const READ = String.raw`
command -v ssh-keygen >/dev/null 2>&1 || fail "Failed to find required executable \"ssh-keygen\" in paths: $PATH"
case $p in "~") p=$HOME ;; "~/"*) p=$HOME/${'$'}{p#"~/"} ;; esac
sane=1
if [ -n "$k" ]; then
  t=$(mktemp) || fail "mktemp failed"
  printf '%s' "$k" > "$t"
  [ -n "$(ssh-keygen -F "$h" -f "$t" 2>/dev/null)" ] || sane=
  rm -f "$t"
fi
ex=; src=; rc=0; err=
if [ -e "$p" ]; then
  ex=1
  e=$(mktemp); src=$(ssh-keygen -F "$h" -f "$p" 2>"$e"); rc=$?; err=$(cat "$e"); rm -f "$e"
fi
jsv "$p"; pj=$_j; jsv "$src"; sj=$_j; jsv "$err"
printf '{"path":%s,"sane":%s,"exists":%s,"rc":%s,"search":%s,"err":%s%s}\n' "$pj" "$( [ -n "$sane" ] && printf true || printf false )" "$( [ -n "$ex" ] && printf true || printf false )" "$rc" "$sj" "$_j" "$(pinfo)"
[ -n "$ex" ] && cat "$p"
`;

const WRITE = String.raw`
if [ -n "$remove_all" ]; then
  o=$(ssh-keygen -R "$h" -f "$p" 2>&1) || fail "$o"
else
  d=$(dirname "$p")
  t=$(mktemp "$d/.known_hosts.XXXXXX" 2>/dev/null) || fail "Failed to write to file $p: cannot make a temporary file in $d"
  cat > "$t" || fail "Failed to write to file $t"
  [ -e "$p" ] && { chmod "$(stat -c %a "$p")" "$t"; chown "$(stat -c %u:%g "$p")" "$t"; }
  mv -f "$t" "$p" || fail "Failed to write to file $p"
fi
printf '{"ok":true%s}\n' "$(pinfo)"
`;

interface Normal {
  options?: string;
  host: string;
  type: string;
  key: string;
}

function normalize(line: string): Normal {
  const k = line.trim().split(/\s+/);
  return k[0]!.startsWith('@') ? { options: k[0]!, host: k[1]!, type: k[2]!, key: k[3]! } : { host: k[0]!, type: k[1]!, key: k[2]! };
}

function hashHostKey(host: string, key: string): string {
  const salt = randomBytes(20);
  const hashed = createHmac('sha1', salt).update(host).digest();
  const parts = key.trim().split(/\s+/);
  parts[parts[0]!.startsWith('@') ? 1 : 0] = `|1|${salt.toString('base64')}|${hashed.toString('base64')}`;
  return parts.join(' ');
}

export const knownHostsModule: ModuleDefinition<Args> = {
  name: 'known_hosts',
  aliases: ['ansible.builtin.known_hosts', 'ansible.legacy.known_hosts'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const host = (a.name ?? a.host)!.toLowerCase();
    let key = a.key;
    if (!key && a.state !== 'absent') return { failed: true, changed: false, msg: 'No key specified when adding a host' };
    if (key && a.hash_host) key = hashHostKey(host, key);
    if (key && !key.endsWith('\n')) key += '\n';
    if (key && /\S+(\s+)?,(\s+)?/.test(host)) return { failed: true, changed: false, msg: 'Comma separated list of names is not supported. Please pass a single name to lookup in the known_hosts file.' };
    let read;
    try {
      read = await runNodeScript(ctx, shVars({ h: host, k: key ?? '', p: a.path }) + PINFO + READ);
    } catch (e) {
      return moduleFailure(e);
    }
    const j = read.json;
    if (j['failed']) return { failed: true, changed: false, msg: String(j['msg']) };
    if (!j['sane']) return { failed: true, changed: false, msg: 'Host parameter does not match hashed host field in supplied key' };
    const path = String(j['path']);
    const before = j['exists'] ? (read.tail ?? '') : '';
    // search_for_host_key: found, replace_or_add, found_line.
    let found = false;
    let replace = false;
    let foundLine: number | undefined;
    const search = String(j['search'] ?? '');
    const rc = Number(j['rc']);
    if (j['exists'] && !(search === '' && String(j['err']) === '' && (rc === 0 || rc === 1))) {
      if (rc !== 0) return { failed: true, changed: false, msg: `ssh-keygen failed (rc=${rc}, stdout='${search}',stderr='${String(j['err'])}')` };
      found = true;
      if (key) {
        replace = true;
        const want = normalize(key);
        let line: number | undefined;
        for (const l of search.split('\n')) {
          if (l === '') continue;
          if (l.startsWith('#')) {
            const m = /found: line (\d+)/.exec(l);
            if (m) line = Number(m[1]);
            continue;
          }
          const got = normalize(l);
          if (want.host.startsWith('|1|') && got.host.startsWith('|1|')) want.host = got.host;
          if (want.options === got.options && want.host === got.host && want.type === got.type && want.key === got.key) {
            replace = false;
            foundLine = line;
            break;
          }
          if (want.type === got.type) {
            foundLine = line;
            break;
          }
        }
      }
    }
    const lines: string[] = [...(before.match(/[^\n]*\n|[^\n]+$/g) ?? [])];
    if ((replace || a.state === 'absent') && foundLine !== undefined && foundLine >= 1 && foundLine <= lines.length) lines.splice(foundLine - 1, 1);
    if (a.state === 'present' && (replace || foundLine === undefined)) lines.push(key!);
    const diff = { before_header: j['exists'] ? path : '/dev/null', after_header: path, before, after: lines.join('') };
    const info = (o: Record<string, unknown>) => Object.fromEntries(['uid', 'gid', 'mode', 'size', 'owner', 'group', 'state'].filter((k) => k in o).map((k) => [k, o[k]]));
    // The path's stat comes last and its `state` (file/absent) wins, as AnsibleModule's add_path_info.
    const echo = { name: a.name ?? a.host, key: a.key ?? null, path, hash_host: a.hash_host, state: a.state, ...info(j) };
    if (a.state === 'absent' && foundLine === undefined && key) return { changed: false, ...echo, diff };
    const removeAll = found && !key && a.state === 'absent';
    const write = replace || found !== (a.state === 'present');
    if (ctx.checkMode) return { changed: replace || (a.state === 'present') !== found, diff };
    if (removeAll || write) {
      try {
        // Without a key, absent is `ssh-keygen -R` (every key of the host); Ansible's rewrite after it copies the file unchanged.
        const out = await runNodeScript(ctx, shVars({ h: host, p: path, remove_all: removeAll }) + PINFO + WRITE, removeAll ? '' : lines.join(''));
        if (out.json['failed']) return { failed: true, changed: false, msg: String(out.json['msg']) };
        return { changed: true, ...echo, ...info(out.json), diff };
      } catch (e) {
        return moduleFailure(e);
      }
    }
    return { changed: false, ...echo, diff };
  },
};
