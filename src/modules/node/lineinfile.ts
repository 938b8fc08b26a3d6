/**
 * lineinfile: make sure one line is (or is not) in a text file (ansible.builtin.lineinfile).
 *
 * Arguments:
 * - path (aliases dest, destfile, name): the file.                   `path: /etc/modules-load.d/k3s.conf`
 * - line (alias value): the line for state=present.                 `line: br_netfilter`
 * - regexp (alias regex): Python-style regex; the last matching line is replaced
 *   (or removed with state=absent).                                 `regexp: '^SELINUX='`
 * - search_string: a literal substring instead of regexp.           `search_string: 'cni-conf-dir'`
 * - state: present (default) | absent.
 * - insertafter: regex, or EOF (default); insertbefore: regex, or BOF.  `insertafter: '^\[Service\]'`
 * - firstmatch: use the first match of regexp/insertafter/insertbefore.
 * - backrefs: expand \1 / \g<name> in line from the regexp match; no change without a match.
 * - create: create the file when missing (default false).          `create: true`
 * - backup, validate, mode, owner, group: as copy.
 *
 * Returns: changed, msg ('line added', 'line replaced', 'N line(s) removed', 'file not present'),
 * backup (path or ''), found (absent), diff [{before, after}, attributes].
 */
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
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
    line: str.optional(),
    value: str.optional(),
    regexp: str.optional(),
    regex: str.optional(),
    search_string: str.optional(),
    state: z.enum(['present', 'absent']).default('present'),
    insertafter: str.optional(),
    insertbefore: str.optional(),
    firstmatch: bool.default(false),
    backrefs: bool.default(false),
    create: bool.default(false),
    backup: bool.default(false),
    validate: str.optional(),
    others: z.unknown().optional(),
    ...attrFields,
  })
  .strict();
type Args = z.infer<typeof schema>;

/** Python's str.splitlines(True) for \n, \r\n and \r. */
export function linesKeepEnds(text: string): string[] {
  return text.match(/[^\r\n]*(\r\n|\n|\r)|[^\r\n]+$/g) ?? [];
}
const rstripNl = (s: string) => s.replace(/[\r\n]+$/, '');
/** Python's `$` also matches before a final newline; searching the line without it gives the same groups. */
const body = (s: string) => s.replace(/\r?\n$/, '');

