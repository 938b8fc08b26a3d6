/**
 * Jinja2 lexer with Ansible's settings: trim_blocks=True, lstrip_blocks=False,
 * "-" whitespace control, {% raw %}, {# comments #}, and brace balancing inside tags so that
 * `{{ {'a': {'b': 1}} }}` ends at the right "}}".
 */
import { TemplateSyntaxError } from './syntax-error.js';

export type TokType =
  | 'text'
  | 'var_begin'
  | 'var_end'
  | 'block_begin'
  | 'block_end'
  | 'name'
  | 'string'
  | 'int'
  | 'float'
  | 'op'
  | 'eof';

export interface Token {
  type: TokType;
  value: string;
  /** Offset in the source, for error positions. */
  pos: number;
}

const OPERATORS = ['//', '**', '==', '!=', '<=', '>=', '+', '-', '*', '/', '%', '~', '<', '>', '=', '(', ')', '[', ']', '{', '}', ',', '.', ':', '|'];

/**
 * rawVarStrings: Ansible doubles backslashes in string literals inside {{ }} before Jinja sees them
 * (Templar._escape_backslashes), so "{{ 'a\\.b' }}" keeps its backslash; {% %} strings are decoded.
 */
export function tokenize(src: string, rawVarStrings = false): Token[] {
  const out: Token[] = [];
  let i = 0;
  // Whether the previous tag asked to strip the whitespace that follows it ("-%}" / "-}}").
  let stripNext = false;
  // trim_blocks: the first newline after a block tag is removed.
  let trimNewline = false;

  const pushText = (text: string, pos: number, stripEnd: boolean): void => {
    if (stripNext) text = text.replace(/^\s+/, '');
    else if (trimNewline) text = text.replace(/^\r?\n/, '');
    if (stripEnd) text = text.replace(/\s+$/, '');
    stripNext = false;
    trimNewline = false;
    if (text) out.push({ type: 'text', value: text, pos });
  };

  while (i < src.length) {
    const open = findOpen(src, i);
    if (open < 0) {
      pushText(src.slice(i), i, false);
      break;
    }
    const kind = src[open + 1];
    const minus = src[open + 2] === '-';
    const plus = src[open + 2] === '+';
    pushText(src.slice(i, open), i, minus);
    let p = open + 2 + (minus || plus ? 1 : 0);
    if (kind === '#') {
      const end = src.indexOf('#}', p);
      if (end < 0) throw new TemplateSyntaxError('missing end of comment tag', src, open);
      stripNext = src[end - 1] === '-';
      i = end + 2;
      continue;
    }
    if (kind === '%') {
      const raw = /^\s*raw\s*(-?)%\}/.exec(src.slice(p));
      if (raw) {
        const bodyStart = p + raw[0].length;
        const endRe = /\{%(-?)\s*endraw\s*(-?)%\}/g;
        endRe.lastIndex = bodyStart;
        const m = endRe.exec(src);
        if (!m) throw new TemplateSyntaxError("Missing end of raw directive", src, open);
        let body = src.slice(bodyStart, m.index);
        if (raw[1] === '-') body = body.replace(/^\s+/, '');
        else body = body.replace(/^\r?\n/, '');
        if (m[1] === '-') body = body.replace(/\s+$/, '');
        if (body) out.push({ type: 'text', value: body, pos: bodyStart });
        stripNext = m[2] === '-';
        trimNewline = !stripNext;
        i = m.index + m[0].length;
        continue;
      }
    }
    out.push({ type: kind === '{' ? 'var_begin' : 'block_begin', value: '', pos: open });
    p = lexInside(src, p, kind === '{' ? '}}' : '%}', out, rawVarStrings && kind === '{');
    const endTok = out[out.length - 1]!;
    stripNext = src[endTok.pos] === '-';
    trimNewline = kind === '%' && !stripNext;
    i = p;
  }
  out.push({ type: 'eof', value: '', pos: src.length });
  return out;
}

function findOpen(src: string, from: number): number {
  let i = src.indexOf('{', from);
  while (i >= 0) {
    const c = src[i + 1];
    if (c === '{' || c === '%' || c === '#') return i;
    i = src.indexOf('{', i + 1);
  }
  return -1;
}

/** Lex expression tokens until the closing delimiter; returns the offset after it. */
function lexInside(src: string, i: number, close: '}}' | '%}', out: Token[], rawStrings: boolean): number {
  const balance: string[] = [];
  const start = i;
  while (i < src.length) {
    const c = src[i]!;
    // Python's str.isspace() counts as whitespace between tokens, a non-breaking space included.
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || /\s/.test(c)) {
      i++;
      continue;
    }
    if (balance.length === 0) {
      if (src.startsWith('-' + close, i) || src.startsWith(close, i)) {
        const minus = c === '-';
        out.push({ type: close === '}}' ? 'var_end' : 'block_end', value: '', pos: i });
        return i + close.length + (minus ? 1 : 0);
      }
      if (src.startsWith('+' + close, i)) {
        out.push({ type: close === '}}' ? 'var_end' : 'block_end', value: '', pos: i + 1 });
        return i + close.length + 1;
      }
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 200))!;
      out.push({ type: 'name', value: m[0], pos: i });
      i += m[0].length;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^(\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?|\d[\d_]*[eE][+-]?\d+)/.exec(src.slice(i, i + 100))!;
      const isFloat = m[0].includes('.') || /[eE]/.test(m[0]);
      out.push({ type: isFloat ? 'float' : 'int', value: m[0].replace(/_/g, ''), pos: i });
      i += m[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      const [value, next] = lexString(src, i, rawStrings);
      out.push({ type: 'string', value, pos: i });
      i = next;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new TemplateSyntaxError(`unexpected char ${JSON.stringify(c)} at ${i}`, src, i);
    if (op === '(' || op === '[' || op === '{') balance.push(op);
    else if (op === ')' || op === ']' || op === '}') {
      const want = op === ')' ? '(' : op === ']' ? '[' : '{';
      if (balance.pop() !== want) throw new TemplateSyntaxError(`unexpected '${op}'`, src, i);
    }
    out.push({ type: 'op', value: op, pos: i });
    i += op.length;
  }
  throw new TemplateSyntaxError(
    close === '}}' ? "unexpected end of template, expected 'end of print statement'." : "unexpected end of template, expected 'end of statement block'.",
    src,
    start,
  );
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v' };

/** A Python string literal (Jinja2 decodes escapes the same way). */
export function lexString(src: string, i: number, raw = false): [string, number] {
  const q = src[i]!;
  let out = '';
  let j = i + 1;
  while (j < src.length) {
    const c = src[j]!;
    if (c === q) return [out, j + 1];
    if (raw && c === '\\') {
      out += src.slice(j, j + 2);
      j += 2;
      continue;
    }
    if (c === '\\') {
      const n = src[j + 1]!;
      if (n === 'x') {
        out += String.fromCharCode(parseInt(src.slice(j + 2, j + 4), 16));
        j += 4;
        continue;
      }
      if (n === 'u') {
        out += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16));
        j += 6;
        continue;
      }
      if (n === '\n') {
        j += 2;
        continue;
      }
      if (n in ESCAPES) out += ESCAPES[n];
      else out += '\\' + n;
      j += 2;
      continue;
    }
    out += c;
    j++;
  }
  throw new TemplateSyntaxError('unexpected end of string', src, i);
}
