/**
 * The template engine: Jinja2 as Ansible 2.14 uses it (trim_blocks, StrictUndefined-like
 * undefined, Ansible filters/tests/lookups, and its "native types" conversion of rendered strings).
 *
 * Usage:
 *   const templar = createTemplar();
 *   templar.render('{{ base }}/x', { vars: { base: '/srv' } })   // '/srv/x'
 *   templar.render('{{ [1, 2] }}', ctx)                          // [1, 2]
 *   templar.evaluateConditional('x is defined and x > 1', ctx)   // boolean
 *   runLookupForLoop('items', [[1, 2], 3], ctx)                  // with_items: [1, 2, 3]
 */
import { PhiloteError, UndefinedVariableError } from '../errors.js';
import type { Expr, Stmt } from './compile/ast.js';
import { parseExpression, parseTemplate } from './compile/parser.js';
import { TemplateSyntaxError } from './compile/syntax-error.js';
import { FinalTemplateError, LookupError, RuntimePluginLoadError, TemplateRuntimeError } from './runtime/env.js';
import { Evaluator, Frame, type Hooks } from './runtime/evaluator.js';
import { nativeFromString } from './native.js';
import { isDict, isTuple, PyFloat, pyStr, PyTypeError, toPlain, truthy, Undefined, UndefinedUse, type Dict } from './runtime/values.js';
import { getLookup } from './lookups/index.js';
import { isLazyVars, OMIT, type Templar, type TemplateContext } from './types.js';
import { isUnsafeContainer, UnsafeText, wrapUnsafe } from './unsafe.js';

export { OMIT } from './types.js';

