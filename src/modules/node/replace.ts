/**
 * replace: replace every match of a regex in a file (ansible.builtin.replace).
 *
 * Arguments:
 * - path (aliases dest, destfile, name): the file.              `path: /etc/default/grub`
 * - regexp: Python-style regex, MULTILINE.                      `regexp: '^(GRUB_CMDLINE_LINUX=).*$'`
 * - replace: the replacement, with \1 / \g<name> backrefs (default '').  `replace: '\1"cgroup_enable=memory"'`
 * - after / before: only replace in the text after/before these regexes (DOTALL).  `after: '\[Service\]'`
 * - backup, validate, mode, owner, group: as copy.
 *
 * Returns: changed, msg ('N replacements made'), backup_file, diff {before, after}.
 */
import { z } from 'zod';
import type { FileDiff, ModuleDefinition } from '../types.js';
import { bool, str } from './args.js';
import { attrFields } from './attrs.js';
import { finishEdit, pyExpand, pyRegex, readRemoteText, withRememberedText } from './edit.js';
import { argError } from './script.js';

const schema = z
  .object({
    path: str.optional(),
    dest: str.optional(),
    destfile: str.optional(),
    name: str.optional(),
    regexp: str,
    replace: str.default(''),
    after: str.optional(),
    before: str.optional(),
    backup: bool.default(false),
    validate: str.optional(),
    encoding: str.optional(),
    others: z.unknown().optional(),
    ...attrFields,
  })
  .strict();
type Args = z.infer<typeof schema>;

export const replaceModule: ModuleDefinition<Args> = {
  name: 'replace',
  aliases: ['ansible.builtin.replace', 'ansible.legacy.replace'],
  runsOn: 'node',
  schema,
  // Edits of a file this host just read or wrote cost one exec (edit.ts withRememberedText).
  run: (ctx) =>
    withRememberedText(ctx, async () => {
      const a = ctx.args;
      const path = a.path ?? a.dest ?? a.destfile ?? a.name;
      if (!path) throw argError('replace: missing required argument: path');
      const cur = await readRemoteText(ctx, path);
      if (cur.isdir) return { failed: true, rc: 256, msg: `Path ${path} is a directory !` };
      if (!cur.exists) return { failed: true, rc: 257, msg: `Path ${path} does not exist !` };
      const contents = cur.text;
      let pattern = '';
      if (a.after && a.before) pattern = `${a.after}(?P<subsection>.*?)${a.before}`;
      else if (a.after) pattern = `${a.after}(?P<subsection>.*)`;
      else if (a.before) pattern = `(?P<subsection>.*)${a.before}`;
      let section = contents;
      let start = 0;
      if (pattern) {
        const m = pyRegex(pattern, 'sd').exec(contents);
        if (!m) return { changed: false, msg: `Pattern for before/after params did not match the given file: ${pattern}` };
        section = m.groups!['subsection']!;
        start = m.indices!.groups!['subsection']![0];
      }
      const re = pyRegex(a.regexp, 'gm');
      let count = 0;
      const replaced = section.replace(re, (...args: unknown[]) => {
        count++;
        const hasGroups = typeof args[args.length - 1] === 'object';
        const groups = hasGroups ? (args[args.length - 1] as Record<string, string>) : undefined;
        const n = args.length - (hasGroups ? 3 : 2);
        const m = args.slice(0, n) as string[] & { groups?: Record<string, string> };
        if (groups) m.groups = groups;
        return pyExpand(a.replace, m as unknown as RegExpExecArray);
      });
      const changed = count > 0 && replaced !== section;
      const after = changed ? contents.slice(0, start) + replaced + contents.slice(start + section.length) : contents;
      const res = await finishEdit(ctx, { path, before: cur, after, changed, msg: changed ? `${count} replacements made` : '', attrs: { mode: a.mode, owner: a.owner, group: a.group }, backup: a.backup, backupKey: 'backup_file', validate: a.validate });
      if (res['backup']) res['backup_file'] = res['backup'];
      delete res['backup'];
      if (ctx.diffMode) res.diff = changed ? ({ before_header: path, before: contents, after_header: path, after } as FileDiff) : undefined;
      if (res.diff === undefined) delete res.diff;
      return res;
    }),
};
