/**
 * How every node-side module talks to a host: ONE exec per task running a POSIX `sh` script
 * (dash, BusyBox ash: no bash-isms, no Python or Node on the node).
 *
 * - Arguments are prepended to the script as quoted shell assignments (`a_dest='/etc/x'`), so the
 *   script reads them as plain variables. Bulk data (file contents, a command's stdin) goes on stdin.
 * - The script prints exactly one JSON object on its first stdout line (built with the `js`
 *   escaper from `SH_LIB`), optionally followed by raw "blobs": byte strings named in the JSON's
 *   `_blobs` array as [name, byteLength] pairs, in order (file contents for --diff, a command's
 *   stdout). Blobs avoid escaping large or arbitrary text in sh.
 * - Anything on stderr is kept; when the first line is not JSON the task fails with Ansible's
 *   "MODULE FAILURE" shape (module_stdout, module_stderr, rc).
 */
import type { ExecResult } from '../../connection/types.js';
import { PhiloteError } from '../../errors.js';
import { shellQuote } from '../../values/shell-quote.js';
import type { ModuleContext, ModuleResult } from '../types.js';

/** Quote a string for sh: the one quoter, src/values/shell-quote.ts (short name for scripts). */
export const q = shellQuote;

/** Shell variable assignments for the script's arguments: undefined/null become empty strings. */
export function shVars(vars: Record<string, string | number | boolean | undefined | null>): string {
  return (
    Object.entries(vars)
      .map(([k, v]) => `${k}=${q(v === undefined || v === null ? '' : typeof v === 'boolean' ? (v ? '1' : '') : String(v))}`)
      .join('\n') + '\n'
  );
}

/**
 * Helpers available to every script:
 * - `js STR`: print STR as a JSON string (escapes \ " and control characters, newlines as \n).
 * - `jsv STR`: the same into `$_j`, with no process for plain text; `tf N`: `$_b` = true|false.
 *   Prefer these in hot scripts: every `$(...)` forks a subshell, which adds up on a fleet.
 * - `jn STR`: print a JSON number, or null when STR is empty.
 * - `fail MSG`: print {"failed":true,"msg":MSG} and exit 0 (the module failed, the script did not).
 * - `finfo PATH`: set f_exists f_type (file|directory|link|other) f_mode f_uid f_gid f_owner f_group f_size f_mtime f_atime
 *   (one `stat`, reused for the same path while nothing changed it; see its comment).
 * - `sha1 PATH`: print the sha1 checksum of PATH.
 * - `blob NAME FILE`: register FILE to be appended raw after the JSON line; `emit JSONBODY` prints
 *   {JSONBODY,"_blobs":[...]} then the blobs. Use `emit` instead of printing the JSON yourself when there are blobs.
 */
export const SH_LIB = String.raw`
js() {
  # Fast path without a process: text with no quote, backslash or control character.
  case $1 in *[\"\\]*|*[![:print:]]*) ;; *) printf '"%s"' "$1"; return ;; esac
  printf '%s\n' "$1" | awk 'BEGIN { for (i = 1; i < 32; i++) m[sprintf("%c", i)] = sprintf("\\u%04x", i); m["\\"] = "\\\\"; m["\""] = "\\\""; printf "\"" }
    { if (NR > 1) printf "\\n"; n = length($0); for (i = 1; i <= n; i++) { c = substr($0, i, 1); if (c in m) printf "%s", m[c]; else printf "%s", c } }
    END { printf "\"" }'
}
# jsv STR: like js, but into $_j, without a process for plain text (a $(...) costs a fork).
jsv() { case $1 in *[\"\\]*|*[![:print:]]*) _j=$(js "$1") ;; *) _j="\"$1\"" ;; esac; }
# tf N: $_b = true when N is not 0, else false (no process).
tf() { if [ "$1" -ne 0 ]; then _b=true; else _b=false; fi; }
jn() { if [ -z "$1" ]; then printf null; else printf '%s' "$1"; fi; }
fail() { printf '{"failed":true,"msg":%s}\n' "$(js "$1")"; exit 0; }
finfo() {
  # One stat per path per task: the last answer is reused while the script has changed nothing
  # ($ch empty then and now), or while the script vouches for it ($_fi_k: it changed the path
  # itself and set the f_* values to match; write-file.ts, file.ts), until finfo stats again.
  if [ -n "$_fi_p" ] && [ "$_fi_p" = "$1" ] && { [ -n "$_fi_k" ] || { [ -z "$ch" ] && [ -z "$_fi_c" ]; }; }; then return 0; fi
  _fi_p=; _fi_k=; _fi_c=$ch
  f_exists=; f_type=; f_mode=; f_uid=; f_gid=; f_owner=; f_group=; f_size=; f_mtime=; f_atime=
  if [ -L "$1" ]; then f_type=link; elif [ -d "$1" ]; then f_type=directory; elif [ -f "$1" ]; then f_type=file; elif [ -e "$1" ]; then f_type=other; else _fi_p=$1; return 0; fi
  f_exists=1
  set -- "$1" $(stat -c '%a %u %g %s %Y %X %U %G' "$1" 2>/dev/null)
  f_mode=$2; f_uid=$3; f_gid=$4; f_size=$5; f_mtime=$6; f_atime=$7; f_owner=$8; f_group=$9
  _fi_p=$1
  return 0
}
sha1() { sha1sum < "$1" 2>/dev/null | cut -c1-40; }
_bc=0
blob() { _bc=$((_bc + 1)); eval "_bn$_bc=\$1; _bf$_bc=\$2"; }
emit() {
  _bl=; _bi=0
  while [ "$_bi" -lt "$_bc" ]; do
    _bi=$((_bi + 1)); eval "_bfi=\$_bf$_bi; _bni=\$_bn$_bi"
    # The reader gives the last blob the remainder of stdout: only the others need a size (a process).
    if [ "$_bi" -lt "$_bc" ]; then _bsz=$(($(wc -c < "$_bfi"))); else _bsz=0; fi
    jsv "$_bni"; _bl="$_bl${'$'}{_bl:+,}[$_j,$_bsz]"
  done
  printf '{%s,"_blobs":[%s]}\n' "$1" "$_bl"
  _bi=0
  while [ "$_bi" -lt "$_bc" ]; do _bi=$((_bi + 1)); eval "cat \"\$_bf$_bi\""; done
}
`;

