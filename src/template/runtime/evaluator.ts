/**
 * Walks the syntax tree. One Evaluator exists per top-level render call: it holds the lazily
 * templated variable cache and the stack used to detect variables that refer to themselves.
 */
import { PendingVault } from '../../values/vault-hook.js';
import type { CallArgs, Expr, MacroDef, Stmt, Target } from '../compile/ast.js';
import { FILTERS } from '../filters/index.js';
import { TESTS } from '../tests/index.js';
import { GLOBALS } from '../globals.js';
import { OMIT, type TemplateContext } from '../types.js';
import { isUnsafeContainer, UnsafeText } from '../unsafe.js';
import { isPyObject, NO_ATTR, PyCallable } from './callable.js';
import { shortName, TemplateRuntimeError, type EvalState } from './env.js';
import { methodFor } from './methods.js';
import { binop } from './ops.js';
import {
  failUndefined,
  isDict,
  isNumber,
  Namespace,
  num,
  pyCompare,
  pyContains,
  pyEquals,
  pyIter,
  pyStr,
  PyTypeError,
  tuple,
  truthy,
  Undefined,
  type Dict,
} from './values.js';

/** Tests that look at a vault value without decrypting it. */
const VAULT_BLIND_TESTS = new Set(['defined', 'undefined', 'vault_encrypted', 'ansible.builtin.vault_encrypted']);
/** Filters that take a vault value as it is: unvault opens it with its own secret. */
const VAULT_BLIND_FILTERS = new Set(['unvault', 'ansible.builtin.unvault', 'type_debug', 'ansible.builtin.type_debug']);

/** Filters that receive an Undefined instead of failing on it. */
const ANSIBLE_BUILTIN_FILTERS = new Set(
  'b64decode b64encode basename bool checksum combinations combine comment dict2items difference dirname expanduser expandvars extract fileglob flatten from_json from_yaml from_yaml_all hash human_readable human_to_bytes intersect items2dict log mandatory md5 password_hash path_join permutations pow product quote random realpath regex_escape regex_findall regex_replace regex_search rekey_on_member relpath root sha1 shuffle split splitext strftime subelements symmetric_difference ternary to_datetime to_json to_nice_json to_nice_yaml to_uuid to_yaml type_debug union unique unvault urldecode urlsplit vault win_basename win_dirname win_splitdrive zip zip_longest'.split(' '),
);
const ANSIBLE_BUILTIN_TESTS = new Set(
  'abs all any change changed contains directory exists failed failure falsy file finished is_abs is_dir is_file is_link is_mount is_same_file isnan issubset issuperset link link_exists match mount nan reachable regex same_file search skip skipped started subset succeeded success successful superset truthy unreachable vault_encrypted version version_compare'.split(' '),
);
const UNDEFINED_OK_FILTERS = new Set(['default', 'd', 'mandatory']);
/** Ansible filters that return a non-string input untouched, an Undefined included (from_yaml). */
const UNDEFINED_PASSTHROUGH_FILTERS = new Set(['from_yaml', 'from_yaml_all']);

class BreakSignal {}
class ContinueSignal {}

export interface Hooks {
  /** Render a variable's raw value (strings templated, containers walked) with the same vars. */
  renderValue(value: unknown, ev: Evaluator): unknown;
  renderText(text: string, ev: Evaluator, extraVars?: Dict): string;
}

/** A chain of local frames (for bodies, macros); template-level `set` goes to the root frame. */
class Frame {
  readonly vars = new Map<string, unknown>();
  constructor(readonly parent?: Frame) {}
  get(name: string): unknown {
    for (let f: Frame | undefined = this; f; f = f.parent) if (f.vars.has(name)) return f.vars.get(name);
    return NO_ATTR;
  }
}

export class Evaluator implements EvalState {
  private readonly resolved = new Map<string, unknown>();
  /** Variables whose resolution touched unsafe data: reading them from the cache taints again. */
  private readonly resolvedUnsafe = new Set<string>();
  private readonly resolving = new Set<string>();
  /** Set once this render has read unsafe data (Ansible's AnsibleContext.unsafe). */
  unsafe = false;

