/**
 * ufw (community.general.ufw): rules, default policies, logging and the firewall's state through
 * the node's `ufw`, with the command line built as the Ansible module builds it and "changed"
 * decided the same way: `ufw status verbose` and the `### tuple` lines of the user rules files,
 * before and after. Check mode runs `ufw --dry-run`.
 *
 * Arguments:
 * - rule: allow | deny | reject | limit, with: from_ip (aliases from, src; default any), from_port,
 *   to_ip (aliases to, dest; default any), to_port (alias port), proto (alias protocol),
 *   direction (in, out, incoming, outgoing, routed), interface (alias if), interface_in,
 *   interface_out, log, comment, name (alias app), insert, route, delete.
 *   `rule: allow` `port: "179"` `proto: tcp`
 * - state: enabled | disabled | reloaded | reset.                    `state: enabled`
 * - default (alias policy): allow | deny | reject, with direction.   `default: deny` `direction: incoming`
 * - logging: on | off | low | medium | high | full.
 *
 * Returns: changed, commands (the ufw command lines run), msg (`ufw status verbose` afterwards).
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, int, str } from '../node/args.js';
import { argError, moduleFailure, q, runNodeScript, shVars } from '../node/script.js';

const schema = z
  .object({
    state: z.enum(['enabled', 'disabled', 'reloaded', 'reset']).optional(),
    default: z.enum(['allow', 'deny', 'reject']).optional(),
    policy: z.enum(['allow', 'deny', 'reject']).optional(),
    logging: z.union([z.enum(['on', 'off', 'low', 'medium', 'high', 'full']), z.boolean().transform((b) => (b ? 'on' : 'off'))]).optional(),
    direction: z.enum(['in', 'incoming', 'out', 'outgoing', 'routed']).optional(),
    delete: bool.default(false),
    route: bool.default(false),
    insert: int.optional(),
    insert_relative_to: z.enum(['first-ipv4', 'first-ipv6', 'last-ipv4', 'last-ipv6', 'zero']).default('zero'),
    rule: z.enum(['allow', 'deny', 'limit', 'reject']).optional(),
    interface: str.optional(),
    if: str.optional(),
    interface_in: str.optional(),
    interface_out: str.optional(),
    log: bool.default(false),
    from_ip: str.optional(),
    from: str.optional(),
    src: str.optional(),
    from_port: str.optional(),
    to_ip: str.optional(),
    to: str.optional(),
    dest: str.optional(),
    to_port: str.optional(),
    port: str.optional(),
    proto: z.enum(['any', 'tcp', 'udp', 'ipv6', 'esp', 'ah', 'gre', 'igmp']).optional(),
    protocol: z.enum(['any', 'tcp', 'udp', 'ipv6', 'esp', 'ah', 'gre', 'igmp']).optional(),
    name: str.optional(),
    app: str.optional(),
    comment: str.optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

/** The ufw argument words of one command, as community.general.ufw joins them. */
export function ufwCommands(a: Args): string[][] {
  const cmds: string[][] = [];
  if (a.state) {
    const verb = { enabled: ['--force', 'enable'], disabled: ['disable'], reloaded: ['reload'], reset: ['--force', 'reset'] }[a.state];
    cmds.push(verb);
  }
  const policy = a.default ?? a.policy;
  if (policy) cmds.push(['default', policy, ...(a.direction ? [a.direction] : [])]);
  if (a.rule) {
    const c: string[] = [];
    if (a.route) c.push('route');
    if (a.delete) c.push('delete');
    if (a.insert !== undefined && !a.delete) c.push('insert', String(a.insert));
    c.push(a.rule);
    if (a.direction) c.push(a.direction);
    const iface = a.interface ?? a.if;
    if (iface) c.push('on', iface);
    if (a.interface_in) c.push('in', 'on', a.interface_in);
    if (a.interface_out) c.push('out', 'on', a.interface_out);
    if (a.log) c.push('log');
    const fromIp = a.from_ip ?? a.from ?? a.src ?? 'any';
    const toIp = a.to_ip ?? a.to ?? a.dest ?? 'any';
    const toPort = a.to_port ?? a.port;
    const proto = a.proto ?? a.protocol;
    c.push('from', fromIp);
    if (a.from_port) c.push('port', a.from_port);
    c.push('to', toIp);
    if (toPort) c.push('port', toPort);
    if (proto) c.push('proto', proto);
    const app = a.name ?? a.app;
    if (app) c.push('app', app);
    if (a.comment) c.push('comment', a.comment);
    cmds.push(c);
  }
  if (a.logging) cmds.push(['logging', a.logging]);
  return cmds;
}

