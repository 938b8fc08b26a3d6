/**
 * Recursive-descent parser for Jinja2 templates, following Jinja2 3.1's grammar and operator
 * precedence (filters and `is` tests bind tighter than arithmetic; `**` is left-associative).
 */
import type { CallArgs, Expr, MacroDef, Stmt, Target } from './ast.js';
import { tokenize, type Token } from './lexer.js';
import { TemplateSyntaxError } from './syntax-error.js';
import { makeFloat } from '../runtime/values.js';

const COMPARE_OPS = new Set(['==', '!=', '<', '>', '<=', '>=']);

export function parseTemplate(src: string, rawVarStrings = false): Stmt[] {
  const p = new Parser(src, tokenize(src, rawVarStrings));
  const body = p.parseBody([]);
  return body;
}

/** Parse a bare expression (a `when:` condition). */
export function parseExpression(src: string): Expr {
  const toks = tokenize('{{' + src + '}}');
  const p = new Parser(src, toks.map((t) => ({ ...t, pos: Math.max(0, t.pos - 2) })));
  p.expect('var_begin');
  const e = p.parseTupleOrExpr();
  if (p.cur.type !== 'var_end') p.fail(`unexpected '${p.cur.value || p.cur.type}'`);
  return e;
}

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  get cur(): Token {
    return this.toks[this.i]!;
  }
  private peek(n = 1): Token {
    return this.toks[Math.min(this.i + n, this.toks.length - 1)]!;
  }
  private next(): Token {
    return this.toks[this.i++]!;
  }
  fail(msg: string, pos = this.cur.pos): never {
    throw new TemplateSyntaxError(msg, this.src, pos);
  }
  private isOp(v: string): boolean {
    return this.cur.type === 'op' && this.cur.value === v;
  }
  private isName(v: string): boolean {
    return this.cur.type === 'name' && this.cur.value === v;
  }
  private skipOp(v: string): boolean {
    if (this.isOp(v)) {
      this.i++;
      return true;
    }
    return false;
  }
  private skipName(v: string): boolean {
    if (this.isName(v)) {
      this.i++;
      return true;
    }
    return false;
  }
  expect(type: Token['type'], value?: string): Token {
    const t = this.cur;
    if (t.type !== type || (value !== undefined && t.value !== value)) {
      const what = value ?? (type === 'var_end' ? 'end of print statement' : type === 'block_end' ? 'end of statement block' : type);
      // Jinja's describe_token: the end tokens by their role, others by their text.
      const got = t.type === 'eof' ? 'end of template' : t.type === 'var_end' ? 'end of print statement' : t.type === 'block_end' ? 'end of statement block' : t.value || t.type.replace('_', ' ');
      this.fail(`expected token '${what}', got '${got}'`);
    }
    this.i++;
    return t;
  }

  /** Parse statements until one of the given block keywords (left unconsumed, after block_begin). */
  parseBody(endTags: string[]): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      const t = this.cur;
      if (t.type === 'eof') {
        if (endTags.length) this.fail(`Unexpected end of template. Jinja was looking for the following tags: '${endTags.join("' or '")}'.`);
        return out;
      }
      if (t.type === 'text') {
        this.i++;
        out.push({ t: 'text', text: t.value });
      } else if (t.type === 'var_begin') {
        this.i++;
        out.push({ t: 'output', expr: this.parseTupleOrExpr() });
        this.expect('var_end');
      } else if (t.type === 'block_begin') {
        const kw = this.peek();
        if (kw.type === 'name' && endTags.includes(kw.value)) {
          this.i++;
          return out;
        }
        this.i++;
        out.push(this.parseStatement());
      } else {
        this.fail(`unexpected '${t.value}'`);
      }
    }
  }

  private endBlock(tag: string): void {
    this.expect('name', tag);
    this.expect('block_end');
  }

  private parseStatement(): Stmt {
    const kw = this.expect('name');
    switch (kw.value) {
      case 'if':
        return this.parseIf();
      case 'for':
        return this.parseFor();
      case 'set':
        return this.parseSet();
      case 'macro': {
        const def = this.parseMacroSignature();
        this.expect('block_end');
        def.body = this.parseBody(['endmacro']);
        this.endBlock('endmacro');
        return { t: 'macro', def };
      }
      case 'call': {
        let params: [string, Expr | undefined][] = [];
        if (this.isOp('(')) params = this.parseParams();
        const call = this.parseExpr();
        this.expect('block_end');
        const body = this.parseBody(['endcall']);
        this.endBlock('endcall');
        return { t: 'callblock', call, caller: { name: 'caller', params, body } };
      }
      case 'filter': {
        const filters = this.parseFilterChain();
        this.expect('block_end');
        const body = this.parseBody(['endfilter']);
        this.endBlock('endfilter');
        return { t: 'filterblock', filters, body };
      }
      case 'with': {
        const assigns: [Target, Expr][] = [];
        while (!(this.cur.type === 'block_end')) {
          if (assigns.length) this.expect('op', ',');
          const target = this.parseAssignTarget();
          this.expect('op', '=');
          assigns.push([target, this.parseExpr()]);
        }
        this.expect('block_end');
        const body = this.parseBody(['endwith']);
        this.endBlock('endwith');
        return { t: 'with', assigns, body };
      }
      case 'include': {
        const template = this.parseExpr();
        let ignoreMissing = false;
        if (this.isName('ignore') && this.peek().value === 'missing') {
          this.i += 2;
          ignoreMissing = true;
        }
        if (this.skipName('with') || this.skipName('without')) this.expect('name', 'context');
        this.expect('block_end');
        return { t: 'include', template, ignoreMissing };
      }
      case 'break':
      case 'continue':
        this.expect('block_end');
        return { t: kw.value };
      case 'do': {
        const expr = this.parseTupleOrExpr();
        this.expect('block_end');
        return { t: 'do', expr };
      }
      default:
        return this.fail(`Encountered unknown tag '${kw.value}'.`, kw.pos);
    }
  }

  private parseIf(): Stmt {
    const branches: [Expr, Stmt[]][] = [];
    let cond = this.parseTupleOrExpr();
    this.expect('block_end');
    for (;;) {
      const body = this.parseBody(['elif', 'else', 'endif']);
      branches.push([cond, body]);
      const tag = this.next().value;
      if (tag === 'elif') {
        cond = this.parseTupleOrExpr();
        this.expect('block_end');
        continue;
      }
      if (tag === 'else') {
        this.expect('block_end');
        const else_ = this.parseBody(['endif']);
        this.endBlock('endif');
        return { t: 'if', branches, else_ };
      }
      this.expect('block_end');
      return { t: 'if', branches, else_: [] };
    }
  }

  private parseFor(): Stmt {
    const target = this.parseAssignTarget();
    this.expect('name', 'in');
    const iter = this.parseTupleOrExpr(false);
    let filter: Expr | undefined;
    if (this.skipName('if')) filter = this.parseExpr();
    const recursive = this.skipName('recursive');
    this.expect('block_end');
    const body = this.parseBody(['endfor', 'else']);
    let else_: Stmt[] = [];
    if (this.next().value === 'else') {
      this.expect('block_end');
      else_ = this.parseBody(['endfor']);
      this.endBlock('endfor');
    } else this.expect('block_end');
    return { t: 'for', target, iter, filter, body, else_, recursive };
  }

  private parseSet(): Stmt {
    const target = this.parseAssignTarget();
    if (this.skipOp('=')) {
      const expr = this.parseTupleOrExpr();
      this.expect('block_end');
      return { t: 'set', target, expr };
    }
    const filters = this.isOp('|') ? (this.i++, this.parseFilterChain()) : [];
    this.expect('block_end');
    const body = this.parseBody(['endset']);
    this.endBlock('endset');
    return { t: 'setblock', target, body, filters };
  }

  private parseAssignTarget(): Target {
    const one = (): Target => {
      if (this.skipOp('(')) {
        const t = this.parseAssignTarget();
        this.expect('op', ')');
        return t;
      }
      const name = this.expect('name').value;
      if (this.skipOp('.')) return { t: 'nsattr', ns: name, attr: this.expect('name').value };
      return { t: 'name', name };
    };
    const first = one();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.skipOp(',')) {
      if (this.cur.type !== 'name' && !this.isOp('(')) break;
      items.push(one());
    }
    return { t: 'tuple', items };
  }

  private parseMacroSignature(): MacroDef {
    const name = this.expect('name').value;
    return { name, params: this.parseParams(), body: [] };
  }

  private parseParams(): [string, Expr | undefined][] {
    const params: [string, Expr | undefined][] = [];
    this.expect('op', '(');
    while (!this.skipOp(')')) {
      if (params.length) this.expect('op', ',');
      if (this.skipOp(')')) break;
      const pname = this.expect('name').value;
      params.push([pname, this.skipOp('=') ? this.parseExpr() : undefined]);
    }
    return params;
  }

  /** `name(args) | name2 ...` as used by {% filter %} and {% set x | f %}: returns filter nodes with a null operand. */
  private parseFilterChain(): Expr[] {
    const out: Expr[] = [];
    do {
      const pos = this.cur.pos;
      const name = this.parseDottedName();
      const call = this.isOp('(') ? this.parseCallArgs() : { args: [], kwargs: [] };
      out.push({ t: 'filter', name, operand: null, call, pos });
    } while (this.skipOp('|'));
    return out;
  }

  private parseDottedName(): string {
    let name = this.expect('name').value;
    while (this.isOp('.') && this.peek().type === 'name') {
      this.i++;
      name += '.' + this.next().value;
    }
    return name;
  }

  /** An expression, or a bare tuple `a, b` (as in `{% for %}` targets' iterables and `{{ a, b }}`). */
  parseTupleOrExpr(allowCond = true): Expr {
    const first = allowCond ? this.parseExpr() : this.parseOr();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.skipOp(',')) {
      if (this.atExprEnd()) break;
      items.push(allowCond ? this.parseExpr() : this.parseOr());
    }
    return { t: 'tuple', items };
  }

  private atExprEnd(): boolean {
    const t = this.cur;
    return t.type === 'var_end' || t.type === 'block_end' || t.type === 'eof' || (t.type === 'op' && [')', ']', '}'].includes(t.value)) || (t.type === 'name' && (t.value === 'if' || t.value === 'recursive'));
  }

  parseExpr(): Expr {
    const e = this.parseOr();
    if (this.skipName('if')) {
      const test = this.parseOr();
      const else_ = this.skipName('else') ? this.parseExpr() : undefined;
      return { t: 'cond', test, then: e, else_ };
    }
    return e;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.skipName('or')) left = { t: 'or', left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.skipName('and')) left = { t: 'and', left, right: this.parseNot() };
    return left;
  }

  private parseNot(): Expr {
    if (this.skipName('not')) return { t: 'unary', op: 'not', operand: this.parseNot() };
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const first = this.parseMath1();
    const ops: [string, Expr][] = [];
    for (;;) {
      if (this.cur.type === 'op' && COMPARE_OPS.has(this.cur.value)) {
        const op = this.next().value;
        ops.push([op, this.parseMath1()]);
      } else if (this.skipName('in')) {
        ops.push(['in', this.parseMath1()]);
      } else if (this.isName('not') && this.peek().type === 'name' && this.peek().value === 'in') {
        this.i += 2;
        ops.push(['notin', this.parseMath1()]);
      } else break;
    }
    return ops.length ? { t: 'compare', first, ops } : first;
  }

  private parseMath1(): Expr {
    let left = this.parseConcat();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().value;
      left = { t: 'binop', op, left, right: this.parseConcat() };
    }
    return left;
  }

  private parseConcat(): Expr {
    const items = [this.parseMath2()];
    while (this.skipOp('~')) items.push(this.parseMath2());
    return items.length === 1 ? items[0]! : { t: 'concat', items };
  }

  private parseMath2(): Expr {
    let left = this.parsePow();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const op = this.next().value;
      left = { t: 'binop', op, left, right: this.parsePow() };
    }
    return left;
  }

  private parsePow(): Expr {
    let left = this.parseUnary();
    while (this.skipOp('**')) left = { t: 'binop', op: '**', left, right: this.parseUnary() };
    return left;
  }

  private parseUnary(withFilter = true): Expr {
    let node: Expr;
    if (this.skipOp('-')) node = { t: 'unary', op: '-', operand: this.parseUnary(false) };
    else if (this.skipOp('+')) node = { t: 'unary', op: '+', operand: this.parseUnary(false) };
    else node = this.parsePrimary();
    node = this.parsePostfix(node);
    if (withFilter) node = this.parseFilterExpr(node);
    return node;
  }

  private parsePrimary(): Expr {
    const t = this.cur;
    if (t.type === 'name') {
      this.i++;
      switch (t.value) {
        case 'true':
        case 'True':
          return { t: 'const', value: true };
        case 'false':
        case 'False':
          return { t: 'const', value: false };
        case 'none':
        case 'None':
          return { t: 'const', value: null };
      }
      return { t: 'name', name: t.value };
    }
    if (t.type === 'string') {
      let s = '';
      while (this.cur.type === 'string') s += this.next().value;
      return { t: 'const', value: s };
    }
    if (t.type === 'int') {
      this.i++;
      return { t: 'const', value: parseInt(t.value, 10) };
    }
    if (t.type === 'float') {
      this.i++;
      return { t: 'const', value: floatConst(t.value) };
    }
    if (this.skipOp('(')) {
      if (this.skipOp(')')) return { t: 'tuple', items: [] };
      const first = this.parseExpr();
      if (this.skipOp(')')) return first;
      const items = [first];
      while (this.skipOp(',')) {
        if (this.isOp(')')) break;
        items.push(this.parseExpr());
      }
      this.expect('op', ')');
      return { t: 'tuple', items };
    }
    if (this.skipOp('[')) {
      const items: Expr[] = [];
      while (!this.skipOp(']')) {
        if (items.length) this.expect('op', ',');
        if (this.skipOp(']')) break;
        items.push(this.parseExpr());
      }
      return { t: 'list', items };
    }
    if (this.skipOp('{')) {
      const items: [Expr, Expr][] = [];
      while (!this.skipOp('}')) {
        if (items.length) this.expect('op', ',');
        if (this.skipOp('}')) break;
        const k = this.parseExpr();
        this.expect('op', ':');
        items.push([k, this.parseExpr()]);
      }
      return { t: 'dict', items };
    }
    const got = t.type === 'var_end' ? 'end of print statement' : t.type === 'block_end' ? 'end of statement block' : t.type === 'eof' ? 'end of template' : t.value;
    return this.fail(`unexpected '${got}'`);
  }

  private parsePostfix(node: Expr): Expr {
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        const t = this.next();
        if (t.type === 'name') node = { t: 'getattr', obj: node, attr: t.value };
        else if (t.type === 'int') node = { t: 'getitem', obj: node, key: { t: 'const', value: parseInt(t.value, 10) } };
        else this.fail('expected name or number', t.pos);
      } else if (this.isOp('[')) {
        this.i++;
        node = this.parseSubscript(node);
      } else if (this.isOp('(')) {
        node = { t: 'call', fn: node, call: this.parseCallArgs() };
      } else return node;
    }
  }

  private parseSubscript(obj: Expr): Expr {
    const part = (): Expr | undefined => (this.isOp(':') || this.isOp(']') ? undefined : this.parseExpr());
    const start = part();
    if (this.skipOp(']')) {
      if (!start) this.fail('expected subscript expression');
      return { t: 'getitem', obj, key: start };
    }
    this.expect('op', ':');
    const stop = part();
    let step: Expr | undefined;
    if (this.skipOp(':')) step = part();
    this.expect('op', ']');
    return { t: 'slice', obj, start, stop, step };
  }

  private parseCallArgs(): CallArgs {
    this.expect('op', '(');
    const call: CallArgs = { args: [], kwargs: [] };
    let first = true;
    while (!this.skipOp(')')) {
      if (!first) this.expect('op', ',');
      first = false;
      if (this.skipOp(')')) break;
      if (this.skipOp('**')) {
        call.starKwargs = this.parseExpr();
      } else if (this.skipOp('*')) {
        call.starArgs = this.parseExpr();
      } else if (this.cur.type === 'name' && this.peek().type === 'op' && this.peek().value === '=') {
        const k = this.next().value;
        this.i++;
        call.kwargs.push([k, this.parseExpr()]);
      } else {
        if (call.kwargs.length) this.fail('positional argument follows keyword argument');
        call.args.push(this.parseExpr());
      }
    }
    return call;
  }

  private parseFilterExpr(node: Expr): Expr {
    for (;;) {
      if (this.isOp('|')) {
        this.i++;
        const pos = this.cur.pos;
        const name = this.parseDottedName();
        const call = this.isOp('(') ? this.parseCallArgs() : { args: [], kwargs: [] };
        node = { t: 'filter', name, operand: node, call, pos };
      } else if (this.isName('is')) {
        this.i++;
        const negate = this.skipName('not');
        const pos = this.cur.pos;
        const name = this.parseDottedName();
        let call: CallArgs = { args: [], kwargs: [] };
        const c = this.cur;
        if (this.isOp('(')) call = this.parseCallArgs();
        else if (
          (['name', 'string', 'int', 'float'].includes(c.type) || (c.type === 'op' && ['[', '{'].includes(c.value))) &&
          !(c.type === 'name' && ['else', 'or', 'and', 'if', 'is', 'in', 'not', 'recursive'].includes(c.value))
        ) {
          call = { args: [this.parsePostfix(this.parsePrimary())], kwargs: [] };
        }
        node = { t: 'test', name, operand: node, call, negate, pos };
      } else if (this.isOp('(')) {
        node = { t: 'call', fn: node, call: this.parseCallArgs() };
      } else return node;
    }
  }
}

function floatConst(text: string): unknown {
  return makeFloat(parseFloat(text));
}