  constructor(
    readonly ctx: TemplateContext,
    private readonly hooks: Hooks,
    private readonly extra?: Dict,
  ) {}

  // ---- EvalState ----
  /** Set while a filter or test that does not open vault values evaluates its operand. */
  private keepVault = false;

  /** A `!vault` value no secret opened fails where it is used (values/vault-hook.ts). */
  private opened(v: unknown): unknown {
    if (v instanceof PendingVault && !this.keepVault) v.fail();
    return v;
  }

  /** A filter's or test's operand; `vaultBlind`: one that looks at a vault value without opening it. */
  private evalOperand(e: Expr, f: Frame, vaultBlind: boolean): unknown {
    const keep = this.keepVault;
    this.keepVault = keep || vaultBlind;
    try {
      return this.eval(e, f);
    } finally {
      this.keepVault = keep;
    }
  }

  lookupVar(name: string): unknown {
    if (this.extra && name in this.extra) return this.taint(this.extra[name]);
    if (this.resolved.has(name)) {
      if (this.resolvedUnsafe.has(name)) this.unsafe = true;
      return this.resolved.get(name);
    }
    const vars = this.ctx.vars;
    if (!(name in vars) || Object.prototype.hasOwnProperty.call(Object.prototype, name)) {
      if (name in GLOBALS) return GLOBALS[name];
      if (name === 'omit') return OMIT;
      return new Undefined(name, `'${name}' is undefined`);
    }
    const raw = vars[name];
    if (raw === undefined) return new Undefined(name, `'${name}' is undefined`);
    if (raw === null || typeof raw !== 'object' && typeof raw !== 'string') return raw;
    // Unsafe data is returned as it is, never templated (AnsibleJ2Vars.__getitem__).
    if (raw instanceof UnsafeText || isUnsafeContainer(raw)) return this.taint(raw);
    if (this.resolving.has(name)) {
      throw new TemplateRuntimeError(`recursive loop detected in template string: ${typeof raw === 'string' ? raw : pyStr(raw)}`);
    }
    this.resolving.add(name);
    const taintedBefore = this.unsafe;
    this.unsafe = false;
    try {
      const v = this.hooks.renderValue(raw, this);
      this.resolved.set(name, v);
      if (this.unsafe) this.resolvedUnsafe.add(name);
      return v;
    } finally {
      this.unsafe ||= taintedBefore;
      this.resolving.delete(name);
    }
  }

  /** Unbox an unsafe string and remember that this render read unsafe data. */
  taint(v: unknown): unknown {
    if (v instanceof UnsafeText) {
      this.unsafe = true;
      return v.text;
    }
    if (isUnsafeContainer(v)) this.unsafe = true;
    return v;
  }

  renderText(text: string, extraVars?: Dict): string {
    return this.hooks.renderText(text, this, extraVars);
  }

  renderValue(value: unknown): unknown {
    return this.hooks.renderValue(value, this);
  }

  callFilter(name: string, value: unknown, args: unknown[], kwargs: Dict = {}): unknown {
    const short = shortName(name);
    const f = FILTERS[short];
    // Jinja's own filters have no ansible.builtin. spelling (only Ansible's plugins do).
    if (!f || (name.startsWith('ansible.builtin.') && !ANSIBLE_BUILTIN_FILTERS.has(short))) throw new TemplateRuntimeError(pluginLoadError(name));
    if (value instanceof Undefined && UNDEFINED_PASSTHROUGH_FILTERS.has(short)) return value;
    if (value instanceof Undefined && !UNDEFINED_OK_FILTERS.has(short)) failUndefined(value);
    return f(this, value, args, kwargs);
  }

  callTest(name: string, value: unknown, args: unknown[], kwargs: Dict = {}): boolean {
    const short = shortName(name);
    const t = TESTS[short];
    if (!t || (name.startsWith('ansible.builtin.') && !ANSIBLE_BUILTIN_TESTS.has(short))) throw new TemplateRuntimeError(pluginLoadError(name));
    return t(this, value, args, kwargs);
  }

  getAttr(obj: unknown, name: string): unknown {
    if (isUnsafeContainer(obj)) this.unsafe = true;
    return this.taint(this.getAttrRaw(obj, name));
  }

