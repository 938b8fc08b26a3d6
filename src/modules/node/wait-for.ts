/**
 * wait_for: wait for a port, a file or a regex in a file, on the node (ansible.builtin.wait_for).
 * The whole wait runs as one script on the node.
 *
 * Arguments:
 * - port + host (default 127.0.0.1): a TCP port to open (started) or close (stopped).  `port: 6443`
 * - path: a file to appear (present) / disappear (absent); with search_regex, a line to match.
 *                                                                   `path: /var/lib/rancher/k3s/server/node-token`
 * - search_regex: extended regex searched in path (or in the port's banner: not supported).
 * - state: started | present | stopped | absent | drained (drained treated as stopped).  `state: stopped`
 * - delay (default 0), timeout (default 300), sleep (default 1): seconds.
 * - connect_timeout: seconds per port probe (default 5). msg: the failure message.
 *
 * Returns: elapsed, state, port / path, match_groups ([] when search_regex matched), msg on failure.
 * Port probes use nc, bash's /dev/tcp or curl, whichever the node has (local listeners are read
 * from /proc/net/tcp without any of them).
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { int, num, str } from './args.js';
import { argError, moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    host: str.default('127.0.0.1'),
    port: int.optional(),
    path: str.optional(),
    search_regex: str.optional(),
    state: z.enum(['started', 'present', 'stopped', 'absent', 'drained']).default('started'),
    delay: num.default(0),
    timeout: num.default(300),
    sleep: num.default(1),
    connect_timeout: num.default(5),
    msg: str.optional(),
    exclude_hosts: z.unknown().optional(),
    active_connection_states: z.unknown().optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
portopen() {
  case "$a_host" in 127.0.0.1|localhost|0.0.0.0|::1)
    _hex=$(printf '%04X' "$a_port")
    if cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p=":$_hex" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }'; then return 0; fi
    [ -r /proc/net/tcp ] && return 1 ;;
  esac
  if command -v nc >/dev/null 2>&1; then nc -z -w "$a_ct" "$a_host" "$a_port" >/dev/null 2>&1; return; fi
  if command -v bash >/dev/null 2>&1; then timeout "$a_ct" bash -c "exec 3<>/dev/tcp/$a_host/$a_port" >/dev/null 2>&1; return; fi
  if command -v curl >/dev/null 2>&1; then curl -s -o /dev/null --max-time "$a_ct" "telnet://$a_host:$a_port" </dev/null; [ $? -eq 28 ] || [ $? -eq 0 ]; return; fi
  fail "no way to probe TCP ports on this node (need nc, bash or curl)"
}
ok() {
  if [ -n "$a_port" ]; then
    case "$a_state" in started|present) portopen ;; *) ! portopen ;; esac
  else
    case "$a_state" in
      absent|stopped) [ ! -e "$a_path" ] ;;
      *) [ -e "$a_path" ] || return 1; [ -z "$a_regex" ] || grep -Eq -- "$a_regex" "$a_path" 2>/dev/null ;;
    esac
  fi
}
start=$(date +%s)
[ "$a_delay" != 0 ] && sleep "$a_delay"
while :; do
  if ok; then printf '{"ok":true,"elapsed":%s}\n' "$(( $(date +%s) - start ))"; exit 0; fi
  [ $(( $(date +%s) - start )) -ge "$a_timeout" ] && { printf '{"ok":false,"elapsed":%s}\n' "$(( $(date +%s) - start ))"; exit 0; }
  sleep "$a_sleep"
done
`;

export const waitForModule: ModuleDefinition<Args> = {
  name: 'wait_for',
  aliases: ['ansible.builtin.wait_for', 'ansible.legacy.wait_for'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (a.port !== undefined && a.path !== undefined) throw argError('wait_for: port and path are mutually exclusive');
    if (a.search_regex !== undefined && a.path === undefined) throw argError('wait_for: search_regex is only supported with path in philote (port banners are not read)');
    if (a.port === undefined && a.path === undefined) {
      await new Promise((r) => setTimeout(r, (a.delay + a.timeout) * 1000));
      return { changed: false, elapsed: a.delay + a.timeout, state: a.state };
    }
    const vars = { a_host: a.host, a_port: a.port, a_path: a.path, a_regex: a.search_regex, a_state: a.state === 'drained' ? 'stopped' : a.state, a_delay: a.delay, a_timeout: a.timeout, a_sleep: a.sleep, a_ct: a.connect_timeout };
    let out;
    try {
      out = await runNodeScript(ctx, shVars(vars) + SCRIPT, undefined, { timeoutMs: (a.delay + a.timeout + a.connect_timeout + 30) * 1000 });
    } catch (e) {
      return moduleFailure(e);
    }
    const j = out.json;
    if (j['failed']) return { failed: true, msg: j['msg'] as string };
    const base = { changed: false, elapsed: j['elapsed'], state: a.state, ...(a.port !== undefined ? { port: a.port } : { path: a.path }), ...(a.search_regex ? { match_groups: [], match_groupdict: {} } : {}) };
    if (j['ok']) return base;
    const what = a.port !== undefined ? `${a.host}:${a.port}` : a.path;
    const dflt = a.search_regex ? `Timeout when waiting for search string ${a.search_regex} in ${a.path}` : `Timeout when waiting for ${what}${a.state === 'stopped' || a.state === 'absent' ? ' to stop' : ''}`;
    return { ...base, failed: true, msg: a.msg ?? dflt };
  },
};
