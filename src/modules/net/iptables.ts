/**
 * iptables (ansible.builtin.iptables): one rule, a chain's policy, a flush, or a chain itself, with
 * the same arguments as Ansible and the rule built in the same order (construct_rule), checked
 * with `iptables -C` and changed only when needed, in one script. Uses whatever `iptables` the
 * node has (legacy or nft); ip6tables for ip_version ipv6.
 *
 * Arguments (the common ones; all have Ansible's meaning, a leading "!" negates a match):
 * - chain, table (default filter), state present|absent, action append|insert, rule_num.
 *   `chain: INPUT`
 * - protocol, source, destination, match (list), destination_port, source_port,
 *   destination_ports (list, multiport), in_interface, out_interface, ctstate (list), comment,
 *   jump, goto, to_ports, to_destination, to_source, log_prefix, log_level, reject_with,
 *   icmp_type, src_range, dst_range, limit, limit_burst, uid_owner, syn, fragment.
 *   `protocol: udp` `destination_port: "8472"` `jump: ACCEPT` `comment: "flannel vxlan"`
 * - policy: set the chain's policy (ACCEPT, DROP, QUEUE, RETURN).
 * - flush: flush the chain (or the whole table without chain).
 * - chain_management: with state present create a missing chain before adding the rule; with
 *   state absent and no rule arguments delete the chain. As in Ansible, state present with no rule
 *   arguments appends an empty rule (`-A CHAIN`), and absent without chain_management only reports.
 * - ip_version: ipv4 (default) | ipv6.  wait: seconds to wait for the xtables lock.
 *
 * Returns: changed, chain, table, state, ip_version, flush, rule (the rule as text), policy.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, int, str, strList } from '../node/args.js';
import { argError, moduleFailure, q, runNodeScript, shVars } from '../node/script.js';

const schema = z
  .object({
    table: z.enum(['filter', 'nat', 'mangle', 'raw', 'security']).default('filter'),
    state: z.enum(['present', 'absent']).default('present'),
    action: z.enum(['append', 'insert']).default('append'),
    rule_num: str.optional(),
    ip_version: z.enum(['ipv4', 'ipv6']).default('ipv4'),
    chain: str.optional(),
    protocol: str.optional(),
    source: str.optional(),
    destination: str.optional(),
    tcp_flags: z.object({ flags: z.array(z.string()).optional(), flags_set: z.array(z.string()).optional() }).optional(),
    match: strList.default([]),
    jump: str.optional(),
    gateway: str.optional(),
    log_prefix: str.optional(),
    log_level: str.optional(),
    goto: str.optional(),
    in_interface: str.optional(),
    out_interface: str.optional(),
    fragment: str.optional(),
    set_counters: str.optional(),
    source_port: str.optional(),
    destination_port: str.optional(),
    destination_ports: strList.default([]),
    to_ports: str.optional(),
    to_destination: str.optional(),
    to_source: str.optional(),
    syn: z.enum(['ignore', 'match', 'negate']).default('ignore'),
    set_dscp_mark: str.optional(),
    set_dscp_mark_class: str.optional(),
    comment: str.optional(),
    ctstate: strList.default([]),
    src_range: str.optional(),
    dst_range: str.optional(),
    match_set: str.optional(),
    match_set_flags: z.enum(['src', 'dst', 'src,dst', 'dst,src']).optional(),
    limit: str.optional(),
    limit_burst: str.optional(),
    uid_owner: str.optional(),
    gid_owner: str.optional(),
    reject_with: str.optional(),
    icmp_type: str.optional(),
    flush: bool.default(false),
    policy: z.enum(['ACCEPT', 'DROP', 'QUEUE', 'RETURN']).optional(),
    wait: str.optional(),
    chain_management: bool.default(false),
    numeric: bool.default(false),
  })
  .strict();
type Args = z.infer<typeof schema>;

/** Ansible's append_param: a value starting with "!" is a negated match. */
function param(rule: string[], value: string | undefined, flag: string): void {
  if (value === undefined || value === '') return;
  if (value.startsWith('!')) rule.push('!', flag, value.slice(1));
  else rule.push(flag, value);
}

function matchModule(rule: string[], when: unknown, name: string): void {
  if (when !== undefined && when !== '' && !(Array.isArray(when) && when.length === 0)) rule.push('-m', name);
}

