/**
 * iptables_chains (philote): remove every chain whose name matches a pattern, in the chosen
 * tables and IP versions, the way a CNI cleanup needs it: first delete the rules in OTHER chains
 * (built-in ones included) that jump or goto into a matching chain, then flush the matching
 * chains, then delete them. One exec for everything.
 *
 * Arguments:
 * - patterns (alias chains, required): shell globs on chain names.   `patterns: ['cali-*', 'KUBE-*']`
 * - tables: any of filter, nat, mangle, raw, security (default the first four).  `tables: [filter, nat]`
 * - ip_versions: list of ipv4, ipv6 (default both; a missing ip6tables is skipped).  `ip_versions: [ipv4]`
 *   (`ip_version: ipv4 | ipv6 | both` is accepted too.)
 * - state: absent (the only state: the chains go).                   `state: absent`
 * - backend: auto (the node's `iptables`), legacy or nft.            `backend: legacy`
 *
 * Returns: chains (["ipv4/filter/cali-FORWARD", ...], as the Ansible twin in playbooks/library),
 * chain_rules (list of {ip_version, table, chain, rules}), chains_removed (count),
 * rules_removed (rules inside the removed chains plus jump rules removed elsewhere),
 * jumps_removed; changed when anything was removed. Check mode lists what would go.
 * "no matching chains" in msg when there is nothing to do.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { strList } from '../node/args.js';
import { argError, moduleFailure, runNodeScript, shVars } from '../node/script.js';

const TABLES = ['filter', 'nat', 'mangle', 'raw', 'security'] as const;
const schema = z
  .object({
    patterns: strList.optional(),
    chains: strList.optional(),
    tables: z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v), z.array(z.enum(TABLES))).default(['filter', 'nat', 'mangle', 'raw']),
    ip_version: z.enum(['ipv4', 'ipv6', 'both']).optional(),
    ip_versions: z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()) : v), z.array(z.enum(['ipv4', 'ipv6']))).optional(),
    state: z.enum(['absent']).default('absent'),
    backend: z.enum(['auto', 'legacy', 'nft']).default('auto'),
  })
  .strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
matches() { for _pat in $a_patterns; do case "$1" in $_pat) return 0 ;; esac; done; return 1; }
out=; nch=0; nrules=0; njumps=0
set -f
for v in $a_versions; do
  if [ "$v" = ipv4 ]; then ipt=iptables; else ipt=ip6tables; fi
  [ -n "$a_backend" ] && ipt="$ipt-$a_backend"
  if ! command -v "$ipt" >/dev/null 2>&1; then [ "$v" = ipv4 ] && fail "$ipt not found on the node"; continue; fi
  for tb in $a_tables; do
    rules=$("$ipt" -w -t "$tb" -S 2>/dev/null) || continue
    chains=$(printf '%s\n' "$rules" | awk '$1 == "-N" { print $2 }')
    found=
    for c in $chains; do matches "$c" && found="$found $c"; done
    [ -z "$found" ] && continue
    # 1. rules in non-matching chains that jump/goto into a matching chain
    printf '%s\n' "$rules" | while IFS= read -r line; do
      case "$line" in "-A "*) ;; *) continue ;; esac
      set -- $line
      src=$2; tgt=
      while [ $# -gt 0 ]; do case "$1" in -j|-g|--jump|--goto) tgt=$2; break ;; esac; shift; done
      [ -z "$tgt" ] && continue
      matches "$src" && continue
      matches "$tgt" || continue
      echo "$line"
    done > "$t/jumps"
    nj=$(wc -l < "$t/jumps" | tr -d ' ')
    njumps=$((njumps + nj)); nrules=$((nrules + nj))
    if [ -z "$a_check" ]; then
      while IFS= read -r line; do eval "\"\$ipt\" -w -t \"\$tb\" -D ${'$'}{line#-A }" 2>>"$t/err" || fail "deleting rule '$line' in $tb: $(cat "$t/err")"; done < "$t/jumps"
    fi
    # 2. flush, 3. delete
    for c in $found; do
      n=$(printf '%s\n' "$rules" | awk -v c="$c" '$1 == "-A" && $2 == c' | wc -l | tr -d ' ')
      nrules=$((nrules + n)); nch=$((nch + 1))
      out="$out$( [ -n "$out" ] && printf ,){\"ip_version\":\"$v\",\"table\":\"$tb\",\"chain\":$(js "$c"),\"rules\":$n}"
      [ -z "$a_check" ] && { "$ipt" -w -t "$tb" -F "$c" 2>>"$t/err" || fail "flushing $c in $tb: $(cat "$t/err")"; }
    done
    if [ -z "$a_check" ]; then for c in $found; do "$ipt" -w -t "$tb" -X "$c" 2>>"$t/err" || fail "deleting chain $c in $tb: $(cat "$t/err")"; done; fi
  done
done
printf '{"chains":[%s],"chains_removed":%s,"rules_removed":%s,"jumps_removed":%s}\n' "$out" "$nch" "$nrules" "$njumps"
`;

export const iptablesChainsModule: ModuleDefinition<Args> = {
  name: 'iptables_chains',
  aliases: ['philote.iptables_chains', 'philote.net.iptables_chains'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const patterns = a.patterns ?? a.chains;
    if (!patterns || patterns.length === 0) throw argError('iptables_chains: patterns is required (for example [cali-*])');
    if (a.patterns && a.chains) throw argError('iptables_chains: patterns and chains are the same argument; give only one');
    for (const p of patterns) if (/\s/.test(p)) throw argError(`iptables_chains: pattern '${p}' must not contain spaces`);
    if (a.ip_version && a.ip_versions) throw argError('iptables_chains: ip_version and ip_versions say the same thing; give only one');
    const versions = a.ip_versions ?? (a.ip_version && a.ip_version !== 'both' ? [a.ip_version] : ['ipv4', 'ipv6']);
    const vars = {
      a_patterns: patterns.join(' '),
      a_tables: a.tables.join(' '),
      a_versions: versions.join(' '),
      a_backend: a.backend === 'auto' ? '' : a.backend,
      a_check: ctx.checkMode,
    };
    let out;
    try {
      out = await runNodeScript(ctx, shVars(vars) + 't=$(mktemp -d) || fail "cannot create a temporary directory"\ntrap \'rm -rf "$t"\' EXIT\n' + SCRIPT);
    } catch (e) {
      return moduleFailure(e);
    }
    const j = out.json;
    if (j['failed']) return { failed: true, changed: false, msg: j['msg'] as string };
    const n = j['chains_removed'] as number;
    const details = j['chains'] as { ip_version: string; table: string; chain: string }[];
    return {
      changed: n > 0,
      ...j,
      chains: details.map((c) => `${c.ip_version}/${c.table}/${c.chain}`),
      chain_rules: details,
      msg: n === 0 ? 'no matching chains' : `${ctx.checkMode ? 'would remove' : 'removed'} ${n} chains and ${j['rules_removed']} rules`,
    };
  },
};