export const lineinfileModule: ModuleDefinition<Args> = {
  name: 'lineinfile',
  aliases: ['ansible.builtin.lineinfile', 'ansible.legacy.lineinfile'],
  runsOn: 'node',
  schema,
  // Edits of a file this host just read or wrote cost one exec (edit.ts withRememberedText).
  run: (ctx) =>
    withRememberedText(ctx, async () => {
      const a = ctx.args;
      const path = a.path ?? a.dest ?? a.destfile ?? a.name;
      if (!path) throw argError('lineinfile: missing required argument: path');
      const regexp = a.regexp ?? a.regex;
      const line = a.line ?? a.value;
      if (regexp !== undefined && a.search_string !== undefined) throw argError('lineinfile: regexp and search_string are mutually exclusive');
      if (a.insertafter !== undefined && a.insertbefore !== undefined) throw argError('lineinfile: insertafter and insertbefore are mutually exclusive');
      if (a.backrefs && regexp === undefined) throw argError('lineinfile: regexp is required with backrefs=true');
      if (a.state === 'present' && line === undefined) throw argError('lineinfile: line is required with state=present');
      if (a.state === 'absent' && regexp === undefined && a.search_string === undefined && line === undefined) throw argError('lineinfile: one of line, search_string, or regexp is required with state=absent');
      if (regexp === '' || a.search_string === '') {
        const what = regexp === '' ? 'regular expression' : 'search string';
        const hint = regexp === '' ? " If this is desired, use '^' to match every line in the file and avoid this warning." : '';
        ctx.warn(`The ${what} is an empty string, which will match every line in the file. This may have unintended consequences, such as replacing the last line in the file rather than appending.${hint}`);
      }
      const cur = await readRemoteText(ctx, path);
      if (cur.isdir) return { failed: true, rc: 256, msg: `Path ${path} is a directory !` };
      const attrs = { mode: a.mode, owner: a.owner, group: a.group };
      const common = { path, before: cur, attrs, backup: a.backup, validate: a.validate };

      if (a.state === 'absent') {
        if (!cur.exists) return { changed: false, msg: 'file not present' };
        const re = regexp !== undefined ? pyRegex(regexp) : undefined;
        const found: string[] = [];
        const kept = linesKeepEnds(cur.text).filter((l) => {
          const hit = re ? re.test(body(l)) : a.search_string !== undefined ? l.includes(a.search_string) : line === rstripNl(l);
          if (hit) found.push(l);
          return !hit;
        });
        return finishEdit(ctx, { ...common, after: kept.join(''), changed: found.length > 0, msg: found.length ? `${found.length} line(s) removed` : '', extra: { found: found.length } });
      }

      if (!cur.exists) {
        if (!a.create) return { failed: true, rc: 257, msg: `Destination ${path} does not exist !` };
      }
      const lines = linesKeepEnds(cur.text);
      const re = regexp !== undefined ? pyRegex(regexp) : undefined;
      const after = a.insertafter;
      const before = a.insertbefore;
      const insRe = after !== undefined && after !== 'EOF' ? pyRegex(after) : before !== undefined && before !== 'BOF' ? pyRegex(before) : undefined;
      const index = [-1, -1];
      let match: RegExpExecArray | boolean | null = null;
      let exact = false;
      const l = line!;
      if (re) {
        for (let i = 0; i < lines.length; i++) {
          const m = re.exec(body(lines[i]!));
          if (m) {
            index[0] = i;
            match = m;
            if (a.firstmatch) break;
          }
        }
      }
      if (a.search_string !== undefined) {
        for (let i = 0; i < lines.length; i++) {
          if (lines[i]!.includes(a.search_string)) {
            index[0] = i;
            match = true;
            if (a.firstmatch) break;
          }
        }
      }
      if (!match) {
        for (let i = 0; i < lines.length; i++) {
          if (l === rstripNl(lines[i]!)) {
            index[0] = i;
            exact = true;
          } else if (insRe && insRe.test(body(lines[i]!))) {
            if (after !== undefined) {
              index[1] = i + 1;
              if (a.firstmatch) break;
            }
            if (before !== undefined) {
              index[1] = i;
              if (a.firstmatch) break;
            }
          }
        }
      }
      let msg = '';
      let changed = false;
      const add = (at: number) => {
        lines.splice(at, 0, l + '\n');
        msg = 'line added';
        changed = true;
      };
      if (index[0] !== -1) {
        let newLine = a.backrefs && match && typeof match !== 'boolean' ? pyExpand(l, match) : l;
        if (!newLine.endsWith('\n')) newLine += '\n';
        if (regexp === undefined && a.search_string === undefined && !match && !exact) {
          if (after !== undefined && after !== 'EOF') {
            if (lines.length && !/[\n\r]$/.test(lines[lines.length - 1]!)) lines[lines.length - 1] += '\n';
            if (lines.length === index[1]) {
              if (rstripNl(lines[index[1] - 1]!) !== l) add(lines.length);
            } else if (rstripNl(lines[index[1]!]!) !== l) add(index[1]!);
          } else if (before !== undefined && before !== 'BOF') {
            if (index[1]! <= 0) {
              if (rstripNl(lines.at(index[1]!)!) !== l) add(index[1]!);
            } else if (rstripNl(lines[index[1]! - 1]!) !== l) add(index[1]!);
          }
        } else if (lines[index[0]!] !== newLine) {
          lines[index[0]!] = newLine;
          msg = 'line replaced';
          changed = true;
        }
      } else if (a.backrefs) {
        // no match: it is not safe to build the line without the backrefs
      } else if (before === 'BOF' || after === 'BOF') add(0);
      else if (after === 'EOF' || index[1] === -1) {
        if (lines.length && !/[\n\r]$/.test(lines[lines.length - 1]!)) lines.push('\n');
        add(lines.length);
      } else if (after !== undefined && index[1] !== -1) {
        if (lines.length === index[1]) {
          if (rstripNl(lines[index[1] - 1]!) !== l) add(lines.length);
        } else if (l !== rstripNl(lines[index[1]!]!)) add(index[1]!);
      } else add(index[1]!);
      return finishEdit(ctx, { ...common, after: lines.join(''), changed, msg, makeParents: a.create });
    }),
};
