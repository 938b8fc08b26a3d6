/**
 * copy: put a file, a directory tree or literal content on the node (ansible.builtin.copy).
 *
 * Arguments:
 * - dest (required): where to write; an existing directory or a path ending in '/' receives
 *   basename(src).                                                   `dest: /etc/rancher/k3s/`
 * - src: a controller file or directory (found in files/); 'dir/' copies the contents, 'dir'
 *   the directory itself.                                           `src: registries.yaml`
 * - content: literal text instead of src.                           `content: "KUBECONFIG=/etc/k3s.yaml\n"`
 * - remote_src: src is a path on the node.                          `remote_src: true`
 * - mode / owner / group: as `file`; mode 'preserve' keeps the source file's mode.  `mode: '0600'`
 * - backup: keep the old file as dest.<pid>.<date>~.                `backup: true`
 * - force: replace a different existing file (default true); false only creates.  `force: false`
 * - validate: command run on the new temp file (%s) before it replaces dest.  `validate: 'sh -n %s'`
 * - directory_mode: mode of directories created by a recursive copy.
 *
 * Returns: dest, src, checksum (sha1), md5sum, size, mode, owner, group, uid, gid, state,
 * backup_file (when a backup was made); diff {before, after} with --diff. Changed only when the
 * checksum differs or attributes change.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { FileDiff, ModuleContext, ModuleDefinition, ModuleResult } from '../types.js';
import { bool, mode, str } from './args.js';
import { attrFields } from './attrs.js';
import { argError, moduleFailure, q, runNodeScript, shVars } from './script.js';
import { writeFile } from './write-file.js';
import { readSource } from './source-cache.js';

const schema = z
  .object({
    dest: str,
    src: str.optional(),
    content: z.unknown().optional(),
    remote_src: bool.default(false),
    backup: bool.default(false),
    force: bool.default(true),
    validate: str.optional(),
    directory_mode: mode.optional(),
    local_follow: bool.default(true),
    follow: bool.default(false),
    checksum: str.optional(),
    decrypt: bool.optional(),
    _original_basename: str.optional(),
    ...attrFields,
  })
  .strict()
  .refine((a) => !(a.src !== undefined && a.content !== undefined), { message: 'src and content are mutually exclusive' })
  .refine((a) => a.src !== undefined || a.content !== undefined, { message: 'src (or content) is required' });
type Args = z.infer<typeof schema>;

/** Ansible turns non-string content (dicts, lists) into JSON text. */
function contentText(c: unknown): string {
  if (typeof c === 'string') return c;
  if (typeof c === 'number' || typeof c === 'boolean') return String(c);
  return JSON.stringify(c);
}

async function copyTree(ctx: ModuleContext<Args>, local: string, dest: string): Promise<ModuleResult> {
  const a = ctx.args;
  // 'dir/' copies the contents; 'dir' the directory itself (Ansible's rsync-like rule).
  const root = a.src!.endsWith('/') ? dest : join(dest, basename(local));
  const files: string[] = [];
  const dirs: string[] = [];
  const walk = async (rel: string) => {
    for (const e of await readdir(join(local, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        dirs.push(r);
        await walk(r);
      } else files.push(r);
    }
  };
  await walk('');
  const mk = [root, ...dirs.map((d) => join(root, d))];
  const script =
    shVars({ a_check: ctx.checkMode, a_dmode: a.directory_mode }) +
    `ch=\nfor d in ${mk.map(q).join(' ')}; do
  if [ ! -d "$d" ]; then ch=1; [ -n "$a_check" ] || { mkdir -p "$d" || fail "Error creating $d"; [ -n "$a_dmode" ] && chmod "$a_dmode" "$d"; }; fi
done
printf '{"changed":%s}\\n' "$([ -n "$ch" ] && echo true || echo false)"\n`;
  let changed = false;
  try {
    changed = (await runNodeScript(ctx, script)).json['changed'] as boolean;
  } catch (e) {
    return moduleFailure(e);
  }
  const diffs: FileDiff[] = [];
  for (const f of files) {
    const r = await writeFile(ctx, { dest: join(root, f), content: await readSource(join(local, f), a.decrypt !== false), mode: a.mode, owner: a.owner, group: a.group, backup: a.backup, force: a.force, afterHeader: join(local, f) });
    if (r.failed) return r;
    changed ||= Boolean(r.changed);
    if (r.diff) diffs.push(r.diff as FileDiff);
  }
  return { changed, dest: root, src: local, ...(diffs.length ? { diff: diffs } : {}) };
}

export const copyModule: ModuleDefinition<Args> = {
  name: 'copy',
  aliases: ['ansible.builtin.copy', 'ansible.legacy.copy'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = ctx.args;
    if (a.content !== undefined && a.remote_src) throw argError('copy: content cannot be used with remote_src');
    if (a.content !== undefined && a.dest.endsWith('/')) throw argError('copy: can not use content with a dir as dest');
    const common = { dest: a.dest, owner: a.owner, group: a.group, backup: a.backup, force: a.force, validate: a.validate };
    if (a.remote_src) {
      if (a.mode === 'preserve') {
        const m = await runNodeScript(ctx, shVars({ p: a.src }) + `printf '{"m":"%s"}\\n' "$(stat -c %a "$p" 2>/dev/null)"\n`).catch(moduleFailure);
        return writeFile(ctx, { ...common, remoteSrc: a.src!, basename: basename(a.src!), mode: String((m as { json?: Record<string, unknown> }).json?.['m'] ?? '') || undefined });
      }
      return writeFile(ctx, { ...common, remoteSrc: a.src!, basename: basename(a.src!), mode: a.mode });
    }
    if (a.content !== undefined) {
      const content = Buffer.from(contentText(a.content), 'utf8');
      return writeFile(ctx, { ...common, content, mode: a.mode === 'preserve' ? undefined : a.mode });
    }
    const local = ctx.findFile('files', a.src!.replace(/(.)\/+$/, '$1'));
    if (!local) return { failed: true, changed: false, msg: `Could not find or access '${a.src}' on the Ansible Controller.` };
    let st;
    try {
      st = await stat(local);
    } catch {
      return { failed: true, changed: false, msg: `Could not find or access '${a.src}' on the Ansible Controller.` };
    }
    if (st.isDirectory()) return copyTree(ctx, local, a.dest);
    const content = await readSource(local, a.decrypt !== false);
    const m = a.mode === 'preserve' ? (st.mode & 0o7777).toString(8) : a.mode;
    // A dest ending in '/' is a directory made when missing, parents and all (copy's
    // `_original_basename and dest.endswith(os.sep)` branch); otherwise a missing one fails.
    const res = await writeFile(ctx, { ...common, content, mode: m, basename: basename(local), afterHeader: local, makeParents: a.dest.endsWith('/') });
    if (!res.failed) res['src'] = local;
    return res;
  },
};
