/**
 * systemd / systemd_service and service (ansible.builtin.systemd_service, ansible.builtin.service):
 * start, stop, restart, reload, enable, mask units through `systemctl`, in one script that reads
 * the unit's state first and runs only the commands needed.
 *
 * Arguments:
 * - name (aliases service, unit): the unit; `.service` may be left out.   `name: k3s`
 * - state: started | stopped | restarted | reloaded.                     `state: restarted`
 * - enabled: start at boot.                                              `enabled: true`
 * - masked: mask or unmask the unit.                                     `masked: false`
 * - daemon_reload (alias daemon-reload): `systemctl daemon-reload` first, even without name.
 * - daemon_reexec (alias daemon-reexec), no_block, force, scope (system only).
 * - service only: pattern, sleep, arguments (alias args), runlevel, use — accepted; philote
 *   drives systemd only, as `use: auto` does on a systemd node.
 *
 * Returns: name, state, enabled, status (the `systemctl show` properties as Ansible returns them).
 * A node without systemd as init fails with systemctl's own reason, naming the host's missing part.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, str } from './args.js';
import { argError, moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    name: str.optional(),
    service: str.optional(),
    unit: str.optional(),
    state: z.enum(['started', 'stopped', 'restarted', 'reloaded']).optional(),
    enabled: bool.optional(),
    masked: bool.optional(),
    force: bool.optional(),
    daemon_reload: bool.default(false),
    'daemon-reload': bool.optional(),
    daemon_reexec: bool.default(false),
    'daemon-reexec': bool.optional(),
    no_block: bool.default(false),
    scope: z.enum(['system']).default('system'),
    // service module arguments
    pattern: str.optional(),
    sleep: z.union([z.number(), z.string()]).optional(),
    arguments: str.optional(),
    args: str.optional(),
    runlevel: str.optional(),
    use: str.optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
command -v systemctl >/dev/null 2>&1 || fail "systemctl was not found: this node does not use systemd (service managers other than systemd are not supported by philote yet)"
ch=
nb=; [ -n "$a_noblock" ] && nb=--no-block
run() { if [ -z "$a_check" ]; then "$@" > "$t" 2>&1 || fail "Unable to $2 service $a_name: $(cat "$t")"; fi; ch=1; }
t=$(mktemp) || fail 'cannot create a temporary file'
trap 'rm -f "$t"' EXIT
if [ -n "$a_reexec" ]; then run systemctl daemon-reexec; fi
if [ -n "$a_reload" ]; then
  if [ -z "$a_check" ]; then systemctl daemon-reload > "$t" 2>&1 || fail "failure $? during daemon-reload: $(cat "$t")"; fi
fi
[ -n "$a_name" ] || { printf '{"changed":false}\n'; exit 0; }
show() { systemctl show "$a_name" --no-pager 2>"$t"; }
props=$(show) || fail "$(cat "$t")"
prop() { printf '%s\n' "$props" | sed -n "s/^$1=//p" | head -n 1; }
load=$(prop LoadState); active=$(prop ActiveState); ufs=$(prop UnitFileState)
if [ "$load" = not-found ] && [ -z "$a_masked_set" ]; then fail "Could not find the requested service $a_name: host"; fi
if [ -n "$a_masked_set" ]; then
  if [ -n "$a_masked" ] && [ "$load" != masked ] && [ "$ufs" != masked ]; then run systemctl mask "$a_name"; ufs=masked; fi
  if [ -z "$a_masked" ] && { [ "$load" = masked ] || [ "$ufs" = masked ]; }; then run systemctl unmask "$a_name"; ufs=; fi
fi
if [ -n "$a_enabled_set" ]; then
  cur=$(systemctl is-enabled "$a_name" 2>/dev/null)
  case "$cur" in enabled|enabled-runtime|alias|static|indirect|generated|transient) is_en=1 ;; *) is_en= ;; esac
  if [ -n "$a_enabled" ] && [ -z "$is_en" ]; then run systemctl enable "$a_name"; fi
  if [ -z "$a_enabled" ] && [ -n "$is_en" ]; then run systemctl disable "$a_name"; fi
fi
case "$a_state" in
  started) case "$active" in active|activating|reloading) ;; *) run systemctl start $nb "$a_name" ;; esac ;;
  stopped) case "$active" in active|activating|reloading|deactivating) run systemctl stop $nb "$a_name" ;; esac ;;
  restarted) run systemctl restart $nb "$a_name" ;;
  reloaded) case "$active" in active|activating|reloading) run systemctl reload $nb "$a_name" ;; *) run systemctl start $nb "$a_name" ;; esac ;;
esac
[ -n "$ch" ] && [ -z "$a_check" ] && props=$(show)
printf '%s\n' "$props" > "$t"
blob status "$t"
emit "\"changed\":$( [ -n "$ch" ] && printf true || printf false )"
`;

const STATE_AFTER: Record<string, string> = { started: 'started', restarted: 'started', reloaded: 'started', stopped: 'stopped' };

function definition(name: string, aliases: string[]): ModuleDefinition<Args> {
  return {
    name,
    aliases,
    runsOn: 'node',
    schema,
    async run(ctx) {
      const a = ctx.args;
      const unit = a.name ?? a.service ?? a.unit;
      const reload = a.daemon_reload || a['daemon-reload'] === true;
      const reexec = a.daemon_reexec || a['daemon-reexec'] === true;
      if (!unit && (a.state || a.enabled !== undefined || a.masked !== undefined)) {
        throw argError(`${name}: state, enabled and masked need name (the unit to manage)`);
      }
      if (!unit && !reload && !reexec) throw argError(`${name}: one of name, daemon_reload or daemon_reexec is required`);
      try {
        const out = await runNodeScript(
          ctx,
          shVars({
            a_name: unit ?? '',
            a_state: a.state ?? '',
            a_enabled_set: a.enabled !== undefined,
            a_enabled: a.enabled === true,
            a_masked_set: a.masked !== undefined,
            a_masked: a.masked === true,
            a_reload: reload,
            a_reexec: reexec,
            a_noblock: a.no_block,
            a_check: ctx.checkMode,
          }) + SCRIPT,
        );
        const j = out.json;
        if (j['failed']) return { failed: true, changed: false, msg: String(j['msg']), ...(unit ? { name: unit } : {}) };
        if (!unit) return { changed: false };
        const status: Record<string, string> = {};
        for (const line of (out.blobs['status'] ?? Buffer.alloc(0)).toString('utf8').split('\n')) {
          const eq = line.indexOf('=');
          if (eq > 0) status[line.slice(0, eq)] = line.slice(eq + 1);
        }
        return {
          changed: j['changed'] === true,
          name: unit,
          ...(a.state ? { state: STATE_AFTER[a.state] } : {}),
          ...(a.enabled !== undefined ? { enabled: a.enabled } : {}),
          status,
        };
      } catch (e) {
        return moduleFailure(e);
      }
    },
  };
}

export const systemdModule = definition('systemd', [
  'systemd_service',
  'ansible.builtin.systemd',
  'ansible.builtin.systemd_service',
  'ansible.legacy.systemd',
  'ansible.legacy.systemd_service',
]);
export const serviceModule = definition('service', ['ansible.builtin.service', 'ansible.legacy.service']);
