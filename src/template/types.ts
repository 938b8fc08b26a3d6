/**
 * The contract of the template engine (src/template is the one place that evaluates Jinja2).
 * Everything else calls it through `Templar`.
 */
import type { SourceLocation } from '../errors.js';

/**
 * Variables visible to a template. Values are raw (may themselves contain "{{ }}"):
 * the engine templates a looked-up value lazily, when it is used, with the same Vars,
 * as Ansible does (with loop detection). Objects such as `hostvars` may be Proxies/getters.
 */
export type Vars = Record<string, unknown>;

export interface TemplateContext {
  vars: Vars;
  /** Where the templated text came from, for error messages. */
  location?: SourceLocation;
  /**
   * Directories searched by lookups that read controller files (file, template, fileglob,
   * first_found, lines...) and by the `template` lookup for includes: role files/ or templates/,
   * then the playbook dir, as Ansible does.
   */
  searchPaths?: string[];
  /**
   * fail_on_undefined=False (HostVars templates its values so): a string that uses an undefined
   * variable is kept as written instead of failing.
   */
  lenient?: boolean;
}

/** A value that stands for "leave this argument out" (Ansible's `omit`). */
export const OMIT = Symbol.for('philote.omit');

/**
 * Marks an object that templates its own values when they are read (`hostvars` and each
 * host's view in it). The engine does not walk such an object deeply when a variable holds it:
 * walking `hostvars` would template every variable of every host on each use.
 */
export const LAZY_VARS = Symbol.for('philote.lazyvars');

export function isLazyVars(v: unknown): boolean {
  return typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[LAZY_VARS] === true;
}

export interface Templar {
  /** True if the string contains Jinja2 syntax ("{{", "{%" or "{#"). */
  isTemplated(text: string): boolean;
  /**
   * Template a value deeply: strings are rendered; lists and dicts are walked.
   * Native types: a string that is exactly one "{{ expr }}" yields the expression's value
   * (list, dict, number, bool, None→null) as in Ansible 2.14 with jinja2_native off-but-literal_eval
   * semantics; dict entries whose value renders to OMIT are removed.
   */
  render(value: unknown, ctx: TemplateContext): unknown;
  /**
   * `render` for a value that will be stored in a variable (set_fact, add_host, loop items): a
   * string whose rendering read unsafe data comes back wrapped (see unsafe.ts), so the variable
   * is never templated again. Everyone else uses `render`, which returns plain values.
   */
  renderKeepUnsafe(value: unknown, ctx: TemplateContext): unknown;
  /** Render a whole template file's text to a string (the template module and lookup). */
  renderText(text: string, ctx: TemplateContext): string;
  /** Evaluate a bare expression (no braces), e.g. a `when:` or `that:` item, to its value. */
  evaluate(expression: string, ctx: TemplateContext): unknown;
  /** Evaluate a conditional as Ansible does for when/changed_when/failed_when/until/assert. */
  evaluateConditional(condition: string | boolean, ctx: TemplateContext): boolean;
}
