/**
 * script: copy a local script to the node and run it (ansible.builtin.script).
 *
 * Arguments:
 * - _raw_params / cmd (free form): the local script path (found like Ansible: role files/, playbook
 *   files/, playbook dir) followed by its arguments.   `script: files/cleanup.sh --all`
 * - chdir: run it from this directory.                 `chdir: /tmp`
 * - creates / removes: as `command`.                   `creates: /etc/done`
 * - executable: the interpreter (default: run the file, so its #! line decides).  `executable: /bin/bash`
 *
 * Returns: rc, stdout, stdout_lines, stderr, stderr_lines; changed when it ran; failed when rc != 0.
 * Check mode: not run (skipped). The script travels on stdin into a temp file: one exec.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { str } from './args.js';
import { shlexSplit } from './command.js';
import { argError, moduleFailure, q, runNodeScript, shVars, splitLines } from './script.js';

const schema = z
  .object({ _raw_params: str.optional(), cmd: str.optional(), chdir: str.optional(), creates: str.optional(), removes: str.optional(), executable: str.optional() })
  .strict();
type Args = z.infer<typeof schema>;

export const scriptModule: ModuleDefinition<Args> = {
  name: 'script',
  aliases: ['ansible.builtin.script', 'ansible.legacy.script'],
  freeForm: true,
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    const line = a.cmd ?? a._raw_params;
    if (!line) throw argError('script: give the local script path as the free-form argument or cmd');
    const [src, ...argv] = shlexSplit(line);
    const path = ctx.findFile('files', src!);
    if (!path) return { failed: true, msg: `Could not find or access '${src}'` };
    const body = await readFile(path);
    const run = a.executable ? `${q(a.executable)} "$t/s"` : '"$t/s"';
    const script =
      shVars({ a_chdir: a.chdir, a_creates: a.creates, a_removes: a.removes, a_check: ctx.checkMode }) +
      `if [ -n "$a_creates" ] && [ -e "$a_creates" ]; then printf '{"skip":"creates"}\\n'; exit 0; fi
if [ -n "$a_removes" ] && [ ! -e "$a_removes" ]; then printf '{"skip":"removes"}\\n'; exit 0; fi
if [ -n "$a_check" ]; then printf '{"skip":"check"}\\n'; exit 0; fi
t=$(mktemp -d) || fail "cannot create a temporary directory"
trap 'rm -rf "$t"' EXIT
cat > "$t/s"; chmod 700 "$t/s"
if [ -n "$a_chdir" ]; then cd -P "$a_chdir" || fail "Unable to change directory before execution: $a_chdir"; fi
${run} ${argv.map(q).join(' ')} >"$t/o" 2>"$t/e" </dev/null
rc=$?
blob stdout "$t/o"
emit "\\"rc\\":$rc"
cat "$t/e" >&2
`;
    let out;
    try {
      out = await runNodeScript(ctx, script, body);
    } catch (e) {
      return moduleFailure(e);
    }
    if (out.json['failed']) return { ...out.json, changed: false };
    const skip = out.json['skip'];
    // The action plugin's AnsibleActionSkip / _AnsibleActionDone results.
    if (skip === 'creates') return { changed: false, skipped: true, msg: `${a.creates} exists, matching creates option` };
    if (skip === 'removes') return { changed: false, skipped: true, msg: `${a.removes} does not exist, matching removes option` };
    if (skip === 'check') {
      if (a.creates || a.removes) return { changed: true };
      return { changed: false, skipped: true, msg: 'Check mode is not supported for this task.' };
    }
    const stdout = out.blobs['stdout']?.toString('utf8') ?? '';
    const rc = out.json['rc'] as number;
    const res = { changed: true, rc, stdout, stdout_lines: splitLines(stdout), stderr: out.stderr, stderr_lines: splitLines(out.stderr) };
    return rc !== 0 ? { ...res, failed: true, msg: 'non-zero return code' } : res;
  },
};