/**
 * The node side: the state before (status + rule tuples), then each command (with --dry-run in
 * check mode, its output kept), then the state after. The decisions are made in TypeScript,
 * as community.general.ufw makes them.
 */
const SCRIPT = String.raw`
command -v ufw >/dev/null 2>&1 || fail "ufw was not found on the node: install it, or use the iptables module (cni_firewall_backend: iptables)"
export LANG=C
d=$(mktemp -d) || fail 'cannot create a temporary directory'
trap 'rm -rf "$d"' EXIT
rules() { grep -h '^### tuple' /lib/ufw/user.rules /lib/ufw/user6.rules /etc/ufw/user.rules /etc/ufw/user6.rules /var/lib/ufw/user.rules /var/lib/ufw/user6.rules 2>/dev/null; }
ufw status verbose > "$d/pre_state" 2>&1 || fail "ufw status: $(cat "$d/pre_state")"
rules > "$d/pre_rules"
blob pre_state "$d/pre_state"; blob pre_rules "$d/pre_rules"
i=0
while IFS= read -r c; do
  [ -n "$c" ] || continue
  i=$((i + 1))
  if [ -n "$a_check" ]; then
    case "$c" in rule\ *) ;; *) continue ;; esac
    eval "ufw --dry-run ${'$'}{c#rule }" > "$d/out$i" 2>&1 || fail "ufw --dry-run ${'$'}{c#rule }: $(cat "$d/out$i")"
    blob "out$i" "$d/out$i"
  else
    eval "ufw ${'$'}{c#rule }" > "$d/out$i" 2>&1 || fail "ufw ${'$'}{c#rule }: $(cat "$d/out$i")"
  fi
done <<EOF_CMDS
$a_cmds
EOF_CMDS
ufw status verbose > "$d/post_state" 2>&1; rules > "$d/post_rules"
blob post_state "$d/post_state"; blob post_rules "$d/post_rules"
emit '"ran":true'
`;

const IPV4 = /((25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])\.){3,3}(25[0-5]|(2[0-4]|1{0,1}[0-9]){0,1}[0-9])/;
const IPV6_START = /^[0-9a-fA-F]{0,4}:[0-9a-fA-F:]*/;
const linesMatching = (re: RegExp, text: string) => text.split(/(?<=\n)/).filter((l) => re.test(l)).join('');

/** community.general.ufw's check-mode answer for one kind of command, from the state before. */
function wouldChange(kind: string, a: Args, preState: string, preRules: string, dry: string | undefined): boolean {
  if (kind === 'state') {
    if (a.state === 'reloaded' || a.state === 'reset') return true;
    const active = preState.includes(' active');
    return (a.state === 'disabled' && active) || (a.state === 'enabled' && !active);
  }
  if (kind === 'logging') {
    const m = /Logging: (on|off)(?: \(([a-z]+)\))?/.exec(preState);
    if (!m) return true;
    if (a.logging !== 'off') return m[1] === 'off' || (a.logging !== 'on' && a.logging !== m[2]);
    return m[1] !== 'off';
  }
  if (kind === 'default') {
    const m = /Default: (deny|allow|reject) \(incoming\), (deny|allow|reject) \(outgoing\), (deny|allow|reject|disabled) \(routed\)/.exec(preState);
    if (!m) return true;
    const dir = a.direction ?? 'incoming';
    const cur = dir === 'outgoing' ? m[2] : dir === 'routed' ? m[3] : m[1];
    return cur !== (a.default ?? a.policy) && cur !== 'disabled';
  }
  const out = dry ?? '';
  const lines = out.split(/(?<=\n)/).filter((l) => l !== '');
  const skipping = lines.filter((l) => l.includes('Skipping')).length;
  if (skipping > 0 && skipping === lines.length) return false;
  const dryRules = lines.filter((l) => l.startsWith('### tuple')).join('');
  const from = a.from_ip ?? a.from ?? a.src ?? 'any';
  const to = a.to_ip ?? a.to ?? a.dest ?? 'any';
  if (IPV4.exec(from)?.index === 0 || IPV4.exec(to)?.index === 0) return linesMatching(IPV4, preRules) !== linesMatching(IPV4, dryRules);
  if (IPV6_START.test(from) && from.includes(':') || IPV6_START.test(to) && to.includes(':')) {
    return linesMatching(/:[0-9a-fA-F]*:/, preRules) !== linesMatching(/:[0-9a-fA-F]*:/, dryRules);
  }
  return preRules !== dryRules;
}

