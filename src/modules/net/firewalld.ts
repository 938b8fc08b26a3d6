/**
 * firewalld (ansible.posix.firewalld): services, ports, protocols, sources, interfaces, rich rules,
 * ICMP blocks and masquerading of one zone, through the node's `firewall-cmd`. Every item is asked
 * first (`--query-*`) and added or removed only when it differs, in the runtime configuration, the
 * permanent one, or both, as the Ansible module chooses:
 * - permanent: false (default)          -> runtime only;
 * - permanent: true                     -> permanent only;
 * - permanent: true, immediate: true    -> both.
 * When firewalld is not running, runtime changes fail with a sentence; permanent-only changes go
 * through `firewall-offline-cmd` when the node has it (as Ansible's offline mode does).
 *
 * Arguments (one item per task, as Ansible's mutually exclusive options):
 * - service: `service: https`          - port: `port: 6443/tcp` (or a range `30000-32767/tcp`)
 * - protocol: `protocol: vrrp`         - source: `source: 10.42.0.0/16`
 * - interface: `interface: cni0` (moved into the zone with --change-interface)
 * - rich_rule: `rich_rule: rule family="ipv4" source address="10.0.0.0/8" accept`
 * - icmp_block: `icmp_block: echo-request`   - masquerade: `masquerade: true` (the item is masquerading)
 * - zone: `zone: trusted` (default: firewalld's default zone)
 * - state: enabled | disabled (required)   - permanent, immediate: booleans
 * - timeout: seconds for a runtime addition (0: forever)
 * Not supported yet: port_forward, target, icmp_block_inversion, offline, zone creation
 * (state present/absent): they are refused with a message.
 *
 * Returns: changed, msg ("Permanent and Non-Permanent(immediate) operation, Changed port 6443/tcp to
 * enabled", as Ansible words it), commands (the firewall-cmd lines run; in check mode, the ones
 * that would run).
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, int, str } from '../node/args.js';
import { argError, moduleFailure, runNodeScript, shVars } from '../node/script.js';

const schema = z
  .object({
    service: str.optional(),
    port: str.optional(),
    protocol: str.optional(),
    source: str.optional(),
    interface: str.optional(),
    rich_rule: str.optional(),
    icmp_block: str.optional(),
    masquerade: bool.optional(),
    zone: str.optional(),
    state: z.enum(['enabled', 'disabled', 'present', 'absent']),
    permanent: bool.optional(),
    immediate: bool.default(false),
    timeout: int.default(0),
    offline: bool.optional(),
    port_forward: z.unknown().optional(),
    target: z.unknown().optional(),
    icmp_block_inversion: z.unknown().optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

/** The firewall-cmd option word of each item kind (query-/add-/remove- prefixed). */
const KINDS = ['service', 'port', 'protocol', 'source', 'interface', 'rich_rule', 'icmp_block', 'masquerade'] as const;
type Kind = (typeof KINDS)[number];
const optionWord = (k: Kind) => k.replace('_', '-');

/**
 * The node side. For each configuration (runtime '', permanent '--permanent'): query the item;
 * exit 0 means present, 1 absent, anything else is an error (unknown zone, bad port...).
 * Add (or --change- for interfaces) / remove only when needed, never in check mode.
 */
