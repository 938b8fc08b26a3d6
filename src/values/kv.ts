/**
 * Ansible's key=value argument strings (`copy: src=a dest="b c"`, `action: shell echo hi`),
 * ported from ansible/parsing/splitter.py so quoting, escapes and Jinja2 blocks split the
 * same way they do for ansible-playbook.
 */
import { PhiloteError, type SourceLocation } from '../errors.js';

/** Keys that command/shell/raw/script pull out of their free-form text. */
export const FREE_FORM_OPTION_KEYS = ['creates', 'removes', 'chdir', 'executable', 'warn', 'stdin', 'stdin_add_newline', 'strip_empty_ends'];

function quoteState(token: string, quoteChar: string | undefined): string | undefined {
  let q = quoteChar;
  for (let i = 0; i < token.length; i++) {
    const c = token[i]!;
    const prev = i > 0 ? token[i - 1] : undefined;
    if ((c === '"' || c === "'") && prev !== '\\') {
      if (q) {
        if (c === q) q = undefined;
      } else q = c;
    }
  }
  return q;
}

function countBlocks(token: string, depth: number, open: string, close: string): number {
  const opens = token.split(open).length - 1;
  const closes = token.split(close).length - 1;
  if (opens === closes) return depth;
  return Math.max(0, depth + opens - closes);
}

/** Splits on whitespace but keeps quoted strings and Jinja2 blocks together (split_args). */
export function splitArgs(args: string, location?: SourceLocation): string[] {
  const params: string[] = [];
  const items = args.split('\n');
  let quoteChar: string | undefined;
  let insideQuotes = false;
  let printDepth = 0;
  let blockDepth = 0;
  let commentDepth = 0;
  const appendLast = (s: string) => {
    if (params.length === 0) params.push(s);
    else params[params.length - 1] += s;
  };
  items.forEach((item, itemIdx) => {
    const tokens = item.split(' ');
    let lineContinuation = false;
    tokens.forEach((token, idx) => {
      if (token.length === 0 && idx !== 0) {
        appendLast(' ');
        return;
      }
      if (token === '\\' && !insideQuotes) {
        lineContinuation = true;
        return;
      }
      const wasInsideQuotes = insideQuotes;
      quoteChar = quoteState(token, quoteChar);
      insideQuotes = quoteChar !== undefined;
      let appended = false;
      const inJinja = printDepth || blockDepth || commentDepth;
      if (insideQuotes && !wasInsideQuotes && !inJinja) {
        params.push(token);
        appended = true;
      } else if (inJinja || insideQuotes || wasInsideQuotes) {
        if (idx === 0 && wasInsideQuotes) appendLast(token);
        else if (tokens.length > 1) appendLast((idx > 0 ? ' ' : '') + token);
        else appendLast('\n' + token);
        appended = true;
      }
      const prevPrint = printDepth;
      printDepth = countBlocks(token, printDepth, '{{', '}}');
      if (printDepth !== prevPrint && !appended) {
        params.push(token);
        appended = true;
      }
      const prevBlock = blockDepth;
      blockDepth = countBlocks(token, blockDepth, '{%', '%}');
      if (blockDepth !== prevBlock && !appended) {
        params.push(token);
        appended = true;
      }
      const prevComment = commentDepth;
      commentDepth = countBlocks(token, commentDepth, '{#', '#}');
      if (commentDepth !== prevComment && !appended) {
        params.push(token);
        appended = true;
      }
      if (!(printDepth || blockDepth || commentDepth) && !insideQuotes && !appended && token !== '') params.push(token);
    });
    if (items.length > 1 && itemIdx !== items.length - 1 && !lineContinuation) appendLast('\n');
  });
  if (printDepth || blockDepth || commentDepth || insideQuotes) {
    throw new PhiloteError('parse', `failed at splitting arguments, either an unbalanced jinja2 block or quotes: ${args}`, { location });
  }
  return params;
}

/** Joins split arguments back, keeping the original newlines (join_args). */
export function joinArgs(parts: string[]): string {
  let out = '';
  for (const p of parts) out += out.length === 0 || out.endsWith('\n') ? p : ' ' + p;
  return out;
}

export function isQuoted(s: string): boolean {
  return s.length > 1 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'") && s[s.length - 2] !== '\\';
}

export function unquote(s: string): string {
  return isQuoted(s) ? s.slice(1, -1) : s;
}

const SINGLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Python's unicode-escape decoding of \n, \t, \xNN, \uNNNN, \UNNNNNNNN (not \N{name}). */
function decodeEscapes(s: string): string {
  return s.replace(/\\U[0-9a-fA-F]{8}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\[\\'"abfnrtv]/g, (m) => {
    if (m.length === 2) return SINGLE_ESCAPES[m[1]!]!;
    return String.fromCodePoint(parseInt(m.slice(2), 16));
  });
}

/**
 * key=value pairs to a dict (parse_kv). Words without '=' (and, when `checkRaw`, pairs whose
 * key is not a free-form option such as chdir=) are joined into `_raw_params`.
 */
export function parseKeyValues(args: string, checkRaw = false, location?: SourceLocation): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  const raw: string[] = [];
  for (const orig of splitArgs(args, location)) {
    const x = decodeEscapes(orig);
    if (!x.includes('=')) {
      raw.push(orig);
      continue;
    }
    let pos = 0;
    let found = -1;
    for (;;) {
      pos = x.indexOf('=', pos + 1);
      if (pos < 0) break;
      if (x[pos - 1] !== '\\') {
        found = pos;
        break;
      }
    }
    if (found < 0) {
      // Only escaped '=' (or one at position 0): a raw word.
      raw.push(x.replace(/\\=/g, '='));
      continue;
    }
    const k = x.slice(0, found);
    const v = x.slice(found + 1);
    if (checkRaw && !FREE_FORM_OPTION_KEYS.includes(k)) raw.push(orig);
    else options[k.trim()] = unquote(v.trim());
  }
  if (raw.length) options['_raw_params'] = joinArgs(raw);
  return options;
}

/** "copy src=a dest=b" → ['copy', 'src=a dest=b'] (_split_module_string). */
export function splitModuleString(text: string, location?: SourceLocation): [string, string] {
  const tokens = splitArgs(text, location);
  if (tokens.length > 1) return [tokens[0]!.trim(), tokens.slice(1).join(' ')];
  return [(tokens[0] ?? '').trim(), ''];
}
