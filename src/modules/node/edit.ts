/**
 * Shared by the text-editing modules (lineinfile, blockinfile, replace, template, k3s_config):
 * read the node's file (one exec), compute the new text here with JavaScript regexes (close to
 * Python's `re`), then write through write-file.ts only when the text changed or attributes were
 * asked for (a second exec). An unchanged file costs one round trip.
 *
 * Consecutive edits of one file (three lineinfile tasks on the same flags file, say) cost one exec
 * each instead of two: the text read or written last on that host is remembered, the next edit
 * computes from it and writes with a compare-and-swap on its sha1 (write-file.ts `expect`). When
 * the node's file is no longer that text, or the edit would not write (its result then rests on a
 * read nobody checked), the module runs again from a real read: results are always those of the
 * node's actual file.
 */
import { pyRegex as templateRegex } from '../../template/filters/regex.js';
import type { Connection } from '../../connection/types.js';
import type { FileDiff, ModuleContext, ModuleResult } from '../types.js';
import { argError, moduleFailure, runNodeScript, shVars } from './script.js';
import { sha1, writeFileDetailed } from './write-file.js';

export interface RemoteText {
  exists: boolean;
  isdir: boolean;
  text: string;
}

/** Per connection (host), per path: the text last read or written there by an edit module. */
const remembered = new WeakMap<Connection, Map<string, RemoteText>>();

interface Speculation {
  allowed: boolean;
  /** readRemoteText answered from memory. */
  used: boolean;
  /** A compare-and-swap write accepted the remembered text. */
  confirmed: boolean;
}
const speculations = new WeakMap<ModuleContext, Speculation>();

class StaleText extends Error {}

function remember(conn: Connection, path: string, t: RemoteText): void {
  let m = remembered.get(conn);
  if (!m) remembered.set(conn, (m = new Map()));
  if (t.isdir) m.delete(path);
  else m.set(path, t);
}

/**
 * Runs an edit module's body, first allowing readRemoteText to answer from memory. The result
 * stands only when it came from a real read or a write that confirmed the remembered text;
 * otherwise the body runs again with a real read.
 */
export async function withRememberedText(ctx: ModuleContext, body: () => Promise<ModuleResult>): Promise<ModuleResult> {
  const s: Speculation = { allowed: true, used: false, confirmed: false };
  speculations.set(ctx, s);
  try {
    try {
      const r = await body();
      if (!s.used || s.confirmed) return r;
    } catch (e) {
      if (!s.used || s.confirmed) throw e;
    }
    Object.assign(s, { allowed: false, used: false, confirmed: false });
    return await body();
  } finally {
    speculations.delete(ctx);
  }
}

export async function readRemoteText(ctx: ModuleContext, path: string): Promise<RemoteText> {
  const conn = await ctx.connection();
  const s = speculations.get(ctx);
  const known = s?.allowed ? remembered.get(conn)?.get(path) : undefined;
  if (known && s) {
    s.used = true;
    return known;
  }
  const script =
    shVars({ p: path }) +
    `if [ -d "$p" ]; then printf '{"isdir":true}\\n'; exit 0; fi
if [ ! -e "$p" ]; then printf '{"exists":false}\\n'; exit 0; fi
[ -r "$p" ] || fail "Destination $p is not readable"
# emit's output for one blob, with cat in place of the shell: one process less per read.
printf '{"exists":true,"_blobs":[["text",0]]}\n'
exec cat "$p"
`;
  const out = await runNodeScript(ctx, script);
  if (out.json['failed']) throw argError(String(out.json['msg']));
  const t: RemoteText = { exists: Boolean(out.json['exists']), isdir: Boolean(out.json['isdir']), text: out.blobs['text']?.toString('utf8') ?? '' };
  remember(conn, path, t);
  return t;
}

/** Python regex syntax that JavaScript spells differently: named groups and inline flags at the start. */
export function pyRegex(src: string, extraFlags = ''): RegExp {
  // One translation of Python's re syntax for templates and modules (src/template/filters/regex.ts).
  try {
    return templateRegex(src, extraFlags);
  } catch (e) {
    throw argError(`invalid regular expression '${src}': ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

/** Python's Match.expand: \1, \g<1>, \g<name>, \n, \t, \\ in a replacement template. */
export function pyExpand(template: string, m: RegExpExecArray | string[]): string {
  const groups = (m as RegExpExecArray).groups ?? {};
  return template.replace(/\\(g<(\w+)>|\d{1,2}|n|t|r|\\)/g, (_all, what: string, g: string | undefined) => {
    if (g !== undefined) return (/^\d+$/.test(g) ? m[Number(g)] : groups[g]) ?? '';
    if (what === 'n') return '\n';
    if (what === 't') return '\t';
    if (what === 'r') return '\r';
    if (what === '\\') return '\\';
    return m[Number(what)] ?? '';
  });
}

export interface EditWrite {
  path: string;
  before: RemoteText;
  after: string;
  changed: boolean;
  msg: string;
  attrs: { mode?: string; owner?: string; group?: string };
  backup?: boolean;
  validate?: string;
  makeParents?: boolean;
  /** Ansible's header for content diffs: "<path> (content)". */
  diffHeader?: string;
  extra?: Record<string, unknown>;
  /**
   * How the module reports a backup: lineinfile's `backup` (always present, '' without one),
   * or blockinfile's and replace's `backup_file` (only when one was made).
   */
  backupKey?: 'backup' | 'backup_file';
}

/** Write the edited text (when changed or attributes asked for) and shape the result as Ansible's edit modules do. */
export async function finishEdit(ctx: ModuleContext, e: EditWrite): Promise<ModuleResult> {
  const header = e.diffHeader ?? `${e.path} (content)`;
  const diff: FileDiff = { before: e.before.text, after: e.after, before_header: header, after_header: header };
  const needAttrs = e.attrs.mode !== undefined || e.attrs.owner !== undefined || e.attrs.group !== undefined;
  let res: ModuleResult = { changed: e.changed, msg: e.msg };
  if (e.changed || (needAttrs && e.before.exists)) {
    const s = speculations.get(ctx);
    const d = await writeFileDetailed(ctx, {
      dest: e.path,
      content: Buffer.from(e.after, 'utf8'),
      ...e.attrs,
      backup: e.backup,
      validate: e.validate,
      makeParents: e.makeParents,
      ...(s?.used ? (e.before.exists ? { expect: sha1(Buffer.from(e.before.text, 'utf8')), expectSize: Buffer.byteLength(e.before.text, 'utf8') } : { expect: 'absent' }) : {}),
    }).catch((x: unknown) => ({ result: moduleFailure(x), attrsChanged: false }));
    const w = d.result;
    if (w['_stale']) throw new StaleText(`${e.path} changed since it was last read`);
    if (s?.used) s.confirmed = true;
    if (w.failed) return w;
    if (!ctx.checkMode) remember(await ctx.connection(), e.path, { exists: true, isdir: false, text: e.after });
    const attrsChanged = d.attrsChanged;
    res = { changed: e.changed || Boolean(w.changed), msg: attrsChanged ? (e.msg ? `${e.msg} and ownership, perms or SE linux context changed` : 'ownership, perms or SE linux context changed') : e.msg };
    if (w['backup_file']) res[e.backupKey ?? 'backup'] = w['backup_file'];
  }
  if ((e.backupKey ?? 'backup') === 'backup' && !('backup' in res)) res['backup'] = '';
  if (ctx.diffMode) res.diff = [diff, { before_header: `${e.path} (file attributes)`, after_header: `${e.path} (file attributes)` }];
  return { ...res, ...(e.extra ?? {}) };
}