const SCRIPT = String.raw`
command -v firewall-cmd >/dev/null 2>&1 || fail "firewall-cmd was not found on the node: install and start firewalld, or use the iptables or ufw module"
export LANG=C
fc=firewall-cmd
if ! firewall-cmd --state >/dev/null 2>&1; then
  [ -z "$a_runtime" ] || fail "firewalld is not running, so runtime changes are impossible (permanent: false, or immediate: true): start firewalld, or set permanent: true alone"
  command -v firewall-offline-cmd >/dev/null 2>&1 || fail "firewalld is not running and firewall-offline-cmd was not found: start firewalld"
  fc=firewall-offline-cmd
fi
changed=0; ran=
one() { # $1: --permanent or empty
  perm=$1
  if [ -n "$a_value" ]; then set -- "=$a_value"; else set -- ''; fi
  out=$("$fc" $perm ${'$'}{a_zone:+--zone=$a_zone} "--query-$a_kind$1" 2>&1); rc=$?
  case $rc in 0) present=1 ;; 1) present= ;; *) fail "$fc $perm --query-$a_kind$1: $out (rc $rc)" ;; esac
  if [ "$a_state" = enabled ] && [ -z "$present" ]; then verb=$a_add
  elif [ "$a_state" = disabled ] && [ -n "$present" ]; then verb=remove
  else return 0; fi
  extra=; [ -z "$perm" ] && [ "$verb" != remove ] && [ "$a_timeout" -gt 0 ] && extra="--timeout=$a_timeout"
  changed=1
  ran="$ran$fc${'$'}{perm:+ $perm}${'$'}{a_zone:+ --zone=$a_zone} --$verb-$a_kind$1${'$'}{extra:+ $extra}
"
  [ -n "$a_check" ] && return 0
  out=$("$fc" $perm ${'$'}{a_zone:+--zone=$a_zone} "--$verb-$a_kind$1" $extra 2>&1) || fail "$fc $perm --$verb-$a_kind$1: $out"
}
[ -n "$a_runtime" ] && one ''
[ -n "$a_permanent" ] && one --permanent
tf "$changed"; jsv "$ran"
printf '{"changed":%s,"ran":%s}\n' "$_b" "$_j"
`;

export const firewalldModule: ModuleDefinition<Args> = {
  name: 'firewalld',
  aliases: ['ansible.posix.firewalld'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    for (const k of ['port_forward', 'target', 'icmp_block_inversion', 'offline'] as const) {
      if (a[k] !== undefined) throw argError(`firewalld: ${k} is not supported by philote yet; open the port or service with firewall-cmd in a command task`);
    }
    if (a.state === 'present' || a.state === 'absent') {
      throw argError(`firewalld: state ${a.state} (creating or deleting a zone) is not supported by philote yet; use state enabled or disabled with an item`);
    }
    const given = KINDS.filter((k) => a[k] !== undefined);
    if (given.length === 0) throw argError(`firewalld: state ${a.state} needs one of ${KINDS.join(', ')}`);
    if (given.length > 1) throw argError(`firewalld: ${given.join(' and ')} cannot be used together in one task; use one task per item`);
    const kind = given[0] as Kind;
    if (kind === 'masquerade' && a.masquerade === false) {
      throw argError('firewalld: masquerade: false is ambiguous; write masquerade: true with state: disabled to turn masquerading off');
    }
    if (kind === 'port' && !/^\d+(-\d+)?\/(tcp|udp|sctp|dccp)$/.test(a.port ?? '')) {
      throw argError(`firewalld: port must be PORT/PROTOCOL or FROM-TO/PROTOCOL (6443/tcp, 30000-32767/tcp), got '${a.port}'`);
    }
    if (a.zone !== undefined && !/^[A-Za-z0-9_+-]+$/.test(a.zone)) throw argError(`firewalld: zone '${a.zone}' is not a valid zone name`);
    const permanent = a.permanent === true;
    const runtime = !permanent || a.immediate;
    if (a.timeout > 0 && permanent) throw argError('firewalld: timeout applies to runtime changes only; it cannot be combined with permanent: true');
    const value = kind === 'masquerade' ? '' : String(a[kind]);
    const vars = {
      a_kind: optionWord(kind),
      a_value: value,
      a_add: kind === 'interface' ? 'change' : 'add',
      a_zone: a.zone,
      a_state: a.state,
      a_runtime: runtime,
      a_permanent: permanent,
      a_timeout: a.timeout,
      a_check: ctx.checkMode,
    };
    try {
      const out = await runNodeScript(ctx, shVars(vars) + SCRIPT);
      const j = out.json;
      if (j['failed']) return { failed: true, changed: false, msg: String(j['msg']) };
      const changed = j['changed'] === true;
      const commands = String(j['ran'] ?? '').split('\n').filter((l) => l !== '');
      const mode = permanent && runtime ? 'Permanent and Non-Permanent(immediate) operation' : permanent ? 'Permanent operation' : 'Non-permanent operation';
      const what = kind === 'masquerade' ? `masquerade` : `${kind} ${value}`;
      const msg = changed ? `${mode}, Changed ${what} to ${a.state}` : mode;
      return { changed, msg, commands };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};
