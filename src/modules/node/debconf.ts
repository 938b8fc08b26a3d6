/**
 * debconf: read or preseed a package's debconf answers on the node (ansible.builtin.debconf).
 *
 * Arguments:
 * - name (alias pkg, required): the package.                          `name: tzdata`
 * - question (selection, setting), vtype, value (answer): given together, preseed one answer.
 * - unseen: mark the question unseen (debconf-set-selections -u).
 *
 * Returns: current (the package's answers, or {question: value} after a change), previous,
 * msg; diff with --diff. The answer goes to debconf-set-selections on stdin, never in argv.
 * Check mode reports the change without making it.
 */
import { z } from 'zod';
import type { ModuleDefinition, ModuleResult } from '../types.js';
import { bool, str } from './args.js';
import { NEED_BIN } from './bin-path.js';
import { argError, moduleFailure, runNodeScript, shVars } from './script.js';

const VTYPES = ['boolean', 'error', 'multiselect', 'note', 'password', 'seen', 'select', 'string', 'text', 'title'] as const;

const schema = z
  .object({
    name: str.optional(),
    pkg: str.optional(),
    question: str.optional(),
    selection: str.optional(),
    setting: str.optional(),
    vtype: z.enum(VTYPES).optional(),
    value: str.optional(),
    answer: str.optional(),
    unseen: bool.default(false),
  })
  .strict();
type Args = z.infer<typeof schema>;

const SHOW =
  NEED_BIN +
  String.raw`
need_bin debconf-show
t=$(mktemp) || fail "cannot create a temporary file"
trap 'rm -f "$t" "$t.e"' EXIT
"$bin" "$a_pkg" > "$t" 2> "$t.e"
rc=$?
blob out "$t"
blob err "$t.e"
emit "\"rc\":$rc"
`;

const SET =
  NEED_BIN +
  String.raw`
need_bin debconf-set-selections
t=$(mktemp) || fail "cannot create a temporary file"
trap 'rm -f "$t" "$t.e"' EXIT
if [ -n "$a_unseen" ]; then "$bin" -u > "$t" 2> "$t.e"; else "$bin" > "$t" 2> "$t.e"; fi
rc=$?
blob out "$t"
blob err "$t.e"
emit "\"rc\":$rc"
`;

export const debconfModule: ModuleDefinition<Args> = {
  name: 'debconf',
  aliases: ['ansible.builtin.debconf', 'ansible.legacy.debconf'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const pkg = a.name ?? a.pkg;
    if (pkg === undefined) throw argError('missing required arguments: name');
    const question = a.question ?? a.selection ?? a.setting;
    let value = a.value ?? a.answer;
    const given = [question, a.vtype, value].filter((x) => x !== undefined).length;
    if (given > 0 && given < 3) throw argError('parameters are required together: question, vtype, value');
    let shown;
    try {
      shown = await runNodeScript(ctx, shVars({ a_pkg: pkg }) + SHOW);
    } catch (e) {
      return moduleFailure(e);
    }
    if (shown.json['failed']) return { ...shown.json, changed: false } as ModuleResult;
    if (shown.json['rc'] !== 0) return { failed: true, changed: false, msg: shown.blobs['err']?.toString('utf8') ?? '' };
    // get_selections: "* question: value" lines, the seen-mark star dropped.
    let prev: Record<string, string> = {};
    for (const line of (shown.blobs['out']?.toString('utf8') ?? '').split('\n')) {
      if (line === '') continue;
      const i = line.indexOf(':');
      if (i < 0) return { failed: true, changed: false, msg: `not enough values to unpack (expected 2, got 1)` };
      prev[line.slice(0, i).replace(/^\*+|\*+$/g, '').trim()] = line.slice(i + 1).trim();
    }
    let changed = false;
    if (question !== undefined) {
      if (!(question in prev)) changed = true;
      else {
        let existing = prev[question]!;
        if (a.vtype === 'boolean') {
          value = value!.toLowerCase();
          existing = existing.toLowerCase();
        }
        if (value !== existing) changed = true;
      }
    }
    if (!changed) return { changed: false, msg: '', current: prev };
    let msg = '';
    if (!ctx.checkMode) {
      let v = value!;
      if (a.vtype === 'boolean') v = v === 'True' ? 'true' : v === 'False' ? 'false' : v;
      let set;
      try {
        // The answer travels on stdin (a password must not be in a node's process list).
        set = await runNodeScript(ctx, shVars({ a_unseen: a.unseen }) + SET, [pkg, question, a.vtype, v].join(' '), { secret: a.vtype === 'password' });
      } catch (e) {
        return moduleFailure(e);
      }
      if (set.json['failed']) return { ...set.json, changed: false } as ModuleResult;
      if (set.json['rc'] !== 0) return { failed: true, changed: false, msg: set.blobs['err']?.toString('utf8') ?? '' };
      msg = set.blobs['out']?.toString('utf8') ?? '';
    }
    const curr = { [question!]: value! };
    prev = question! in prev ? { [question!]: prev[question!]! } : { ...prev, [question!]: '' };
    const res: ModuleResult = { changed: true, msg, current: curr, previous: prev };
    // Dicts, as the module returns them: the callback prints them as sorted, indented JSON (_serialize_diff).
    res.diff = (ctx.diffMode ? { before: prev, after: { ...prev, ...curr } } : {}) as unknown as ModuleResult['diff'];
    return res;
  },
};