export const ufwModule: ModuleDefinition<Args> = {
  name: 'ufw',
  aliases: ['community.general.ufw', 'community.general.system.ufw'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (a.default && a.policy) throw argError('ufw: default and policy are the same argument; give only one');
    if (!a.state && !(a.default ?? a.policy) && !a.logging && !a.rule) {
      throw argError('ufw: one of the following is required: state, default, logging, rule');
    }
    if (a.delete && a.insert !== undefined) throw argError('ufw: delete and insert cannot be used together');
    if ((a.name ?? a.app) && (a.proto ?? a.protocol)) throw argError("ufw: name (an application profile) and proto cannot be used together");
    if (a.interface && !a.direction) throw argError('ufw: interface needs direction (in or out)');
    if (a.rule && a.direction && !['in', 'out'].includes(a.direction)) throw argError('ufw: for rules, direction must be one of "in" and "out", or direction must not be specified');
    if ((a.default ?? a.policy) && a.direction && !['incoming', 'outgoing', 'routed'].includes(a.direction)) {
      throw argError('ufw: for default, direction must be one of "outgoing", "incoming" and "routed", or direction must not be specified');
    }
    const cmds = ufwCommands(a);
    const kinds = cmds.map((c) => (c[0] === 'default' ? 'default' : c[0] === 'logging' ? 'logging' : a.state && (c.includes('enable') || c.includes('disable') || c.includes('reload') || c.includes('reset')) && c.length <= 2 ? 'state' : 'rule'));
    const lines = cmds.map((c, i) => (kinds[i] === 'rule' ? 'rule ' : '') + c.map(q).join(' '));
    const commands = cmds.map((c) => `ufw ${ctx.checkMode ? '--dry-run ' : ''}${c.join(' ')}`);
    try {
      const out = await runNodeScript(ctx, shVars({ a_cmds: lines.join('\n'), a_check: ctx.checkMode }) + SCRIPT);
      const j = out.json;
      if (j['failed']) return { failed: true, changed: false, msg: String(j['msg']), commands };
      const text = (name: string) => (out.blobs[name] ?? Buffer.alloc(0)).toString('utf8');
      const preState = text('pre_state');
      const preRules = text('pre_rules');
      if (ctx.checkMode) {
        let ruleIndex = 0;
        const changed = kinds.some((k, i) => {
          if (k === 'rule') ruleIndex = i + 1;
          return wouldChange(k, a, preState, preRules, k === 'rule' ? text(`out${ruleIndex}`) : undefined);
        });
        return { changed, commands };
      }
      // As community.general.ufw: reload/reset always count, logging is judged from the status
      // before (even when ufw is inactive and the status shows no logging line), the rest by
      // comparing status and rule tuples before and after.
      const forced = a.state === 'reloaded' || a.state === 'reset' || (a.logging !== undefined && wouldChange('logging', a, preState, preRules, undefined));
      const changed = forced || preState !== text('post_state') || preRules !== text('post_rules');
      return { changed, commands, msg: text('post_state').trimEnd() };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};
