/** Ansible's regex filters on top of JS RegExp, translating Python regex syntax. */
import type { FilterFn } from '../runtime/env.js';
import { FinalTemplateError, TemplateRuntimeError } from '../runtime/env.js';
import { pyStr, truthy, type Dict } from '../runtime/values.js';

/** Translate Python `re` syntax to a JS RegExp (named groups, \A \Z, inline flags). */
export function pyRegex(pattern: string, flags = '', _anchoredMultiline = false): RegExp {
  let p = pattern;
  let f = flags;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(p);
  if (inline) {
    p = p.slice(inline[0].length);
    for (const c of inline[1]!) if ('ims'.includes(c) && !f.includes(c)) f += c;
  }
  p = p
    .replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$(?![\\s\\S])');
  try {
    return new RegExp(p, f + 'u');
  } catch {
    try {
      return new RegExp(p, f);
    } catch (e) {
      throw new TemplateRuntimeError(`Invalid regular expression: ${(e as Error).message}`);
    }
  }
}

function reFlags(k: Dict): string {
  return (truthy(k['ignorecase'] ?? false) ? 'i' : '') + (truthy(k['multiline'] ?? false) ? 'm' : '');
}

/** Python's re.sub replacement syntax: \1, \g<1>, \g<name>. */
function translateReplacement(rep: string): (m: string, groups: (string | undefined)[], named: Record<string, string> | undefined) => string {
  return (m, groups, named) =>
    rep.replace(/\\(\d{1,2})|\\g<([^>]+)>|\\(.)/g, (_x, d: string | undefined, g: string | undefined, esc: string | undefined) => {
      if (d !== undefined) return d === '0' ? m : groups[Number(d) - 1] ?? '';
      if (g !== undefined) return /^\d+$/.test(g) ? (g === '0' ? m : groups[Number(g) - 1] ?? '') : named?.[g] ?? '';
      const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' };
      return map[esc!] ?? '\\' + esc;
    });
}

export const REGEX_FILTERS: Record<string, FilterFn> = {
  regex_replace: (_s, v, a, k) => {
    const s = pyStr(v);
    const pattern = pyStr(a[0] ?? k['pattern'] ?? '');
    const rep = pyStr(a[1] ?? k['replacement'] ?? '');
    const ignorecase = truthy(a[2] ?? k['ignorecase'] ?? false);
    const count = Number(a[3] ?? k['count'] ?? 0);
    const multiline = truthy(a[4] ?? k['multiline'] ?? false);
    const re = pyRegex(pattern, 'g' + (ignorecase ? 'i' : '') + (multiline ? 'm' : ''));
    const fn = translateReplacement(rep);
    let n = 0;
    return s.replace(re, (...m: unknown[]) => {
      if (count > 0 && n >= count) return m[0] as string;
      n++;
      const hasNamed = typeof m[m.length - 1] === 'object';
      const groups = m.slice(1, hasNamed ? -3 : -2) as (string | undefined)[];
      return fn(m[0] as string, groups, hasNamed ? (m[m.length - 1] as Record<string, string>) : undefined);
    });
  },
  regex_search: (_s, v, a, k) => {
    const s = pyStr(v);
    const re = pyRegex(pyStr(a[0]), reFlags(k));
    const m = re.exec(s);
    const groupArgs = a.slice(1).map(pyStr);
    if (!m) return groupArgs.length ? '' : null;
    if (!groupArgs.length) return m[0];
    return groupArgs.map((g) => {
      const bs = /^\\(\d+)$/.exec(g);
      if (bs) return m[Number(bs[1])] ?? null;
      const named = /^\\g<(\w+)>$/.exec(g);
      if (named) return m.groups?.[named[1]!] ?? null;
      throw new TemplateRuntimeError(`Unknown argument`);
    });
  },
  regex_findall: (_s, v, a, k) => {
    const s = pyStr(v);
    const re = pyRegex(pyStr(a[0]), 'g' + reFlags(k));
    const out: unknown[] = [];
    for (const m of s.matchAll(re)) {
      if (m.length === 1) out.push(m[0]);
      else if (m.length === 2) out.push(m[1] ?? '');
      else out.push(m.slice(1).map((x) => x ?? ''));
    }
    return out;
  },
  regex_escape: (_s, v, a, k) => {
    const s = pyStr(v);
    const type = pyStr(a[0] ?? k['re_type'] ?? 'python');
    if (type === 'posix_basic') return s.replace(/[\\.^$*[\]]/g, '\\$&');
    if (type === 'posix_extended') throw new FinalTemplateError(`Regex type (${type}) not yet implemented`);
    if (type !== 'python') throw new FinalTemplateError(`Invalid regex type (${type})`);
    // Python 3.7+ re.escape escapes only special characters.
    return s.replace(/[.^$*+?{}[\]\\|()\-#&~\s]/g, (c) => (c === '\n' ? '\\\n' : '\\' + c));
  },
};
