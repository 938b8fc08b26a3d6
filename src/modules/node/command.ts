/**
 * command: run a program on the node, without a shell (ansible.builtin.command).
 *
 * Arguments:
 * - _raw_params (free form): the command line, split like Python's shlex. `command: ls -l /tmp`
 * - cmd: same as the free form.                                         `cmd: ls -l /tmp`
 * - argv: the command as a list, no splitting.                          `argv: [echo, "a b"]`
 * - chdir: change into this directory first.                            `chdir: /etc`
 * - creates: a path or glob; when it exists, the command is not run.    `creates: /etc/k3s.done`
 * - removes: a path or glob; when it does NOT exist, it is not run.     `removes: /etc/cni/net.d/10-calico.conflist`
 * - stdin: text fed to the command's standard input.                    `stdin: "y"`
 * - stdin_add_newline: append a newline to stdin (default true).        `stdin_add_newline: false`
 * - strip_empty_ends: strip trailing newlines of stdout/stderr (default true).
 *
 * Returns: cmd (list; shell: the string), rc, stdout, stderr, stdout_lines, stderr_lines,
 * start, end, delta, msg ("non-zero return code" when rc != 0, then failed). Always changed
 * when it runs. Check mode: not run ("Command would have run if not in check mode"), skipped
 * unless creates/removes is given.
 *
 * One exec: the script checks creates/removes, cds, then replaces itself with the command (exec), so
 * the header line is followed by the command's own stdout and stderr, and its exit status is the channel's.
 */
import { constants as osConstants } from 'node:os';
import { z } from 'zod';
import type { ModuleContext, ModuleDefinition, ModuleResult } from '../types.js';
import { bool, str } from './args.js';
import { shlexSplit as splitLikePython } from '../../values/shlex.js';
import { argError, moduleFailure, q, runNodeScript, shVars, splitLines } from './script.js';

export const commandSchema = z
  .object({
    _raw_params: str.optional(),
    cmd: str.optional(),
    argv: z.array(str).optional(),
    chdir: str.optional(),
    creates: str.optional(),
    removes: str.optional(),
    stdin: str.optional(),
    stdin_add_newline: bool.default(true),
    strip_empty_ends: bool.default(true),
    executable: str.optional(),
    expand_argument_vars: bool.optional(),
    warn: bool.optional(),
    _uses_shell: bool.optional(),
  })
  .strict();
export type CommandArgs = z.infer<typeof commandSchema>;

/** The command line split as Ansible's command module does (shlex.split), errors as argument errors. */
export function shlexSplit(s: string): string[] {
  try {
    return splitLikePython(s);
  } catch (e) {
    throw argError(`${(e as Error).message} in the command line`);
  }
}

/** Python's str(timedelta): H:MM:SS.ffffff */
function delta(ms: number): string {
  const us = Math.round(ms * 1000);
  const h = Math.floor(us / 3_600_000_000);
  const m = Math.floor(us / 60_000_000) % 60;
  const s = Math.floor(us / 1_000_000) % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(us % 1_000_000).padStart(6, '0')}`;
}

function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}000`;
}

/**
 * Python's os.path.expanduser then os.path.expandvars on every positional argument, in place:
 * `~` and `~/x` from $HOME (else the passwd entry), `~user` from getent; `$name` and `${name}`
 * (ASCII word names) from the environment, an unset one left as written. awk's ENVIRON does the
 * variables; a trailing x keeps a value's final newlines through $(...).
 */
