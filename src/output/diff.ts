/**
 * --diff output as Ansible's callback _get_diff prints it: difflib.unified_diff with
 * "before: <header>" / "after: <header>" file names, 3 lines of context, and the
 * "\ No newline at end of file" marker, followed by a blank line.
 */
import { structuredPatch } from 'diff';
import type { FileDiff } from '../modules/types.js';
import { COLOR, stringc } from './colors.js';
import { pyJson } from './pyjson.js';

const NONL = '\u0000philote-no-newline';

function asText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return pyJson(v, 4) + '\n';
  return String(v);
}

/** difflib's hunk range: "start" for one line, "start,len" otherwise (start-1 when empty). */
function range(start: number, len: number): string {
  if (len === 1) return String(start);
  return `${len === 0 ? Math.max(start, 0) : start},${len}`;
}

export function renderDiff(diffs: FileDiff | FileDiff[] | Array<Record<string, unknown>>, color: boolean, context = 3): string {
  const list = (Array.isArray(diffs) ? diffs : [diffs]) as Array<Record<string, unknown>>;
  const out: string[] = [];
  for (const d of list) {
    if ('dst_binary' in d) out.push('diff skipped: destination file appears to be binary\n');
    if ('src_binary' in d) out.push('diff skipped: source file appears to be binary\n');
    if ('dst_larger' in d) out.push(`diff skipped: destination file size is greater than ${d.dst_larger}\n`);
    if ('src_larger' in d) out.push(`diff skipped: source file size is greater than ${d.src_larger}\n`);
    if ('before' in d && 'after' in d) {
      const before = mark(asText(d.before));
      const after = mark(asText(d.after));
      const fromFile = d.before_header !== undefined ? `before: ${d.before_header}` : 'before';
      const toFile = d.after_header !== undefined ? `after: ${d.after_header}` : 'after';
      const patch = structuredPatch(fromFile, toFile, before, after, '', '', { context });
      if (patch.hunks.length > 0) {
        const lines = [`--- ${fromFile}`, `+++ ${toFile}`];
        for (const h of patch.hunks) {
          const oldStart = h.oldLines === 0 ? h.oldStart - 1 + (h.oldStart === 0 ? 1 : 0) : h.oldStart;
          const newStart = h.newLines === 0 ? h.newStart - 1 + (h.newStart === 0 ? 1 : 0) : h.newStart;
          lines.push(`@@ -${range(oldStart, h.oldLines)} +${range(newStart, h.newLines)} @@`);
          for (const l of h.lines) if (!l.startsWith('\\')) lines.push(l);
        }
        for (const l of lines) {
          const [text, nonl] = l.endsWith(NONL) ? [l.slice(0, -NONL.length), true] : [l, false];
          const c = text.startsWith('+') ? COLOR.diffAdd : text.startsWith('-') ? COLOR.diffRemove : text.startsWith('@@') ? COLOR.diffLines : undefined;
          out.push(stringc(text, c, color) + '\n');
          if (nonl) out.push('\\ No newline at end of file\n');
        }
        out.push('\n');
      }
    }
    if (typeof d.prepared === 'string') out.push(d.prepared);
  }
  return out.join('');
}

/** Every line ends with "\n"; a last line without one carries a marker that becomes difflib's note. */
function mark(text: string): string {
  if (text === '' || text.endsWith('\n')) return text;
  return text + NONL + '\n';
}
