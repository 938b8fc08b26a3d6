/**
 * snap (community.general.snap): snaps with the node's `snap` command, as the collection module
 * does it: `snap list NAME` says installed and (its Notes column) disabled; present installs the
 * missing ones (one command, or one per snap when classic or a channel other than stable is
 * asked and there are several), absent removes, enabled/disabled switch; options (`key=value` or
 * `snap:key=value`) are compared with `snap get -d` and set with `snap set` when they differ.
 *
 * Arguments: name (required list), state present|absent|enabled|disabled, classic, channel
 * (stable), options. Returns: changed, snaps_installed / snaps_removed / snaps_enabled /
 * snaps_disabled, options_changed, classic and channel (present), cmd, rc/stdout/stderr of the
 * last command. Check mode runs the reads only. Two round trips: read, then change.
 */
import { z } from 'zod';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../types.js';
import { bool, str, strList } from './args.js';
import { NEED_BIN } from './bin-path.js';
import { moduleFailure, q, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    name: strList,
    state: str.default('present'),
    classic: bool.default(false),
    channel: str.default('stable'),
    options: strList.optional(),
  })
  .strict();
type Args = z.infer<typeof schema>;

const STATES = ['absent', 'present', 'enabled', 'disabled'];

/** Per snap: installed, disabled, and its configuration as `snap get -d` prints it (a blob). */
const READ = String.raw`
need_bin snap
export LANG=C LC_ALL=C
d=$(mktemp -d) || fail 'cannot create a temporary directory'
trap 'rm -rf "$d"' EXIT
st=; i=0
for s in "$@"; do
  i=$((i + 1))
  if snap list "$s" > "$d/l" 2>/dev/null; then
    n=$(sed -n 2p "$d/l" | awk '{ print $6 }')
    case ",$n," in *,disabled,*) st="$st${'$'}{st:+,}[1,0]" ;; *) st="$st${'$'}{st:+,}[1,1]" ;; esac
    if [ -n "$a_opts" ]; then snap get -d "$s" > "$d/g$i" 2>/dev/null || : > "$d/g$i"; else : > "$d/g$i"; fi
  else st="$st${'$'}{st:+,}[0,0]"; : > "$d/g$i"; fi
  blob "g$i" "$d/g$i"
done
emit "\"snaps\":[$st]"
`;

/** Each command given (already quoted) in turn; the cmd line, the first non-zero rc, all output joined. */
const CHANGE = String.raw`
export LANG=C LC_ALL=C
d=$(mktemp -d) || fail 'cannot create a temporary directory'
trap 'rm -rf "$d"' EXIT
rc=0; : > "$d/o"; : > "$d/e"; k=0
for c in "$@"; do
  k=$((k + 1))
  [ $k -gt 1 ] && { printf '\n' >> "$d/o"; printf '\n' >> "$d/e"; }
  eval "$c" >> "$d/o" 2>> "$d/e"; r=$?
  [ "$rc" = 0 ] && rc=$r
done
blob o "$d/o"; blob e "$d/e"
emit "\"rc\":$rc"
`;

/** `snap get -d` JSON flattened to dotted keys with string values, as the module compares them. */
function flatten(v: unknown, prefix?: string, into: Record<string, string> = {}): Record<string, string> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return into;
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    const key = prefix === undefined ? k : `${prefix}.${k}`;
    if (typeof val === 'string' || typeof val === 'number') into[key] = String(val);
    else if (typeof val === 'boolean') into[key] = val ? 'True' : 'False';
    else flatten(val, key, into);
  }
  return into;
}

async function change(ctx: ModuleContext<Args>, commands: string[][]): Promise<{ cmd: string; rc: number; stdout: string; stderr: string }> {
  const lines = commands.map((c) => c.map((w) => q(w)).join(' '));
  const out = await runNodeScript(ctx, `set -- ${lines.map((l) => q(l)).join(' ')}\n${CHANGE}`);
  if (out.json['failed']) throw new Error(String(out.json['msg']));
  return { cmd: commands.map((c) => c.join(' ')).join('; '), rc: Number(out.json['rc']), stdout: (out.blobs['o'] ?? Buffer.alloc(0)).toString('utf8'), stderr: (out.blobs['e'] ?? Buffer.alloc(0)).toString('utf8') };
}