export interface ScriptOutput {
  /** The parsed JSON result (without `_blobs`). */
  json: Record<string, unknown>;
  /** Raw blobs by name. */
  blobs: Record<string, Buffer>;
  rc: number;
  stderr: string;
  /** The signal that ended the script (see ExecResult.signal). */
  signal?: string;
  timedOut?: boolean;
  /** What the script printed after the JSON line when it used no blobs (text such as base64). */
  tail?: string;
}

export interface RunScriptOptions {
  /** Don't wrap with ctx.become (for modules that manage become themselves). */
  noBecome?: boolean;
  /** Override ctx.timeoutMs. */
  timeoutMs?: number;
  /**
   * The arguments hold a secret (a password, an Authorization header): ship the script itself
   * on stdin, so nothing of it is in the argv of a node process. Always so for a no_log task.
   */
  secret?: boolean;
}

/**
 * The command of a secret exec: a shell that reads exactly `n` bytes of script from stdin and
 * evaluates it; the rest of stdin (the payload) stays for the script. `head -c` reads no further
 * than asked (GNU coreutils and BusyBox read min(buffer, remaining)).
 */
function stdinScriptCommand(n: number): string {
  return `_s=$(head -c ${n}) && eval "$_s"`;
}

/** Environment exports as script lines (for a secret exec, where they must not be in argv either). */
function exportLines(env: Record<string, string> | undefined): string {
  if (!env) return '';
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${q(v)}\n`)
    .join('');
}

/** Run one script on the task's target and parse its JSON line and blobs. */
export async function runNodeScript(
  ctx: Pick<ModuleContext, 'connection' | 'become' | 'environment' | 'timeoutMs' | 'signal'> & { noLog?: boolean },
  script: string,
  payload?: string | Buffer,
  options: RunScriptOptions = {},
): Promise<ScriptOutput> {
  const conn = await ctx.connection();
  const secret = options.secret || ctx.noLog === true;
  let command = SH_LIB + script;
  let stdin = payload;
  if (secret) {
    const text = Buffer.from(exportLines(ctx.environment) + command + '\n', 'utf8');
    command = stdinScriptCommand(text.length);
    stdin = payload === undefined ? text : Buffer.concat([text, Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8')]);
  }
  const res = await conn.exec(command, {
    ...(stdin !== undefined ? { stdin } : {}),
    ...(ctx.become && !options.noBecome ? { become: ctx.become } : {}),
    ...(ctx.environment && !secret ? { env: ctx.environment } : {}),
    ...((options.timeoutMs ?? ctx.timeoutMs) ? { timeoutMs: options.timeoutMs ?? ctx.timeoutMs } : {}),
    signal: ctx.signal,
  });
  return parseScriptOutput(res);
}

/** Thrown (and turned into a failed result by `moduleFailure`) when the script printed no JSON. */
export class ModuleFailure extends Error {
  constructor(readonly res: ExecResult) {
    super('MODULE FAILURE\nSee stdout/stderr for the exact error');
  }
}

export function parseScriptOutput(res: ExecResult): ScriptOutput {
  const nl = res.stdout.indexOf('\n');
  const first = nl < 0 ? res.stdout : res.stdout.slice(0, nl);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(first) as Record<string, unknown>;
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not an object');
  } catch {
    throw new ModuleFailure(res);
  }
  const blobs: Record<string, Buffer> = {};
  const specs = (json['_blobs'] as [string, number][] | undefined) ?? [];
  delete json['_blobs'];
  if (specs.length) {
    const rest = Buffer.from(res.stdout.slice(nl + 1), 'utf8');
    let off = 0;
    specs.forEach(([name, len], i) => {
      // The last blob takes the remainder, so a lossy utf8 round trip only ever blurs the end.
      const end = i === specs.length - 1 ? rest.length : off + len;
      blobs[name] = rest.subarray(off, end);
      off = end;
    });
  }
  const tail = !specs.length && nl >= 0 ? { tail: res.stdout.slice(nl + 1) } : {};
  return { json, blobs, rc: res.rc, stderr: res.stderr, ...tail, ...(res.timedOut ? { timedOut: true } : {}), ...(res.signal ? { signal: res.signal } : {}) };
}

/** Ansible's shape for a module that crashed or printed garbage. */
export function moduleFailure(e: unknown): ModuleResult {
  if (e instanceof ModuleFailure) {
    return {
      failed: true,
      msg: e.res.timedOut ? 'The module timed out' : e.message,
      module_stdout: e.res.stdout,
      module_stderr: e.res.stderr,
      rc: e.res.rc,
    };
  }
  throw e;
}

/** A module-args error with a sentence naming the argument(s). */
export function argError(message: string): PhiloteError {
  return new PhiloteError('module-args', message);
}

/** Split text into lines as Python's str.splitlines() does for \n and \r\n. */
export function splitLines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
