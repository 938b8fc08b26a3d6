/**
 * Python's ast.literal_eval for the subset Ansible meets when it turns a rendered string back into
 * a native value ("[1, 'a']", "{'k': True}", "True"). Returns NOT_LITERAL when the text is not a literal.
 */
import { lexString } from '../compile/lexer.js';
import { makeFloat, tuple, type Dict } from './values.js';

export const NOT_LITERAL = Symbol('philote.notliteral');

class Fail extends Error {}

export function literalEval(text: string): unknown {
  const p = { s: text, i: 0 };
  try {
    const v = value(p);
    ws(p);
    if (p.i !== p.s.length) return NOT_LITERAL;
    return v;
  } catch (e) {
    if (e instanceof Fail || e instanceof Error) return NOT_LITERAL;
    throw e;
  }
}

interface P {
  s: string;
  i: number;
}

function ws(p: P): void {
  while (p.i < p.s.length && ' \t\n\r\f\v'.includes(p.s[p.i]!)) p.i++;
}

function value(p: P): unknown {
  ws(p);
  const c = p.s[p.i];
  if (c === undefined) throw new Fail();
  if (c === '[') return seq(p, ']');
  if (c === '(') {
    const items = seq(p, ')', true);
    return items;
  }
  if (c === '{') return dict(p);
  if (c === "'" || c === '"') {
    let out = '';
    while (p.s[p.i] === "'" || p.s[p.i] === '"') {
      const [s, next] = lexString(p.s, p.i);
      out += s;
      p.i = next;
      ws(p);
    }
    return out;
  }
  if (c === '-' || c === '+') {
    p.i++;
    const v = value(p);
    if (typeof v === 'number') return c === '-' ? -v : v;
    if (v !== null && typeof v === 'object' && 'value' in v) return makeFloat(c === '-' ? -(v as { value: number }).value : (v as { value: number }).value);
    throw new Fail();
  }
  const m = /^(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*\.?[\d_]*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/.exec(p.s.slice(p.i));
  if (m) {
    p.i += m[0].length;
    const t = m[0].replace(/_/g, '');
    if (/^0[xX]/.test(t)) return parseInt(t.slice(2), 16);
    if (/^0[oO]/.test(t)) return parseInt(t.slice(2), 8);
    if (/^0[bB]/.test(t)) return parseInt(t.slice(2), 2);
    if (/[.eE]/.test(t)) return makeFloat(parseFloat(t));
    if (/^0\d/.test(t)) throw new Fail();
    return parseInt(t, 10);
  }
  // Ansible's Json2Python also accepts JSON's true/false/null.
  for (const [word, v] of [['True', true], ['False', false], ['None', null], ['true', true], ['false', false], ['null', null]] as const) {
    if (p.s.startsWith(word, p.i) && !/[A-Za-z0-9_]/.test(p.s[p.i + word.length] ?? '')) {
      p.i += word.length;
      return v;
    }
  }
  throw new Fail();
}

function seq(p: P, close: string, isTuple = false): unknown[] {
  p.i++;
  const items: unknown[] = [];
  let sawComma = false;
  for (;;) {
    ws(p);
    if (p.s[p.i] === close) {
      p.i++;
      break;
    }
    items.push(value(p));
    ws(p);
    if (p.s[p.i] === ',') {
      sawComma = true;
      p.i++;
      continue;
    }
    if (p.s[p.i] === close) {
      p.i++;
      break;
    }
    throw new Fail();
  }
  if (isTuple) {
    // "(1)" is just 1 in Python.
    if (items.length === 1 && !sawComma) return items[0] as unknown[];
    return tuple(items);
  }
  return items;
}

function dict(p: P): unknown {
  p.i++;
  const out: Dict = {};
  const set: unknown[] = [];
  for (;;) {
    ws(p);
    if (p.s[p.i] === '}') {
      p.i++;
      break;
    }
    const k = value(p);
    ws(p);
    if (p.s[p.i] === ':') {
      p.i++;
      out[keyString(k)] = value(p);
    } else set.push(k);
    ws(p);
    if (p.s[p.i] === ',') {
      p.i++;
      continue;
    }
    if (p.s[p.i] === '}') {
      p.i++;
      break;
    }
    throw new Fail();
  }
  if (set.length) return set;
  return out;
}

function keyString(k: unknown): string {
  if (typeof k === 'string') return k;
  if (k === true) return 'True';
  if (k === false) return 'False';
  if (k === null) return 'None';
  if (typeof k === 'number') return String(k);
  throw new Fail();
}