  private getAttrRaw(obj: unknown, name: string): unknown {
    if (obj instanceof Undefined) return obj;
    if (isPyObject(obj)) {
      const v = obj.getAttr(name);
      if (v !== NO_ATTR) return v;
    } else if (obj instanceof Namespace) {
      if (name in obj.attrs) return obj.attrs[name];
    } else {
      const m = methodFor(obj, name);
      if (m) return m;
      if (isDict(obj) && name in obj && obj[name] !== undefined) return obj[name];
    }
    return this.noAttr(obj, name);
  }

  private getItem(obj: unknown, key: unknown): unknown {
    if (isUnsafeContainer(obj)) this.unsafe = true;
    return this.taint(this.getItemRaw(obj, key));
  }

  private getItemRaw(obj: unknown, key: unknown): unknown {
    if (obj instanceof Undefined) return obj;
    if (Array.isArray(obj) || typeof obj === 'string') {
      if (typeof key === 'number' || typeof key === 'boolean') {
        const n = num(key);
        const len = typeof obj === 'string' ? obj.length : obj.length;
        const i = n < 0 ? len + n : n;
        if (Number.isInteger(i) && i >= 0 && i < len) return obj[i];
        if (Array.isArray(obj)) return new Undefined(String(key), `list object has no element ${pyStr(key)}`);
        return new Undefined(String(key), `'str object' has no attribute ${pyStr(key)}`);
      }
    } else if (isDict(obj)) {
      const k = typeof key === 'string' ? key : isNumber(key) || typeof key === 'boolean' || key === null ? pyStr(key) : undefined;
      if (k !== undefined && k in obj && obj[k] !== undefined) return obj[k];
    }
    if (typeof key === 'string') return this.getAttr(obj, key);
    return this.noAttr(obj, key);
  }

  private noAttr(obj: unknown, name: unknown): Undefined {
    const what = obj === null ? "'None'" : `'${typeNameFor(obj)} object'`;
    const shown = typeof name === 'string' ? `'${name}'` : pyStr(name);
    return new Undefined(String(name), `${what} has no attribute ${shown}`);
  }

  // ---- expressions ----
  eval(e: Expr, f: Frame): unknown {
    switch (e.t) {
      case 'const':
        return e.value;
      case 'name': {
        const local = f.get(e.name);
        return this.opened(local !== NO_ATTR ? local : this.lookupVar(e.name));
      }
      case 'list':
        return e.items.map((x) => this.eval(x, f));
      case 'tuple':
        return tuple(e.items.map((x) => this.eval(x, f)));
      case 'dict': {
        const out: Dict = {};
        for (const [k, v] of e.items) {
          const key = this.eval(k, f);
          if (key instanceof Undefined) failUndefined(key);
          out[pyStr(key)] = this.eval(v, f);
        }
        return out;
      }
      case 'getattr':
        return this.opened(this.getAttr(this.eval(e.obj, f), e.attr));
      case 'getitem':
        return this.opened(this.getItem(this.eval(e.obj, f), this.eval(e.key, f)));
      case 'slice':
        return this.slice(e, f);
      case 'call':
        return this.call(e.fn, e.call, f);
      case 'filter': {
        const value = e.operand ? this.evalOperand(e.operand, f, VAULT_BLIND_FILTERS.has(e.name)) : null;
        const [args, kwargs] = this.evalArgs(e.call, f);
        return this.callFilter(e.name, value, args, kwargs);
      }
      case 'test': {
        const value = this.evalOperand(e.operand, f, VAULT_BLIND_TESTS.has(e.name));
        const [args, kwargs] = this.evalArgs(e.call, f);
        const r = this.callTest(e.name, value, args, kwargs);
        return e.negate ? !r : r;
      }
      case 'binop':
        return binop(e.op, this.eval(e.left, f), this.eval(e.right, f));
      case 'unary': {
        const v = this.eval(e.operand, f);
        if (e.op === 'not') return !truthy(v);
        if (v instanceof Undefined) failUndefined(v);
        if (!isNumber(v) && typeof v !== 'boolean') throw new PyTypeError(`bad operand type for unary ${e.op}: '${typeNameFor(v)}'`);
        return e.op === '-' ? binop('*', v, -1) : binop('+', v, 0);
      }
      case 'compare': {
        let left = this.eval(e.first, f);
        for (const [op, re] of e.ops) {
          const right = this.eval(re, f);
          if (!compare(op, left, right)) return false;
          left = right;
        }
        return true;
      }
      case 'and': {
        const l = this.eval(e.left, f);
        return truthy(l) ? this.eval(e.right, f) : l;
      }
      case 'or': {
        const l = this.eval(e.left, f);
        return truthy(l) ? l : this.eval(e.right, f);
      }
      case 'concat':
        return e.items.map((x) => pyStr(this.eval(x, f))).join('');
      case 'cond':
        if (truthy(this.eval(e.test, f))) return this.eval(e.then, f);
        return e.else_ ? this.eval(e.else_, f) : new Undefined('', 'the inline if-expression on line 1 evaluated to false and no else section was defined.', true);
    }
  }

