/** The registries of filters, tests and globals, and the state they can call back into. */
import type { TemplateContext } from '../types.js';
import type { Dict } from './values.js';

/** What a filter, test, lookup or global can use from the running evaluation. */
export interface EvalState {
  readonly ctx: TemplateContext;
  /** Set when the render read unsafe data (a lookup's result, a registered value...). */
  unsafe: boolean;
  callFilter(name: string, value: unknown, args: unknown[], kwargs?: Dict): unknown;
  callTest(name: string, value: unknown, args: unknown[], kwargs?: Dict): boolean;
  /** Look a variable up (lazily templated), or an Undefined. */
  lookupVar(name: string): unknown;
  /** Render a whole template text with extra variables (template lookup, include). */
  renderText(text: string, extraVars?: Dict): string;
  /** Template a raw value with the usual native-type rules. */
  renderValue(value: unknown): unknown;
  /** Python-style attribute/item access, as `a.b` does. */
  getAttr(obj: unknown, name: string): unknown;
}

export type FilterFn = (s: EvalState, value: unknown, args: unknown[], kwargs: Dict) => unknown;
export type TestFn = (s: EvalState, value: unknown, args: unknown[], kwargs: Dict) => boolean;
export type GlobalFn = (s: EvalState, args: unknown[], kwargs: Dict) => unknown;

/** Filters and tests are looked up without their collection prefix (ansible.builtin.to_json → to_json). */
export function shortName(name: string): string {
  const i = name.lastIndexOf('.');
  return i < 0 ? name : name.slice(i + 1);
}

/** Raised for a filter/test/lookup failure with Ansible's wording; becomes a 'template' PhiloteError. */
export class TemplateRuntimeError extends Error {}

/**
 * An error whose message is final: Ansible raises it as it is, without the "String: <template>"
 * that other template errors get (a lookup's own AnsibleError, AnsibleOptionsError...).
 */
export class FinalTemplateError extends TemplateRuntimeError {}

/**
 * A filter or test that select/map/... look up while the template runs: Jinja raises the
 * intercept's TemplateSyntaxError then, which Ansible's templar does not wrap ("  line 0").
 */
export class RuntimePluginLoadError extends TemplateRuntimeError {}

/** A failure that Ansible would see as this Python exception class (named in "unhandled exception" messages). */
export class PythonClassError extends TemplateRuntimeError {
  constructor(message: string, readonly pyClass: string) {
    super(message);
  }
}

/** A lookup's AnsibleOptionsError ('options': never ignored) or AnsibleLookupError ('lookup'). */
export class LookupError extends TemplateRuntimeError {
  constructor(message: string, readonly kind: 'options' | 'lookup') {
    super(message);
  }
}
