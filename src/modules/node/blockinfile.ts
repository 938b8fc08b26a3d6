/**
 * blockinfile: insert, update or remove a block of lines between marker lines
 * (ansible.builtin.blockinfile).
 *
 * Arguments:
 * - path (aliases dest, destfile, name): the file.             `path: /etc/hosts`
 * - block (alias content): the text; empty removes the block.  `block: "10.0.0.1 node1\n10.0.0.2 node2"`
 * - marker: default '# {mark} ANSIBLE MANAGED BLOCK'; marker_begin/marker_end: BEGIN/END.
 * - state: present (default) | absent.
 * - insertafter: regex or EOF (default); insertbefore: regex or BOF. Last matching line wins.
 * - create, backup, validate, mode, owner, group: as lineinfile.
 *
 * Returns: changed, msg ('Block inserted', 'Block removed', 'File created'), backup, diff.
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, str } from './args.js';
import { attrFields } from './attrs.js';
import { finishEdit, pyRegex, readRemoteText, withRememberedText } from './edit.js';
import { linesKeepEnds } from './lineinfile.js';
import { argError } from './script.js';

const schema = z
  .object({
    path: str.optional(),
    dest: str.optional(),
    destfile: str.optional(),
    name: str.optional(),
    block: str.default(''),
    content: str.optional(),
    marker: str.default('# {mark} ANSIBLE MANAGED BLOCK'),
    marker_begin: str.default('BEGIN'),
    marker_end: str.default('END'),
    state: z.enum(['present', 'absent']).default('present'),
    insertafter: str.optional(),
    insertbefore: str.optional(),
    create: bool.default(false),
    backup: bool.default(false),
    validate: str.optional(),
    ...attrFields,
  })
  .strict();
type Args = z.infer<typeof schema>;

export const blockinfileModule: ModuleDefinition<Args> = {
  name: 'blockinfile',
  aliases: ['ansible.builtin.blockinfile', 'ansible.legacy.blockinfile'],
  runsOn: 'node',
  schema,
  // Edits of a file this host just read or wrote cost one exec (edit.ts withRememberedText).
  run: (ctx) =>
    withRememberedText(ctx, async () => {
      const a = ctx.args;
      const path = a.path ?? a.dest ?? a.destfile ?? a.name;
      if (!path) throw argError('blockinfile: missing required argument: path');
      if (a.insertafter !== undefined && a.insertbefore !== undefined) throw argError('blockinfile: insertafter and insertbefore are mutually exclusive');
      const cur = await readRemoteText(ctx, path);
      if (cur.isdir) return { failed: true, rc: 256, msg: `Path ${path} is a directory !` };
      const present = a.state === 'present';
      if (!cur.exists) {
        if (!present) return { changed: false, msg: `File ${path} not present` };
        if (!a.create) return { failed: true, rc: 257, msg: `Path ${path} does not exist !` };
      }
      const original = cur.exists ? cur.text : undefined;
      const lines = linesKeepEnds(cur.text);
      let block = a.content ?? a.block;
      let insertafter = a.insertafter;
      const insertbefore = a.insertbefore;
      if (insertbefore === undefined && insertafter === undefined) insertafter = 'EOF';
      const insRe = insertafter !== undefined && insertafter !== 'EOF' ? pyRegex(insertafter) : insertbefore !== undefined && insertbefore !== 'BOF' ? pyRegex(insertbefore) : undefined;
      const marker0 = a.marker.replace('{mark}', a.marker_begin) + '\n';
      const marker1 = a.marker.replace('{mark}', a.marker_end) + '\n';
      let blocklines: string[] = [];
      if (present && block) {
        if (!block.endsWith('\n')) block += '\n';
        blocklines = [marker0, ...linesKeepEnds(block), marker1];
      }
      let n0 = undefined as number | undefined;
      let n1 = undefined as number | undefined;
      for (let i = 0; i < lines.length; i++) {
        if (lines[i] === marker0) n0 = i;
        if (lines[i] === marker1) n1 = i;
      }
      if (n0 === undefined || n1 === undefined) {
        n0 = undefined;
        if (insRe && insRe.flags.includes('m')) {
          // A MULTILINE pattern is searched in the whole file; the block goes after (before) the
          // line where the match ends (starts).
          const m = insRe.exec(cur.text);
          if (m) {
            const at = insertafter !== undefined ? m.index + m[0].length : m.index;
            n0 = (cur.text.slice(0, at).match(/\n/g) ?? []).length;
          }
          if (n0 === undefined) n0 = lines.length;
          else if (insertafter !== undefined) n0 += 1;
        } else if (insRe) {
          for (let i = 0; i < lines.length; i++) if (insRe.test(lines[i]!)) n0 = i;
          if (n0 === undefined) n0 = lines.length;
          else if (insertafter !== undefined) n0 += 1;
        } else if (insertbefore !== undefined) n0 = 0;
        else n0 = lines.length;
      } else if (n0 < n1) lines.splice(n0, n1 - n0 + 1);
      else {
        lines.splice(n1, n0 - n1 + 1);
        n0 = n1;
      }
      if (n0 > 0 && !lines[n0 - 1]!.endsWith('\n')) lines[n0 - 1] += '\n';
      lines.splice(n0, 0, ...blocklines);
      const result = lines.join('');
      let msg = '';
      let changed = false;
      if (original === result) changed = false;
      else if (original === undefined) (msg = 'File created'), (changed = true);
      else if (!blocklines.length) (msg = 'Block removed'), (changed = true);
      else (msg = 'Block inserted'), (changed = true);
      return finishEdit(ctx, { path, before: cur, after: result, changed, msg, attrs: { mode: a.mode, owner: a.owner, group: a.group }, backup: a.backup, backupKey: 'backup_file', validate: a.validate, makeParents: a.create });
    }),
};