const TEMPLATED = /\{\{|\{%|\{#/;
// Python's `$` also matches before a final newline, so "{{ n }}\n" takes this path in Ansible too.
const SINGLE_VAR = /^\{\{\s*(\w*)\s*\}\}\n?$/;
const CACHE_LIMIT = 20000;
// Ansible's STRING_TYPE_FILTERS, matched on the name as written (an FQCN spelling is not matched).
const NATIVE_TEXT_FILTERS = new Set(['string', 'to_json', 'to_nice_json', 'to_yaml', 'to_nice_yaml', 'ppretty', 'json']);

const templateCache = new Map<string, Stmt[]>();
const textTemplateCache = new Map<string, Stmt[]>();
const exprCache = new Map<string, Expr>();

/** raw: strings inside {{ }} keep their backslashes, as Templar.template() does; template files do not. */
function compileTemplate(text: string, raw: boolean): Stmt[] {
  const cache = raw ? templateCache : textTemplateCache;
  let t = cache.get(text);
  if (!t) {
    t = parseTemplate(text, raw);
    if (cache.size > CACHE_LIMIT) cache.clear();
    cache.set(text, t);
  }
  return t;
}

function compileExpression(text: string): Expr {
  let e = exprCache.get(text);
  if (!e) {
    e = parseExpression(text);
    if (exprCache.size > CACHE_LIMIT) exprCache.clear();
    exprCache.set(text, e);
  }
  return e;
}

/** Ansible's finalize: an undefined anywhere inside the result fails the template. */
function failOnUndefined(v: unknown): void {
  if (v instanceof Undefined) {
    if (!v.soft) throw new UndefinedUse(v);
  } else if (Array.isArray(v)) v.forEach(failOnUndefined);
  else if (isDict(v) && !isLazyVars(v)) Object.values(v).forEach(failOnUndefined);
}

function finalizeValue(v: unknown): unknown {
  if (v instanceof Undefined) {
    if (v.soft) return '';
    throw new UndefinedUse(v);
  }
  // A tuple prints as "(1, 2)", which literal_eval does not turn back into a list.
  if (isTuple(v)) return nativeFromString(pyStr(v));
  if (v === OMIT) return OMIT;
  if (typeof v === 'string') return nativeFromString(v);
  if (v === null) return '';
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v) || isDict(v)) {
    failOnUndefined(v);
    // The value round-trips through str() and literal_eval in Ansible; for literal data that is the
    // identity (a whole-number float stays one: modules that want plain numbers get them, task-runner).
    return toPlain(v, true);
  }
  return pyStr(v);
}

const hooks: Hooks = {
  renderValue: (value, ev) => renderDeep(value, ev),
  renderText: (text, ev, extra) => {
    const sub = extra ? new Evaluator(ev.ctx, hooks, extra) : ev;
    const out: string[] = [];
    sub.run(compileTemplate(text, false), out);
    return out.join('');
  },
};

function renderString(text: string, ev: Evaluator): unknown {
  if (!TEMPLATED.test(text)) return text;
  const single = SINGLE_VAR.exec(text);
  if (single && single[1] && single[1] in ev.ctx.vars) {
    const raw = ev.ctx.vars[single[1]];
    // Templar's NON_TEMPLATED_TYPES (bool, Number): the value itself, a float included.
    if (raw === null || typeof raw === 'number' || typeof raw === 'boolean' || raw instanceof PyFloat) return raw;
  }
  const body = compileTemplate(text, true);
  if (body.length === 1 && body[0]!.t === 'output') {
    const expr = body[0].expr;
    const v = ev.eval(expr, new Frame());
    // Ansible marks these filters' output as NativeJinjaText: it is never literal_eval'ed.
    if (typeof v === 'string' && expr.t === 'filter' && NATIVE_TEXT_FILTERS.has(expr.name)) return v;
    return finalizeValue(v);
  }
  const out: string[] = [];
  ev.run(body, out);
  return nativeFromString(out.join(''));
}

function renderDeep(value: unknown, ev: Evaluator): unknown {
  // Unsafe data is never templated; reading it taints the render.
  if (value instanceof UnsafeText || isUnsafeContainer(value)) return ev.taint(value);
  if (typeof value === 'string') {
    // Errors name the one string that failed, not the whole structure around it.
    try {
      return renderString(value, ev);
    } catch (e) {
      throw toPhiloteError(e, value, ev.ctx);
    }
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out: unknown[] = [];
    for (const x of value) {
      const r = renderDeep(x, ev);
      if (r !== x) changed = true;
      if (r === OMIT) continue;
      out.push(r);
    }
    return changed ? out : value;
  }
  if (isDict(value)) {
    if (isLazyVars(value)) return value;
    let changed = false;
    const out: Dict = {};
    for (const [k, x] of Object.entries(value)) {
      const rk = TEMPLATED.test(k) ? pyStr(renderString(k, ev)) : k;
      const r = renderDeep(x, ev);
      if (r !== x || rk !== k) changed = true;
      if (r === OMIT) continue;
      out[rk] = r;
    }
    return changed ? out : value;
  }
  return value;
}

/**
 * renderDeep for a value that will be stored in a variable (set_fact, add_host, loop items):
 * each string is rendered on its own, and a result that read unsafe data stays unsafe
 * (Templar.template wraps it), so it is never templated when the variable is used.
 */
function renderDeepKeepUnsafe(value: unknown, ev: Evaluator): unknown {
  if (value instanceof UnsafeText || isUnsafeContainer(value)) {
    ev.unsafe = true;
    return value;
  }
  if (typeof value === 'string') {
    const before = ev.unsafe;
    ev.unsafe = false;
    try {
      const r = renderString(value, ev);
      return ev.unsafe && r !== OMIT ? wrapUnsafe(r) : r;
    } catch (e) {
      throw toPhiloteError(e, value, ev.ctx);
    } finally {
      ev.unsafe ||= before;
    }
  }
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const x of value) {
      const r = renderDeepKeepUnsafe(x, ev);
      if (r !== OMIT) out.push(r);
    }
    return out;
  }
  if (isDict(value) && !isLazyVars(value)) {
    const out: Dict = {};
    for (const [k, x] of Object.entries(value)) {
      const rk = TEMPLATED.test(k) ? pyStr(renderString(k, ev)) : k;
      const r = renderDeepKeepUnsafe(x, ev);
      if (r !== OMIT) out[rk] = r;
    }
    return out;
  }
  return value;
}

