/**
 * THE Python ast.literal_eval, for both places Ansible uses it:
 * - INI inventory values: `a=1` is an int, `b=[1,2]` a list, `c=None` null, but `d=true` stays
 *   the string "true" (true is not a Python literal);
 * - a rendered template that looks like a list, dict or boolean (ansible_eval_concat), where
 *   Ansible's Json2Python also reads JSON's true/false/null (`jsonNames`).
 * Strings follow Python's rules (prefixes r/u/b, triple quotes, escapes, adjacent literals
 * concatenated), numbers too (underscores, 0x/0o/0b, no leading zeros). Anything that is not a
 * literal comes back as `undefined`, and the caller keeps the original text.
 */

class NotLiteral extends Error {}

export interface LiteralOptions {
  /** Ansible's Json2Python (templating only): true/false/null read as True/False/None. */
  jsonNames?: boolean;
}

export function literalEval(text: string, opts: LiteralOptions = {}): { value: unknown } | undefined {
  try {
    const p = new Parser(text, opts.jsonNames ?? false);
    p.skipSpace();
    const value = p.expression();
    p.skipSpace();
    if (!p.atEnd()) throw new NotLiteral();
    return { value };
  } catch (e) {
    if (e instanceof NotLiteral) return undefined;
    throw e;
  }
}

class Parser {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly jsonNames: boolean,
  ) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  /** Whitespace, line continuations and '#' comments, as the Python tokenizer skips them. */
  skipSpace(): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') this.i++;
      else if (c === '#') {
        while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
      } else return;
    }
  }

  expression(): unknown {
    this.skipSpace();
    const c = this.s[this.i];
    if (c === undefined) throw new NotLiteral();
    if (c === '-' || c === '+') {
      this.i++;
      const v = this.expression();
      if (typeof v !== 'number') throw new NotLiteral();
      return c === '-' ? -v : v;
    }
    if (c === '[') return this.sequence(']');
    if (c === '(') return this.tuple();
    if (c === '{') return this.dictOrSet();
    if (/[0-9.]/.test(c)) return this.number();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i))?.[0];
    if (word !== undefined) {
      const next = this.s[this.i + word.length];
      if ((next === '"' || next === "'") && /^(r|u|b|br|rb)$/i.test(word)) {
        this.i += word.length;
        return this.strings(word.toLowerCase().includes('r'));
      }
      this.i += word.length;
      if (word === 'True') return true;
      if (word === 'False') return false;
      if (word === 'None') return null;
      if (this.jsonNames && word === 'true') return true;
      if (this.jsonNames && word === 'false') return false;
      if (this.jsonNames && word === 'null') return null;
      throw new NotLiteral();
    }
    if (c === '"' || c === "'") return this.strings(false);
    throw new NotLiteral();
  }

  /** Adjacent string literals concatenate ("a" 'b' == "ab"). */
  private strings(raw: boolean): string {
    let out = this.string(raw);
    for (;;) {
      const save = this.i;
      this.skipSpace();
      const prefix = /^(r|u|b|br|rb)?(?=["'])/i.exec(this.s.slice(this.i));
      if (!prefix) {
        this.i = save;
        return out;
      }
      this.i += prefix[0].length;
      out += this.string((prefix[1] ?? '').toLowerCase().includes('r'));
    }
  }

  private string(raw: boolean): string {
    const q = this.s[this.i]!;
    const triple = this.s.startsWith(q.repeat(3), this.i);
    const end = triple ? q.repeat(3) : q;
    this.i += end.length;
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) throw new NotLiteral();
      if (this.s.startsWith(end, this.i)) {
        this.i += end.length;
        return out;
      }
      const c = this.s[this.i]!;
      if (c === '\n' && !triple) throw new NotLiteral();
      if (c === '\\') {
        const n = this.s[this.i + 1];
        if (n === undefined) throw new NotLiteral();
        if (raw) {
          out += c + n;
          this.i += 2;
          continue;
        }
        this.i += 2;
        out += this.escape(n);
        continue;
      }
      out += c;
      this.i++;
    }
  }

  private escape(n: string): string {
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '' };
    if (n === 'x' || n === 'u' || n === 'U') {
      const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const hex = this.s.slice(this.i, this.i + len);
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new NotLiteral();
      this.i += len;
      return String.fromCodePoint(Number.parseInt(hex, 16));
    }
    if (/[0-7]/.test(n)) {
      let oct = n;
      while (oct.length < 3 && /[0-7]/.test(this.s[this.i] ?? '')) oct += this.s[this.i++];
      return String.fromCharCode(Number.parseInt(oct, 8));
    }
    return simple[n] ?? `\\${n}`;
  }

  private number(): number {
    const rest = this.s.slice(this.i);
    const m =
      /^0[xX](?:_?[0-9a-fA-F])+|^0[oO](?:_?[0-7])+|^0[bB](?:_?[01])+/.exec(rest) ??
      /^(?:\d(?:_?\d)*)?\.?(?:\d(?:_?\d)*)?(?:[eE][-+]?\d(?:_?\d)*)?/.exec(rest);
    const text = m?.[0] ?? '';
    if (text === '' || text === '.' || /[jJA-Za-z_]/.test(rest[text.length] ?? '')) throw new NotLiteral();
    this.i += text.length;
    const clean = text.replace(/_/g, '');
    if (/^0[xob]/i.test(clean)) return Number(clean.toLowerCase());
    // Python refuses leading zeros in decimal integers ("01"), which stay strings in Ansible.
    if (/^0\d/.test(clean) && !/[.eE]/.test(clean)) {
      if (!/^0+$/.test(clean)) throw new NotLiteral();
    }
    return Number(clean);
  }

  private sequence(close: string): unknown[] {
    this.i++;
    const out: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] === close) {
        this.i++;
        return out;
      }
      out.push(this.expression());
      this.skipSpace();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== close) throw new NotLiteral();
    }
  }

  private tuple(): unknown {
    const start = this.i;
    const items = this.sequence(')');
    // "(1)" is just 1; "(1,)" and "()" are tuples.
    const inner = this.s.slice(start + 1, this.i - 1).trim();
    if (items.length === 1 && !inner.endsWith(',')) return items[0];
    return items;
  }

  private dictOrSet(): unknown {
    this.i++;
    const dict: Record<string, unknown> = {};
    const set: unknown[] = [];
    let kind: 'dict' | 'set' | undefined;
    for (;;) {
      this.skipSpace();
      if (this.s[this.i] === '}') {
        this.i++;
        return kind === 'set' ? set : dict;
      }
      const key = this.expression();
      this.skipSpace();
      if (this.s[this.i] === ':') {
        if (kind === 'set') throw new NotLiteral();
        kind = 'dict';
        this.i++;
        if (key !== null && typeof key === 'object') throw new NotLiteral(); // unhashable
        dict[String(key)] = this.expression();
      } else {
        if (kind === 'dict') throw new NotLiteral();
        kind = 'set';
        if (!set.includes(key)) set.push(key);
      }
      this.skipSpace();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') throw new NotLiteral();
    }
  }
}