/** The rule's arguments in the order of Ansible's construct_rule (so `rule` reads the same). */
export function constructRule(a: Args): string[] {
  const r: string[] = [];
  if (a.wait) r.push('-w', a.wait);
  param(r, a.protocol, '-p');
  param(r, a.source, '-s');
  param(r, a.destination, '-d');
  for (const m of a.match) r.push('-m', m);
  if (a.tcp_flags?.flags && a.tcp_flags.flags_set) r.push('--tcp-flags', a.tcp_flags.flags.join(','), a.tcp_flags.flags_set.join(','));
  param(r, a.jump, '-j');
  if (a.jump?.toLowerCase() === 'tee') param(r, a.gateway, '--gateway');
  param(r, a.log_prefix, '--log-prefix');
  param(r, a.log_level, '--log-level');
  param(r, a.to_destination, '--to-destination');
  matchModule(r, a.destination_ports, 'multiport');
  if (a.destination_ports.length) r.push('--dports', a.destination_ports.join(','));
  param(r, a.to_source, '--to-source');
  param(r, a.goto, '-g');
  param(r, a.in_interface, '-i');
  param(r, a.out_interface, '-o');
  param(r, a.fragment, '-f');
  param(r, a.set_counters, '-c');
  param(r, a.source_port, '--source-port');
  param(r, a.destination_port, '--destination-port');
  param(r, a.to_ports, '--to-ports');
  param(r, a.set_dscp_mark, '--set-dscp');
  param(r, a.set_dscp_mark_class, '--set-dscp-class');
  if (a.syn === 'match') r.push('--syn');
  else if (a.syn === 'negate') r.push('!', '--syn');
  matchModule(r, a.ctstate, 'conntrack');
  if (a.ctstate.length) r.push('--ctstate', a.ctstate.join(','));
  if (a.src_range || a.dst_range) r.push('-m', 'iprange');
  param(r, a.src_range, '--src-range');
  param(r, a.dst_range, '--dst-range');
  if (a.match_set) {
    r.push('-m', 'set');
    param(r, a.match_set, '--match-set');
    if (a.match_set_flags) r.push(a.match_set_flags);
  }
  matchModule(r, a.limit, 'limit');
  param(r, a.limit, '--limit');
  param(r, a.limit_burst, '--limit-burst');
  matchModule(r, a.uid_owner ?? a.gid_owner, 'owner');
  param(r, a.uid_owner, '--uid-owner');
  param(r, a.gid_owner, '--gid-owner');
  param(r, a.reject_with, '--reject-with');
  if (a.icmp_type) param(r, a.icmp_type, a.ip_version === 'ipv6' ? '--icmpv6-type' : '--icmp-type');
  matchModule(r, a.comment, 'comment');
  param(r, a.comment, '--comment');
  return r;
}

const SCRIPT = String.raw`
command -v "$ipt" >/dev/null 2>&1 || fail "$ipt was not found on the node"
t=$(mktemp) || fail 'cannot create a temporary file'
trap 'rm -f "$t"' EXIT
ch=
do_() { [ -n "$a_check" ] || { "$ipt" -w -t "$a_table" "$@" > "$t" 2>&1 || fail "$ipt -t $a_table $*: $(cat "$t")"; }; ch=1; }
chain_exists() { "$ipt" -w -t "$a_table" -S "$a_chain" >/dev/null 2>&1; }
# The decisions of Ansible's iptables main(), in its order.
if [ -n "$a_flush" ]; then
  do_ -F $a_chain
elif [ -n "$a_policy" ]; then
  cur=$("$ipt" -w -t "$a_table" -S "$a_chain" 2>"$t" | sed -n 's/^-P [^ ]* //p') || true
  [ -n "$cur" ] || fail "Can't detect current policy: $(cat "$t")"
  [ "$cur" = "$a_policy" ] || do_ -P "$a_chain" "$a_policy"
elif [ "$a_state" = absent ] && [ -z "$a_rule" ]; then
  # No rule: the chain itself; deleted only with chain_management, reported either way.
  if chain_exists; then ch=1; [ -n "$a_chain_mgmt" ] && [ -z "$a_check" ] && { "$ipt" -w -t "$a_table" -X "$a_chain" > "$t" 2>&1 || fail "$(cat "$t")"; }; fi
else
  if eval "\"\$ipt\" -w -t \"\$a_table\" -C \"\$a_chain\" $a_rule" >/dev/null 2>&1; then present=1; else present=; fi
  if [ "$a_state" = present ] && [ -z "$present" ]; then
    if [ -n "$a_chain_mgmt" ] && ! chain_exists; then do_ -N "$a_chain"; fi
    if [ "$a_action" = insert ]; then eval "do_ -I \"\$a_chain\" $a_rulenum $a_rule"; else eval "do_ -A \"\$a_chain\" $a_rule"; fi
  elif [ "$a_state" = absent ] && [ -n "$present" ]; then
    eval "do_ -D \"\$a_chain\" $a_rule"
  fi
fi
printf '{"changed":%s}\n' "$( [ -n "$ch" ] && printf true || printf false )"
`;

export const iptablesModule: ModuleDefinition<Args> = {
  name: 'iptables',
  aliases: ['ansible.builtin.iptables', 'ansible.legacy.iptables'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const rule = constructRule(a);
    const ruleArgs = rule.filter((x, i) => !(i < 2 && a.wait && (x === '-w' || x === a.wait)));
    if (!a.chain && !a.flush) throw argError('iptables: chain is required (unless flush is set)');
    if (a.policy && a.flush) throw argError('iptables: policy and flush cannot be used together');
    if (a.rule_num && a.action !== 'insert') throw argError('iptables: rule_num needs action: insert');
    if (a.to_ports && !a.jump) ctx.warn('iptables: to_ports without jump (REDIRECT or MASQUERADE) has no effect');
    const ruleText = rule.join(' ');
    try {
      const out = await runNodeScript(
        ctx,
        shVars({
          ipt: a.ip_version === 'ipv6' ? 'ip6tables' : 'iptables',
          a_table: a.table,
          a_chain: a.chain ?? '',
          a_state: a.state,
          a_action: a.action,
          a_rulenum: a.rule_num ?? '',
          a_rule: ruleArgs.map(q).join(' '),
          a_flush: a.flush,
          a_policy: a.policy ?? '',
          a_chain_mgmt: a.chain_management,
          a_check: ctx.checkMode,
        }) + SCRIPT,
      );
      const j = out.json;
      if (j['failed']) return { failed: true, changed: false, msg: String(j['msg']) };
      return {
        changed: j['changed'] === true,
        chain: a.chain ?? null,
        flush: a.flush,
        ip_version: a.ip_version,
        rule: ruleText,
        state: a.state,
        table: a.table,
        ...(a.policy ? { policy: a.policy } : {}),
      };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};
