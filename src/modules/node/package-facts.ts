/**
 * package_facts: the node's installed packages as ansible_facts.packages (ansible.builtin.package_facts).
 *
 * Arguments: manager (list, default [auto]): apt, rpm, or auto (the first available, as Ansible
 * tries them); strategy: first (default) or all.
 *
 * Returns ansible_facts.packages: {name: [{name, version, arch, category, origin, source}]} for apt
 * (read from dpkg's database with dpkg-query: installed packages, one entry per architecture), and
 * {name: [{name, version, release, epoch, arch, source: rpm}]} for rpm. No Python on the node.
 * Divergence: apt's `origin` (the repository's Origin of the installed version, from python3-apt's
 * cache) is the empty string here, since it needs the apt cache; `category` is dpkg's Section.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { strList } from './args.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    manager: strList.default(['auto']),
    strategy: z.enum(['first', 'all']).default('first'),
  })
  .strict();
type Args = z.infer<typeof schema>;

const KNOWN = ['apt', 'rpm'];

/** Prints one JSON line per manager that answered: {"m":"apt","p":[[name, version, arch, section], ...]}. */
const SCRIPT = String.raw`
found=0
for m in $a_managers; do
  [ "$a_strategy" = first ] && [ "$found" -gt 0 ] && break
  case $m in
    apt)
      command -v dpkg-query >/dev/null 2>&1 || continue
      found=$((found + 1))
      dpkg-query -W -f='${'$'}{db:Status-Abbrev}\t${'$'}{Package}\t${'$'}{Version}\t${'$'}{Architecture}\t${'$'}{Section}\n' 2>/dev/null |
        awk -F '\t' 'function j(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
          BEGIN { printf "{\"m\":\"apt\",\"p\":[" } $1 ~ /^.i/ { printf "%s[%s,%s,%s,%s]", (n++ ? "," : ""), j($2), j($3), j($4), j($5) } END { print "]}" }' ;;
    rpm)
      command -v rpm >/dev/null 2>&1 || continue
      found=$((found + 1))
      rpm -qa --queryformat '%{NAME}\t%{VERSION}\t%{RELEASE}\t%{EPOCH}\t%{ARCH}\n' 2>/dev/null |
        awk -F '\t' 'function j(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
          BEGIN { printf "{\"m\":\"rpm\",\"p\":[" } { printf "%s[%s,%s,%s,%s,%s]", (n++ ? "," : ""), j($1), j($2), j($3), j($4), j($5) } END { print "]}" }' ;;
  esac
done
printf '{"found":%s}\n' "$found"
`;

export const packageFactsModule: ModuleDefinition<Args> = {
  name: 'package_facts',
  aliases: ['ansible.builtin.package_facts', 'ansible.legacy.package_facts'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const asked = ctx.args.manager.map((m) => m.toLowerCase());
    const unsupported = asked.filter((m) => m !== 'auto' && !KNOWN.includes(m));
    if (unsupported.length) return { failed: true, changed: false, msg: `Unsupported package managers requested: ${unsupported.join(', ')}` };
    const managers = [...new Set(asked.flatMap((m) => (m === 'auto' ? KNOWN : [m])))];
    let out;
    try {
      out = await runNodeScript(ctx, shVars({ a_managers: managers.join(' '), a_strategy: ctx.args.strategy }) + SCRIPT);
    } catch (e) {
      return moduleFailure(e);
    }
    // The first JSON line is the first manager's list (or the "found" line); the rest follow in `tail`.
    const lines = [JSON.stringify(out.json), ...(out.tail ?? '').split('\n')].filter((l) => l.trim());
    const packages: Record<string, Record<string, unknown>[]> = {};
    let found = 0;
    for (const line of lines) {
      const j = JSON.parse(line) as { m?: string; p?: string[][]; found?: number };
      if (j.found !== undefined) found = j.found;
      for (const p of j.p ?? []) {
        const entry =
          j.m === 'apt'
            ? { name: p[0], version: p[1], arch: p[2], category: p[3], origin: '', source: 'apt' }
            : { name: p[0], version: p[1], release: p[2], epoch: p[3] === '(none)' ? null : Number(p[3]), arch: p[4], source: 'rpm' };
        (packages[p[0]!] ??= []).push(entry);
      }
    }
    if (!found) {
      return { failed: true, changed: false, msg: `Could not detect a supported package manager from the following list: ${JSON.stringify(managers).replace(/"/g, "'")}, or the required Python library is not installed. Check warnings for details.` };
    }
    return { changed: false, ansible_facts: { packages } };
  },
};