  private slice(e: Extract<Expr, { t: 'slice' }>, f: Frame): unknown {
    const obj = this.eval(e.obj, f);
    if (obj instanceof Undefined) failUndefined(obj);
    const part = (x: Expr | undefined): number | undefined => {
      if (!x) return undefined;
      const v = this.eval(x, f);
      return v === null ? undefined : num(v);
    };
    const items: unknown[] = typeof obj === 'string' ? [...obj] : Array.isArray(obj) ? obj : pyIter(obj);
    const sliced = pySlice(items, part(e.start), part(e.stop), part(e.step));
    return typeof obj === 'string' ? sliced.join('') : sliced;
  }

  private evalArgs(call: CallArgs, f: Frame): [unknown[], Dict] {
    const args = call.args.map((a) => this.eval(a, f));
    const kwargs: Dict = {};
    for (const [k, v] of call.kwargs) kwargs[k] = this.eval(v, f);
    if (call.starArgs) args.push(...pyIter(this.eval(call.starArgs, f)));
    if (call.starKwargs) Object.assign(kwargs, this.eval(call.starKwargs, f) as Dict);
    return [args, kwargs];
  }

  private call(fnExpr: Expr, call: CallArgs, f: Frame): unknown {
    const fn = this.eval(fnExpr, f);
    const [args, kwargs] = this.evalArgs(call, f);
    return this.invoke(fn, args, kwargs);
  }

  invoke(fn: unknown, args: unknown[], kwargs: Dict): unknown {
    if (fn instanceof Undefined) failUndefined(fn);
    if (fn instanceof PyCallable) return fn.fn(args, kwargs);
    if (typeof fn === 'function') return (fn as (s: EvalState, a: unknown[], k: Dict) => unknown)(this, args, kwargs);
    throw new PyTypeError(`'${typeNameFor(fn)}' object is not callable`);
  }

  // ---- statements ----
  /** Run a template body; returns the root frame so callers can read template-level `set`s. */
  run(body: Stmt[], out: string[], frame = new Frame()): Frame {
    this.exec(body, frame, out);
    return frame;
  }

  private exec(body: Stmt[], f: Frame, out: string[]): void {
    for (const s of body) this.stmt(s, f, out);
  }