const EXPAND_ARGS = String.raw`# expanduser of an argument that starts with ~ (the loop below calls it only for those).
_xu() {
  _t=${'$'}{1#"~"}; _u=${'$'}{_t%%/*}; _r=${'$'}{_t#"$_u"}
  if [ -z "$_u" ]; then
    if [ -n "${'$'}{HOME+x}" ]; then _h=$HOME; else _h=$(getent passwd "$(id -u)" 2>/dev/null | cut -d: -f6); [ -n "$_h" ] || { printf '%sx' "$1"; return; }; fi
  else _h=$(getent passwd "$_u" 2>/dev/null | cut -d: -f6); [ -n "$_h" ] || { printf '%sx' "$1"; return; }; fi
  while [ "${'$'}{_h%/}" != "$_h" ]; do _h=${'$'}{_h%/}; done
  _o=$_h$_r; [ -n "$_o" ] || _o=/; printf '%sx' "$_o"
}
_i=$#; _aw=; command -v awk >/dev/null 2>&1 && _aw=1
while [ "$_i" -gt 0 ]; do
  case $1 in "~"*) _v=$(_xu "$1"); _v=${'$'}{_v%x} ;; *) _v=$1 ;; esac
  case $_aw$_v in 1*'$'*) _v=$(awk 'BEGIN { s = ARGV[1]; o = ""
    while (match(s, /\$([A-Za-z0-9_]+|\{[^}]*\})/)) {
      n = substr(s, RSTART + 1, RLENGTH - 1); if (substr(n, 1, 1) == "{") n = substr(n, 2, length(n) - 2)
      o = o substr(s, 1, RSTART - 1); if (n in ENVIRON) o = o ENVIRON[n]; else o = o substr(s, RSTART, RLENGTH)
      s = substr(s, RSTART + RLENGTH) }
    printf "%sx", o s }' "$_v"); _v=${'$'}{_v%x} ;;
  esac
  set -- "$@" "$_v"; shift; _i=$((_i - 1))
done
`;

