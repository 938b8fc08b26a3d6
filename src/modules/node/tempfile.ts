/**
 * tempfile: create a temporary file or directory on the node (ansible.builtin.tempfile).
 *
 * Arguments:
 * - state: file (default) | directory.          `state: directory`
 * - path: where (default the node's TMPDIR or /tmp).
 * - prefix (default "ansible."), suffix (default "").   `suffix: .conflist`
 *
 * Returns: path; changed is always true, as in Ansible. In check mode nothing is created and
 * path names where it would be.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { str } from './args.js';
import { moduleFailure, runNodeScript, shVars } from './script.js';

const schema = z
  .object({
    state: z.enum(['file', 'directory']).default('file'),
    path: str.optional(),
    prefix: str.default('ansible.'),
    suffix: str.default(''),
  })
  .strict();
type Args = z.infer<typeof schema>;

// BusyBox mktemp has no --suffix: create with the X's, then rename to add the suffix.
const SCRIPT = String.raw`
dir=${'$'}{a_path:-${'$'}{TMPDIR:-/tmp}}
[ -d "$dir" ] || fail "the directory $dir does not exist"
if [ -n "$a_check" ]; then printf '{"path":%s}\n' "$(js "$dir/${'$'}{a_prefix}XXXXXXXX$a_suffix")"; exit 0; fi
d=; [ "$a_state" = directory ] && d=-d
p=$(mktemp $d "$dir/${'$'}{a_prefix}XXXXXXXX" 2>&1) || fail "mktemp failed: $p"
if [ -n "$a_suffix" ]; then mv "$p" "$p$a_suffix" || fail "could not add the suffix to $p"; p="$p$a_suffix"; fi
# exit_json's add_path_info: the new path's owner, group, mode and size.
set -- $(stat -c '%u %g %a %s %U %G' "$p" 2>/dev/null)
printf '{"path":%s,"uid":%s,"gid":%s,"mode":"%s","size":%s,"owner":%s,"group":%s}\n' "$(js "$p")" "${'$'}{1:-0}" "${'$'}{2:-0}" "$3" "${'$'}{4:-0}" "$(js "$5")" "$(js "$6")"
`;

export const tempfileModule: ModuleDefinition<Args> = {
  name: 'tempfile',
  aliases: ['ansible.builtin.tempfile', 'ansible.legacy.tempfile'],
  runsOn: 'node',
  noCheckMode: 'named',
  schema,
  async run(ctx) {
    const a = ctx.args;
    try {
      const out = await runNodeScript(ctx, shVars({ a_state: a.state, a_path: a.path ?? '', a_prefix: a.prefix, a_suffix: a.suffix, a_check: ctx.checkMode }) + SCRIPT);
      if (out.json['failed']) return { failed: true, changed: false, msg: String(out.json['msg']) };
      const j = out.json;
      if (ctx.checkMode) return { changed: true, path: String(j['path']), state: a.state };
      const mode = String(j['mode'] ?? '');
      return { changed: true, path: String(j['path']), state: a.state, uid: Number(j['uid']), gid: Number(j['gid']), owner: String(j['owner']), group: String(j['group']), mode: `0${mode.padStart(3, '0')}`, size: Number(j['size']) };
    } catch (e) {
      return moduleFailure(e);
    }
  },
};