  private stmt(s: Stmt, f: Frame, out: string[]): void {
    switch (s.t) {
      case 'text':
        out.push(s.text);
        return;
      case 'output': {
        const v = this.eval(s.expr, f);
        if (Array.isArray(v) || isDict(v)) failDeep(v);
        out.push(v === null ? '' : pyStr(v));
        return;
      }
      case 'if':
        for (const [cond, body] of s.branches) {
          if (truthy(this.eval(cond, f))) {
            this.exec(body, f, out);
            return;
          }
        }
        this.exec(s.else_, f, out);
        return;
      case 'for':
        this.forLoop(s, f, out, this.eval(s.iter, f), 0);
        return;
      case 'set':
        this.assign(s.target, this.eval(s.expr, f), f);
        return;
      case 'setblock': {
        const buf: string[] = [];
        this.exec(s.body, new Frame(f), buf);
        let v: unknown = buf.join('');
        for (const flt of s.filters) v = this.applyFilterNode(flt, v, f);
        this.assign(s.target, v, f);
        return;
      }
      case 'macro':
        f.vars.set(s.def.name, this.makeMacro(s.def, f));
        return;
      case 'callblock': {
        const caller = this.makeMacro(s.caller, f);
        if (s.call.t !== 'call') throw new TemplateRuntimeError('expected call');
        const fn = this.eval(s.call.fn, f);
        const [args, kwargs] = this.evalArgs(s.call.call, f);
        kwargs['caller'] = caller;
        out.push(pyStr(this.invoke(fn, args, kwargs)));
        return;
      }
      case 'filterblock': {
        const buf: string[] = [];
        this.exec(s.body, f, buf);
        let v: unknown = buf.join('');
        for (const flt of s.filters) v = this.applyFilterNode(flt, v, f);
        out.push(pyStr(v));
        return;
      }
      case 'with': {
        const inner = new Frame(f);
        for (const [t, e] of s.assigns) this.assign(t, this.eval(e, f), inner);
        this.exec(s.body, inner, out);
        return;
      }
      case 'include': {
        const name = pyStr(this.eval(s.template, f));
        const text = this.invoke(GLOBALS['__read_template'], [name, s.ignoreMissing], {});
        // Jinja's lexer without keep_trailing_newline (Ansible never sets it): newlines normalized
        // and one trailing newline dropped from the included template.
        if (typeof text === 'string') out.push(this.renderText(text.replace(/\r\n|\r/g, '\n').replace(/\n$/, '')));
        return;
      }
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
      case 'do':
        this.eval(s.expr, f);
        return;
    }
  }

  private applyFilterNode(flt: Expr, value: unknown, f: Frame): unknown {
    if (flt.t !== 'filter') return value;
    const [args, kwargs] = this.evalArgs(flt.call, f);
    return this.callFilter(flt.name, value, args, kwargs);
  }

  private forLoop(s: Extract<Stmt, { t: 'for' }>, f: Frame, out: string[], iterable: unknown, depth0: number): void {
    let items = pyIter(iterable);
    if (s.filter) {
      const filter = s.filter;
      items = items.filter((item) => {
        const tf = new Frame(f);
        this.assign(s.target, item, tf);
        return truthy(this.eval(filter, tf));
      });
    }
    if (items.length === 0) {
      this.exec(s.else_, f, out);
      return;
    }
    const loop = new LoopInfo(items, depth0);
    if (s.recursive) {
      loop.recurse = new PyCallable('loop', (args) => {
        const buf: string[] = [];
        this.forLoop(s, f, buf, args[0], depth0 + 1);
        return buf.join('');
      });
    }
    for (let i = 0; i < items.length; i++) {
      loop.index0 = i;
      const inner = new Frame(f);
      this.assign(s.target, items[i], inner);
      inner.vars.set('loop', loop);
      try {
        this.exec(s.body, inner, out);
      } catch (e) {
        if (e instanceof BreakSignal) break;
        if (e instanceof ContinueSignal) continue;
        throw e;
      }
    }
  }

  private assign(t: Target, value: unknown, f: Frame): void {
    if (t.t === 'name') {
      f.vars.set(t.name, value);
    } else if (t.t === 'nsattr') {
      const ns = f.get(t.ns);
      if (!(ns instanceof Namespace)) throw new TemplateRuntimeError('cannot assign attribute on non-namespace object');
      ns.attrs[t.attr] = value;
    } else {
      const items = pyIter(value);
      if (items.length !== t.items.length) {
        throw new PyTypeError(items.length > t.items.length ? `too many values to unpack (expected ${t.items.length})` : `not enough values to unpack (expected ${t.items.length}, got ${items.length})`);
      }
      t.items.forEach((sub, i) => this.assign(sub, items[i], f));
    }
  }