export const snapModule: ModuleDefinition<Args> = {
  name: 'snap',
  aliases: ['community.general.snap', 'community.general.packaging.os.snap'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (!STATES.includes(a.state)) return { failed: true, changed: false, msg: `value of state must be one of: ${STATES.join(', ')}, got: ${a.state}` };
    const names = a.name;
    try {
      const read = await runNodeScript(ctx, NEED_BIN + shVars({ a_opts: a.options?.length ? 'yes' : '' }) + `set -- ${names.map((n) => q(n)).join(' ')}\n` + READ);
      if (read.json['failed']) return { failed: true, changed: false, msg: String(read.json['msg']) };
      const states = read.json['snaps'] as [number, number][];
      const installed = (i: number) => states[i]?.[0] === 1;
      const enabled = (i: number) => states[i]?.[1] === 1;
      const result: ModuleResult = { changed: false };
      const raise = (msg: string): ModuleResult => ({ ...result, failed: true, changed: false, msg });
      const flags = [...(a.classic ? ['--classic'] : []), ...(a.channel === 'stable' ? [] : ['--channel', a.channel])];
      const run = async (list: string[][], what: string): Promise<ModuleResult | undefined> => {
        const r = await change(ctx, list);
        Object.assign(result, { cmd: r.cmd, rc: r.rc, stdout: r.stdout, stderr: r.stderr });
        if (r.rc === 0) return undefined;
        const classicErr = /^error: This revision of snap "(\w+)" was published using classic confinement/.exec(r.stderr);
        if (what === 'installation' && classicErr) return raise(`Couldn't install ${classicErr[1]} because it requires classic confinement`);
        return raise(`Ooops! Snap ${what} failed while executing '${r.cmd}', please examine logs and error output for more details.`);
      };
      const pick = (test: (i: number) => boolean) => names.filter((_, i) => test(i));
      if (a.state === 'present') {
        Object.assign(result, { classic: a.classic, channel: a.channel });
        const todo = pick((i) => !installed(i));
        if (todo.length) {
          result.changed = true;
          result['snaps_installed'] = todo;
          if (!ctx.checkMode) {
            const each = flags.length > 0 && todo.length > 1;
            const failed = await run(each ? todo.map((s) => ['snap', 'install', ...flags, s]) : [['snap', 'install', ...flags, ...todo]], 'installation');
            if (failed) return failed;
          }
        }
        if (a.options) {
          const changedAll: string[] = [];
          for (const [i, snap] of names.entries()) {
            // A snap installed just now was not read: its options are compared with an empty configuration.
            if (!installed(i) && !(result['snaps_installed'] && !ctx.checkMode)) continue;
            const raw = (read.blobs[`g${i + 1}`] ?? Buffer.alloc(0)).toString('utf8');
            let current: Record<string, string> = {};
            if (raw.trim() && !raw.includes('has no configuration')) {
              try {
                current = flatten(JSON.parse(raw));
              } catch (e) {
                return raise(`Parsing option map returned by 'snap get ${snap}' triggers exception '${(e as Error).message}', output:\n'${raw}'`);
              }
            }
            const mine: string[] = [];
            for (const opt of a.options) {
              const m = /^(\S+:)?(\S+)\s*=\s*(.+)$/.exec(opt);
              if (!m) return raise(`Cannot parse set option '${opt}'`);
              const target = m[1]?.slice(0, -1);
              if (target !== undefined && !names.includes(target)) return raise(`Snap option '${opt}' refers to snap which is not in the list of snap names`);
              if (target !== undefined && target !== snap) continue;
              const value = m[3]!.trim();
              if (current[m[2]!] !== value) {
                mine.push(`${m[2]}=${value}`);
                changedAll.push(target !== undefined ? opt : `${snap}:${opt}`);
              }
            }
            if (mine.length) {
              result.changed = true;
              if (!ctx.checkMode) {
                const r = await change(ctx, [['snap', 'set', snap, ...mine]]);
                Object.assign(result, { rc: r.rc, stdout: r.stdout, stderr: r.stderr });
                if (r.rc !== 0) {
                  if (r.stderr.includes('has no "configure" hook')) return raise(`Snap '${snap}' does not have any configurable options`);
                  return raise(`Cannot set options '${mine.join(' ')}' for snap '${snap}': error=${r.stderr}`);
                }
              }
            }
          }
          if (changedAll.length) result['options_changed'] = changedAll;
        }
        return result;
      }
      const spec = {
        absent: { test: installed, key: 'snaps_removed', verb: 'remove' },
        enabled: { test: (i: number) => installed(i) && !enabled(i), key: 'snaps_enabled', verb: 'enable' },
        disabled: { test: (i: number) => installed(i) && enabled(i), key: 'snaps_disabled', verb: 'disable' },
      }[a.state as 'absent' | 'enabled' | 'disabled'];
      const todo = pick(spec.test);
      if (!todo.length) return result;
      result.changed = true;
      result[spec.key] = todo;
      if (!ctx.checkMode) {
        const failed = await run([['snap', spec.verb, ...todo]], 'operation');
        if (failed) return failed;
      }
      return result;
    } catch (e) {
      return moduleFailure(e);
    }
  },
};