/** renderDeep where a string that uses an undefined variable is kept as written. */
function renderLenient(value: unknown, ev: Evaluator): unknown {
  if (typeof value === 'string') {
    try {
      return renderDeep(value, ev);
    } catch (e) {
      if (e instanceof UndefinedVariableError || e instanceof UndefinedUse) return value;
      throw e;
    }
  }
  if (Array.isArray(value)) return value.map((x) => renderLenient(x, ev));
  if (isDict(value) && !isLazyVars(value) && !isUnsafeContainer(value)) {
    const out: Dict = {};
    for (const [k, x] of Object.entries(value)) out[k] = renderLenient(x, ev);
    return out;
  }
  return renderDeep(value, ev);
}

/** Turn internal failures into PhiloteErrors that name the template and the location. */
function wrapErrors<T>(text: string, ctx: TemplateContext, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toPhiloteError(e, text, ctx);
  }
}

/**
 * Messages as ansible-core's Templar words them, `text` being the one string that failed
 * (a conditional shows as `{% if c %} True {% else %} False {% endif %}`). Ansible raises
 * AnsibleError(msg, orig_exc=e), so the reason is repeated after the message. A syntax error
 * in a multi-line template also says where (Jinja's translated message does not).
 */
export function toPhiloteError(e: unknown, text: string, ctx: TemplateContext): Error {
  if (e instanceof PhiloteError) return e;
  if (e instanceof UndefinedUse) return new UndefinedVariableError(e.undef.name, e.undef.message, ctx.location);
  if (e instanceof TemplateSyntaxError) {
    const reason = e.source.includes('\n') ? `${e.reason} (line ${e.line}, column ${e.column})` : e.reason;
    return new PhiloteError('template', `template error while templating string: ${reason}. String: ${text}. ${reason}`, { location: ctx.location, cause: e });
  }
  if (e instanceof FinalTemplateError || e instanceof LookupError) return new PhiloteError('template', e.message, { location: ctx.location, cause: e });
  if (e instanceof RuntimePluginLoadError) return new PhiloteError('template', `${e.message}\n  line 0`, { location: ctx.location, cause: e });
  if (e instanceof TemplateRuntimeError && /^Could not load "/.test(e.message)) {
    // Jinja's TemplateAssertionError for an unknown filter or test: a "templating string" error.
    return new PhiloteError('template', `template error while templating string: ${e.message}. String: ${text}. ${e.message}`, { location: ctx.location, cause: e });
  }
  if (e instanceof PyTypeError) {
    return new PhiloteError('template', `Unexpected templating type error occurred on (${text}): ${e.message}. ${e.message}`, { location: ctx.location, cause: e });
  }
  if (e instanceof TemplateRuntimeError) {
    return new PhiloteError('template', `${e.message}. String: ${text}`, { location: ctx.location, cause: e });
  }
  if (e instanceof RangeError && /call stack/.test(e.message)) {
    return new PhiloteError('template', `recursive loop detected in template string: ${text}`, { location: ctx.location, cause: e });
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new PhiloteError('template', `Unexpected templating type error occurred on (${text}): ${msg}`, { location: ctx.location, cause: e });
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : pyStr(toPlain(value, true));
}

class AnsibleTemplar implements Templar {
  isTemplated(text: string): boolean {
    return TEMPLATED.test(text);
  }

  render(value: unknown, ctx: TemplateContext): unknown {
    if (typeof value === 'string' && !TEMPLATED.test(value)) return value;
    if (value === null || (typeof value !== 'string' && typeof value !== 'object')) return value;
    try {
      const ev = new Evaluator(ctx, hooks);
      return ctx.lenient ? renderLenient(value, ev) : renderDeep(value, ev);
    } catch (e) {
      // Describe the value only on failure: printing a large dict on every call costs time.
      throw toPhiloteError(e, typeof value === 'string' ? value : describe(value), ctx);
    }
  }

  renderKeepUnsafe(value: unknown, ctx: TemplateContext): unknown {
    if (typeof value === 'string' && !TEMPLATED.test(value)) return value;
    if (value === null || (typeof value !== 'string' && typeof value !== 'object')) return value;
    try {
      return renderDeepKeepUnsafe(value, new Evaluator(ctx, hooks));
    } catch (e) {
      throw toPhiloteError(e, typeof value === 'string' ? value : describe(value), ctx);
    }
  }

  renderText(text: string, ctx: TemplateContext): string {
    if (!TEMPLATED.test(text)) return text;
    return wrapErrors(text, ctx, () => hooks.renderText(text, new Evaluator(ctx, hooks)));
  }

  evaluate(expression: string, ctx: TemplateContext): unknown {
    return wrapErrors(expression, ctx, () => {
      const v = new Evaluator(ctx, hooks).eval(compileExpression(expression), new Frame());
      if (v instanceof Undefined) throw new UndefinedUse(v);
      return toPlain(v, true);
    });
  }

  evaluateConditional(condition: string | boolean, ctx: TemplateContext): boolean {
    if (typeof condition === 'boolean') return condition;
    if (condition === null || condition === undefined) return true;
    let cond: unknown = condition;
    if (typeof cond !== 'string') return truthy(cond);
    if (TEMPLATED.test(cond)) {
      const ev = new Evaluator(ctx, hooks);
      cond = wrapErrors(cond as string, ctx, () => renderDeep(cond, ev));
      if (typeof cond !== 'string' || cond === '') return truthy(cond);
      // The second pass would evaluate data as an expression (Conditional._check_conditional).
      if (ev.unsafe) throw new PhiloteError('template', 'Conditional is marked as unsafe, and cannot be evaluated.', { location: ctx.location });
    }
    const text = cond as string;
    // Ansible templates a conditional as this statement, and its errors show it.
    return wrapErrors(`{% if ${text} %} True {% else %} False {% endif %}`, ctx, () => {
      const v = new Evaluator(ctx, hooks).eval(compileExpression(text), new Frame());
      return truthy(v);
    });
  }
}

export function createTemplar(): Templar {
  return new AnsibleTemplar();
}

/**
 * Run a lookup for a `with_<name>` loop and return the items, as Ansible's TaskExecutor does:
 * string terms are templated first and wrapped in a list; the plugin's list is the loop.
 */
const DICT_TERMS_REFUSED: Record<string, string> = {
  list: 'with_list expects a list',
  indexed_items: 'with_indexed_items expects a list',
  flattened: 'with_flattened expects a list',
  subelements: 'subelements lookup expects a list of two or three items, ',
};

export function runLookupForLoop(name: string, terms: unknown, ctx: TemplateContext): unknown[] {
  const text = typeof terms === 'string' ? terms : describe(terms);
  return wrapErrors(text, ctx, () => {
    const ev = new Evaluator(ctx, hooks);
    // first_found's terms are templated leniently (fail_on_undefined=False): an undefined candidate
    // stays as written, and the lookup passes over it.
    let t = name === 'first_found' || name.endsWith('.first_found') ? renderLenient(terms, ev) : renderDeep(terms, ev);
    if (t === null || t === undefined) t = [];
    if (isDict(t)) {
      // listify_lookup_plugin_terms keeps a mapping (it is iterable): lookups that check for a
      // list fail, `dict` takes it whole, the others iterate it, which yields its keys.
      const short = name.split('.').pop()!;
      const refusal = DICT_TERMS_REFUSED[short];
      if (refusal) throw new FinalTemplateError(refusal);
      t = short === 'dict' ? [t] : Object.keys(t);
    }
    if (!Array.isArray(t)) t = [t];
    let out: unknown[];
    try {
      out = getLookup(name)(ev, t as unknown[], {});
    } catch (e) {
      // TaskExecutor._get_loop_items runs the lookup itself: its AnsibleError is the message, as raised.
      if (e instanceof TemplateRuntimeError && !(e instanceof PyTypeError)) throw new FinalTemplateError(e.message);
      throw e;
    }
    // with_<lookup> items are wrapped unsafe (TaskExecutor._get_loop_items).
    return out.map((x) => wrapUnsafe(toPlain(x, true)));
  });
}