  private makeMacro(def: MacroDef, defFrame: Frame): PyCallable {
    return new PyCallable(def.name, (args, kwargs) => {
      const frame = new Frame(defFrame);
      def.params.forEach(([name, dflt], i) => {
        let v: unknown;
        if (i < args.length) v = args[i];
        else if (name in kwargs) v = kwargs[name];
        else if (dflt) v = this.eval(dflt, frame);
        else v = new Undefined(name, `parameter '${name}' was not provided`);
        frame.vars.set(name, v);
      });
      frame.vars.set('varargs', args.slice(def.params.length));
      const rest: Dict = {};
      for (const [k, v] of Object.entries(kwargs)) if (!def.params.some(([p]) => p === k) && k !== 'caller') rest[k] = v;
      frame.vars.set('kwargs', rest);
      if ('caller' in kwargs) frame.vars.set('caller', kwargs['caller']);
      const buf: string[] = [];
      this.exec(def.body, frame, buf);
      return buf.join('');
    });
  }
}

class LoopInfo {
  index0 = 0;
  recurse?: PyCallable;
  constructor(
    private readonly items: unknown[],
    private readonly depth0: number,
  ) {}
  getAttr(name: string): unknown {
    const n = this.items.length;
    const i = this.index0;
    switch (name) {
      case 'index':
        return i + 1;
      case 'index0':
        return i;
      case 'revindex':
        return n - i;
      case 'revindex0':
        return n - i - 1;
      case 'first':
        return i === 0;
      case 'last':
        return i === n - 1;
      case 'length':
        return n;
      case 'depth':
        return this.depth0 + 1;
      case 'depth0':
        return this.depth0;
      case 'previtem':
        return i > 0 ? this.items[i - 1] : new Undefined('previtem', 'there is no previous item');
      case 'nextitem':
        return i < n - 1 ? this.items[i + 1] : new Undefined('nextitem', 'there is no next item');
      case 'cycle':
        return new PyCallable('cycle', (args) => {
          if (!args.length) throw new TemplateRuntimeError('no items for cycling given');
          return args[i % args.length];
        });
    }
    return NO_ATTR;
  }
}

export { Frame };

function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
      return pyEquals(a, b);
    case '!=':
      return !pyEquals(a, b);
    case 'in':
      return pyContains(b, a);
    case 'notin':
      return !pyContains(b, a);
    default: {
      const c = pyCompare(a, b, op);
      return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
    }
  }
}

function failDeep(v: unknown): void {
  if (v instanceof Undefined && !v.soft) failUndefined(v);
  if (Array.isArray(v)) v.forEach(failDeep);
  else if (isDict(v)) Object.values(v).forEach(failDeep);
}

export function typeNameFor(v: unknown): string {
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (isDict(v)) return 'dict';
  return 'object';
}

export function pySlice<T>(items: T[], start?: number, stop?: number, step = 1): T[] {
  const n = items.length;
  if (step === 0) throw new PyTypeError('slice step cannot be zero');
  const norm = (x: number | undefined, dflt: number, lo: number, hi: number): number => {
    if (x === undefined) return dflt;
    if (x < 0) x += n;
    return Math.min(Math.max(x, lo), hi);
  };
  const out: T[] = [];
  if (step > 0) {
    const s = norm(start, 0, 0, n);
    const e = norm(stop, n, 0, n);
    for (let i = s; i < e; i += step) out.push(items[i]!);
  } else {
    const s = norm(start, n - 1, -1, n - 1);
    const e = norm(stop, -1, -1, n - 1);
    for (let i = s; i > e; i += step) out.push(items[i]!);
  }
  return out;
}

/** Collections whose plugins philote provides; another FQCN names a collection that is "not installed". */
const KNOWN_COLLECTIONS = new Set(['ansible.builtin', 'ansible.legacy', 'ansible.utils', 'ansible.netcommon', 'ansible.posix', 'community.general', 'community.crypto', 'kubernetes.core']);

/** JinjaPluginIntercept's words for a filter or test it cannot load (ansible-core 2.14). */
function pluginLoadError(name: string): string {
  let why = name;
  if (!name.includes('.')) {
    if (!/^\w+$/.test(name)) why = `invalid plugin name: ansible.builtin.${name}`;
  } else {
    const parts = name.split('.');
    const collection = parts.slice(0, 2).join('.');
    if (parts.length >= 3 && !KNOWN_COLLECTIONS.has(collection)) why = `Invalid plugin FQCN (${name}): unable to locate collection ${collection}`;
  }
  return `Could not load "${name}": '${why}'`;
}