/** Shared by command and shell: `shell` is the interpreter for shell mode, undefined for command. */
export async function runCommand(ctx: ModuleContext<CommandArgs>, shell: string | undefined): Promise<ModuleResult> {
  const a = ctx.args;
  const text = a.cmd ?? a._raw_params;
  if (shell !== undefined && a.argv) throw argError('shell: argv is not supported; give the command as cmd or free form');
  if (shell === undefined && a.executable) {
    ctx.warn(`As of Ansible 2.4, the parameter 'executable' is no longer supported with the 'command' module. Not using '${a.executable}'.`);
  }
  if ((!a.argv || a.argv.length === 0) && (text === undefined || text.trim() === '')) {
    return { failed: true, rc: 256, msg: 'no command given', changed: false };
  }
  if (a.argv && a.argv.length > 0 && text !== undefined && text.trim() !== '') {
    return { changed: false, stdout: '', stderr: '', rc: 256, cmd: null, start: null, end: null, delta: null, failed: true, msg: 'only command or argv can be given, not both' };
  }
  const argv = shell !== undefined ? [shell, '-c', text!] : (a.argv ?? shlexSplit(text!));
  const cmdOut: string | string[] = shell !== undefined ? text! : argv;

  const r: ModuleResult = { changed: false, stdout: '', stderr: '', rc: undefined as unknown as number, cmd: cmdOut, start: null, end: null, delta: null, msg: '' };
  const stdin = a.stdin !== undefined ? a.stdin + (a.stdin_add_newline ? '\n' : '') : undefined;
  // run_command's expand_user_and_vars: each argument through expanduser and expandvars, on the
  // node with the task's environment; only the shell module leaves them to the shell.
  const expand = shell === undefined && a.expand_argument_vars !== false && argv.some((x) => x.includes('$') || x.startsWith('~'));
  const script =
    shVars({ a_chdir: a.chdir, a_creates: a.creates, a_removes: a.removes, a_check: ctx.checkMode, a_stdin: stdin !== undefined, a_shell: shell !== undefined, a_hide: shell !== undefined && ctx.noLog === true }) +
    `set -- ${argv.map(q).join(' ')}
${expand ? EXPAND_ARGS : ''}globhit() { _old=$IFS; IFS=; for _p in $1; do if [ -e "$_p" ] || [ -L "$_p" ]; then IFS=$_old; return 0; fi; done; IFS=$_old; return 1; }
if [ -n "$a_chdir" ]; then cd -P "$a_chdir" 2>/dev/null || fail "Unable to change directory before execution: $a_chdir"; fi
if [ -n "$a_creates" ] && globhit "$a_creates"; then printf '{"skip":"creates"}\\n'; exit 0; fi
if [ -n "$a_removes" ] && ! globhit "$a_removes"; then printf '{"skip":"removes"}\\n'; exit 0; fi
if [ -n "$a_check" ]; then printf '{"skip":"check"}\\n'; exit 0; fi
if [ -z "$a_shell" ] && ! command -v "$1" >/dev/null 2>&1; then printf '{"nocmd":1}\\n'; exit 0; fi
# The script becomes the command: its stdout follows the header line, its stderr is the channel's,
# its exit status the channel's. No capture, no subshell: one process, the command itself.
# no_log: the shell text is a secret too; run it from a 0600 file that removes itself on its
# first line, so ps shows "sh /tmp/tmp.XXXX" rather than the text.
if [ -n "$a_hide" ]; then _f=$(mktemp) || fail "cannot create a temporary file"; { printf 'rm -f %s\\n' "$_f"; printf '%s\\n' "$3"; } > "$_f"; set -- "$1" "$_f"; fi
printf '{"exec":1,"_blobs":[["stdout",0]]}\\n'
if [ -n "$a_stdin" ]; then exec "$@"; else exec "$@" </dev/null; fi
`;
  const started = new Date();
  let out;
  try {
    out = await runNodeScript(ctx, script, stdin);
  } catch (e) {
    return moduleFailure(e);
  }
  const ended = new Date();
  if (out.json['failed']) return { ...r, ...out.json, rc: 1, changed: false } as ModuleResult;
  const skip = out.json['skip'] as string | undefined;
  if (skip === 'creates' || skip === 'removes') {
    const what = skip === 'creates' ? a.creates! : a.removes!;
    const msg = skip === 'creates' ? `Did not run command since '${what}' exists` : `Did not run command since '${what}' does not exist`;
    const stdout = skip === 'creates' ? `skipped, since ${what} exists` : `skipped, since ${what} does not exist`;
    return { ...r, rc: 0, msg, stdout, stdout_lines: [stdout], stderr_lines: [] };
  }
  if (skip === 'check') {
    const res: ModuleResult = { ...r, msg: 'Command would have run if not in check mode' };
    if (a.creates === undefined && a.removes === undefined) res.skipped = true;
    else res.changed = true;
    return res;
  }
  if (out.json['nocmd']) return { ...r, failed: true, rc: 2, msg: `[Errno 2] No such file or directory: b'${argv[0]}'`, stdout_lines: [], stderr_lines: [] };
  let stdout = out.blobs['stdout']?.toString('utf8') ?? '';
  let stderr = out.stderr;
  if (a.strip_empty_ends) {
    stdout = stdout.replace(/[\r\n]+$/, '');
    stderr = stderr.replace(/[\r\n]+$/, '');
  }
  // Python's subprocess reports a command killed by a signal as minus the signal's number.
  const signo = out.signal ? osConstants.signals[out.signal as keyof typeof osConstants.signals] : undefined;
  const rc = typeof out.json['rc'] === 'number' ? out.json['rc'] : signo !== undefined ? -signo : out.rc;
  const res: ModuleResult = {
    ...r,
    changed: true,
    rc,
    stdout,
    stderr,
    stdout_lines: splitLines(stdout),
    stderr_lines: splitLines(stderr),
    start: stamp(started),
    end: stamp(ended),
    delta: delta(ended.getTime() - started.getTime()),
  };
  if (out.timedOut) return { ...res, failed: true, rc: -1, msg: 'The command timed out' };
  if (rc !== 0) {
    res.failed = true;
    res.msg = 'non-zero return code';
  }
  return res;
}

export const commandModule: ModuleDefinition<CommandArgs> = {
  name: 'command',
  aliases: ['ansible.builtin.command', 'ansible.legacy.command'],
  freeForm: true,
  runsOn: 'node',
  schema: commandSchema,
  run: (ctx) => runCommand(ctx, undefined),
};
