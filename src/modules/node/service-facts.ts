/**
 * service_facts: the node's services as ansible_facts.services (ansible.builtin.service_facts).
 * No arguments.
 *
 * Sources, as Ansible gathers them: SysV (`service --status-all`: [ + ] running, [ - ] stopped;
 * when `service` exists and neither chkconfig nor rc-status does), OpenRC (rc-status/rc-update),
 * and systemd when PID 1 is systemd (`systemctl list-units` then `list-unit-files`, units only in
 * the second asked for their ActiveState). Each service is {name, state, source} (+ status for
 * systemd, runlevels for OpenRC). None found: skipped with Ansible's message.
 * Not gathered: upstart (initctl) and Red Hat chkconfig listings (named in docs/supported.md).
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { moduleFailure, runNodeScript } from './script.js';

const schema = z.object({}).strict();
type Args = z.infer<typeof schema>;

const J = String.raw`function j(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }`;

/** Prints {"services":{...},"warnings":[...]}. */
const SCRIPT = String.raw`
export LC_ALL=C LANG=C
w=
out=$(mktemp) || fail "mktemp failed"
trap 'rm -f "$out"' EXIT
has() { command -v "$1" >/dev/null 2>&1; }
if has service && ! has chkconfig && ! has rc-status; then
  s=$(service --status-all 2>"$out.err"); rc=$?; e=$(cat "$out.err"); rm -f "$out.err"
  if [ "$rc" = 4 ] && [ ! -e /etc/init.d ]; then :
  else
    [ "$rc" != 0 ] && w="Unable to query 'service' tool ($rc): $e"
    printf '%s\n' "$s" | awk '${J} match($0, /^[ \t]*\[ [+-] \][ \t]+/) { n = substr($0, RLENGTH + 1); st = (index($0, "[ + ]") ? "running" : "stopped"); printf "%s:{\"name\":%s,\"state\":\"%s\",\"source\":\"sysv\"}\n", j(n), j(n), st }' >> "$out"
  fi
fi
if ! has chkconfig && ! has initctl && has rc-status && has rc-update; then
  rc-update show -v 2>&1 | grep '|' > "$out.rl"
  rc-status -a -s -m 2>&1 | grep '^ ' | tr -d '[]' | awk -v rl="$out.rl" '${J}
    BEGIN { while ((getline l < rl) > 0) { split(l, p, "|"); k = p[1]; gsub(/^[ \t]+|[ \t]+$/, "", k); v = p[2]; gsub(/^[ \t]+|[ \t]+$/, "", v); r[k] = v } }
    NF >= 2 { v = r[$1]; if (v == "") lv = "null"; else { c = split(v, a, " "); lv = "["; for (i = 1; i <= c; i++) lv = lv (i > 1 ? "," : "") j(a[i]); lv = lv "]" }
      printf "%s:{\"name\":%s,\"runlevels\":%s,\"state\":%s,\"source\":\"openrc\"}\n", j($1), j($1), lv, j($2) }' >> "$out"
  rm -f "$out.rl"
fi
if grep -q systemd /proc/1/comm 2>/dev/null && has systemctl; then
  units=$(systemctl list-units --no-pager --type service --all 2>&1) || w="Could not list units from systemd: $units"
  files=$(systemctl list-unit-files --no-pager --type service --all 2>&1) || w="Could not get unit files data from systemd: $files"
  known=$(printf '%s\n' "$units" | awk '/\.service/ { f = $1; if ($1 !~ /\.service/) f = $2; print f }')
  printf '%s\n' "$units" | awk '${J}
    /\.service/ { st = "stopped"; n = split($0, f, " "); o = 0; status = ""
      for (i = 1; i <= n; i++) if (f[i] == "not-found" || f[i] == "masked" || f[i] == "failed") { status = f[i]; o = 1; break }
      if (status == "") status = f[3]
      name = f[1 + o]; if (f[4 + o] == "running") st = "running"
      printf "%s:{\"name\":%s,\"state\":\"%s\",\"status\":%s,\"source\":\"systemd\"}\n", j(name), j(name), st, j(status) }' >> "$out"
  printf '%s\n' "$files" | awk '/\.service/ { print $1, $2 }' | while read -r name status; do
    case "
$known
" in *"
$name
"*) printf 'S %s %s\n' "$name" "$status" ;;
    *) a=$(systemctl show "$name" --property=ActiveState 2>/dev/null); a=${'$'}{a#ActiveState=}; [ -z "$a" ] && a=unknown
       printf 'N %s %s %s\n' "$name" "$status" "$a" ;;
    esac
  done | awk '${J} $1 == "N" { printf "%s:{\"name\":%s,\"state\":%s,\"status\":%s,\"source\":\"systemd\"}\n", j($2), j($2), j($4), j($3) }
    $1 == "S" { printf "#status %s %s\n", $2, $3 }' >> "$out"
fi
jsv "$w"
printf '{"warn":%s}\n' "$_j"
cat "$out"
`;

export const serviceFactsModule: ModuleDefinition<Args> = {
  name: 'service_facts',
  aliases: ['ansible.builtin.service_facts', 'ansible.legacy.service_facts'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    let out;
    try {
      out = await runNodeScript(ctx, SCRIPT);
    } catch (e) {
      return moduleFailure(e);
    }
    if (out.json['failed']) return { failed: true, changed: false, msg: String(out.json['msg']) };
    if (out.json['warn']) ctx.warn(String(out.json['warn']));
    const services: Record<string, Record<string, unknown>> = {};
    const bad = new Set(['not-found', 'masked', 'failed']);
    for (const line of (out.tail ?? '').split('\n')) {
      if (!line) continue;
      if (line.startsWith('#status ')) {
        // A unit file's status replaces the listed unit's, unless that one is a bad state.
        const [, name, status] = line.split(' ');
        const s = services[name!];
        if (s && !bad.has(String(s['status']))) s['status'] = status;
        continue;
      }
      const obj = JSON.parse(`{${line}}`) as Record<string, Record<string, unknown>>;
      Object.assign(services, obj);
    }
    if (!Object.keys(services).length) return { skipped: true, changed: false, msg: 'Failed to find any services. This can be due to privileges or some other configuration issue.' };
    return { changed: false, ansible_facts: { services } };
  },
};
