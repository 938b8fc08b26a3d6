/**
 * sysctl: a kernel parameter in a sysctl file and, optionally, live (ansible.posix.sysctl).
 *
 * Arguments:
 * - name (alias key): the parameter, matched in the file as written.  `name: net.ipv4.ip_forward`
 * - value (alias val): wanted value (required with state present). `value: "1"`
 * - state: present (default) | absent (the line goes from the file).
 * - sysctl_file (default /etc/sysctl.conf), reload (default true: `sysctl -p FILE` when the file
 *   changed), sysctl_set (default false: also set the live value with `sysctl -w` when it differs),
 *   ignoreerrors (default false: `-e` for the reload).
 *
 * Returns: changed, decided as ansible.posix.sysctl decides: from the key's value in the file,
 * and from the live value when reload or sysctl_set ask for it. When the file must change it is
 * rewritten as Ansible rewrites it (lines stripped, each key once, `key=value`).
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, str } from './args.js';
import { argError, moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    name: str.optional(),
    key: str.optional(),
    value: str.optional(),
    val: str.optional(),
    state: z.enum(['present', 'absent']).default('present'),
    sysctl_file: str.default('/etc/sysctl.conf'),
    reload: bool.default(true),
    sysctl_set: bool.default(false),
    ignoreerrors: bool.default(false),
  })
  .strict();
type Args = z.infer<typeof schema>;

const SCRIPT = String.raw`
command -v sysctl >/dev/null 2>&1 || fail "sysctl was not found on the node"
f=$a_file
# The key's value in the file (its last line wins), "S" marking that it is there at all.
fv=; [ -f "$f" ] && fv=$(awk -v k="$a_key" '
  { l = $0; gsub(/^[ \t\r]+|[ \t\r]+$/, "", l) }
  l == "" || l ~ /^[#;]/ || index(l, "=") == 0 { next }
  { kk = substr(l, 1, index(l, "=") - 1); vv = substr(l, index(l, "=") + 1); gsub(/^[ \t]+|[ \t]+$/, "", kk); gsub(/^[ \t]+|[ \t]+$/, "", vv); if (kk == k) { found = 1; val = vv } }
  END { if (found) printf "S%s", val }' "$f")
proc=$(sysctl -e -n "$a_key" 2>/dev/null); proc_rc=$?
same_proc() { [ $proc_rc -eq 0 ] || return 1; set -- $proc; _p="$*"; set -- $a_value; [ "$_p" = "$*" ]; }
ch=; wf=; sp=
if [ -z "$fv" ] && [ "$a_state" = present ]; then ch=1; wf=1
elif [ -z "$fv" ]; then :
elif [ "$a_state" = absent ]; then ch=1; wf=1
elif [ "${'$'}{fv#S}" != "$a_value" ]; then ch=1; wf=1
elif [ -n "$a_reload" ] && ! same_proc; then ch=1
fi
if [ -n "$a_set" ] && [ "$a_state" = present ] && ! same_proc; then ch=1; [ $proc_rc -eq 0 ] && sp=1; fi
if [ -z "$a_check" ]; then
  if [ -n "$sp" ]; then out=$(sysctl -w "$a_key=$a_value" 2>&1) || fail "setting $a_key failed: $out"; fi
  if [ -n "$wf" ]; then
    # Ansible's fix_lines: every line stripped, each key once (its first place), key=value.
    t=$(mktemp "$(dirname "$f")/.philote_sysctl.XXXXXX") || fail "could not write next to $f"
    { [ -f "$f" ] && cat "$f"; } | awk -v k="$a_key" -v v="$a_value" -v st="$a_state" '
      { l = $0; gsub(/^[ \t\r]+|[ \t\r]+$/, "", l) }
      l == "" || l ~ /^[#;]/ || index(l, "=") == 0 { print l; next }
      { kk = substr(l, 1, index(l, "=") - 1); vv = substr(l, index(l, "=") + 1); gsub(/^[ \t]+|[ \t]+$/, "", kk); gsub(/^[ \t]+|[ \t]+$/, "", vv) }
      kk in seen { next }
      { seen[kk] = 1; if (kk == k) { if (st == "present") print k "=" v } else print kk "=" vv }
      END { if (!(k in seen) && st == "present") print k "=" v }' > "$t"
    chmod 644 "$t"; mv -f "$t" "$f" || { rm -f "$t"; fail "could not replace $f"; }
  fi
  if [ -n "$ch" ] && [ -n "$a_reload" ]; then
    out=$(sysctl $a_e -p "$f" 2>&1) || fail "Failed to reload sysctl: $out"
  fi
fi
printf '{"changed":%s}\n' "$( [ -n "$ch" ] && printf true || printf false )"
`;

export const sysctlModule: ModuleDefinition<Args> = {
  name: 'sysctl',
  aliases: ['ansible.posix.sysctl', 'ansible.builtin.sysctl'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    // As Ansible: the key is matched in the file as written (slashes are not turned into dots).
    const key = (a.name ?? a.key)?.trim();
    const value = a.value ?? a.val;
    if (!key) throw argError('sysctl: name is required');
    if (a.state === 'present' && value === undefined) throw argError('sysctl: value is required with state present');
    try {
      const out = await runNodeScript(
        ctx,
        shVars({
          a_key: key,
          a_value: (value ?? '').trim(),
          a_state: a.state,
          a_file: a.sysctl_file,
          a_reload: a.reload,
          a_set: a.sysctl_set,
          a_e: a.ignoreerrors ? '-e' : '',
          a_check: ctx.checkMode,
        }) + SCRIPT,
      );
      if (out.json['failed']) return { failed: true, changed: false, msg: String(out.json['msg']) };
      return { changed: out.json['changed'] === true };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};
