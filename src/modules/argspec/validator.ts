/**
 * ansible-core's ArgumentSpecValidator (module_utils/common/arg_spec.py and parameters.py), the
 * check behind role `argument_specs` and the validate_argument_spec module. The steps, their
 * order and their messages follow 2.14, because playbooks (and ansible-core's own tests) assert
 * on `argument_errors`: no_log scan of sub-options, aliases, unsupported names, required,
 * types (and list elements), choices, required_* checks of sub-options, defaults, then each
 * dict/list-of-dicts option's `options` recursively.
 */
import { isDict, pyEquals, pyStr, type Dict } from '../../template/runtime/values.js';
import { ArgTypeCheckError, typeChecker } from './type-checks.js';

/** Where a value sits in the parameters: option names and list indexes. */
export type DataPath = ReadonlyArray<string | number>;

/** `type(value)` for the value at `path`, as the messages print it. */
export type TypeNamer = (value: unknown, path: DataPath) => string;

export interface SpecValidation {
  /** The parameters converted to their types, defaults filled in. */
  validated: Dict;
  /** argument_errors, in ansible-core's order. */
  errors: string[];
}

type Spec = Record<string, Dict>;

const BOOLEANS_TRUE = ['y', 'yes', 'on', '1', 'true', 't', 1, 1.0, true];
const BOOLEANS_FALSE = ['n', 'no', 'off', '0', 'false', 'f', 0, 0.0, false];

/** Option entries that are not mappings are read as empty ones (ansible-core would crash on them). */
function specOf(value: unknown): Spec {
  const out: Spec = {};
  if (!isDict(value)) return out;
  for (const [k, v] of Object.entries(value)) out[k] = isDict(v) ? v : {};
  return out;
}

function deepCopy<T>(v: T): T {
  if (Array.isArray(v)) return v.map(deepCopy) as T;
  if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepCopy(x)])) as T;
  return v;
}

function has(params: Dict, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(params, key);
}

function isPySequence(v: unknown): v is unknown[] {
  return Array.isArray(v);
}

/** Python's str.join over a sequence of names (the spec's lists are names). */
function names(v: unknown): string[] {
  if (typeof v === 'string') return [...v];
  return isPySequence(v) ? v.map(pyStr) : [];
}

function within(msg: string, context: string[]): string {
  return context.length ? `${msg} found in ${context.join(' -> ')}` : msg;
}

class Run {
  readonly errors: string[] = [];
  readonly unsupported = new Map<string, { supported: string[]; aliases: string[] }>();

  constructor(private readonly typeName: TypeNamer) {}

  /** _handle_aliases: copies each alias's value to its option; returns alias -> option. */
  aliases(spec: Spec, params: Dict): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [k, opt] of Object.entries(spec)) {
      const aliases = opt['aliases'];
      if (opt['default'] !== undefined && opt['default'] !== null && opt['required'] === true) {
        throw new ArgTypeCheckError(`internal error: required and default are mutually exclusive for ${k}`);
      }
      if (aliases === undefined || aliases === null) continue;
      if (!Array.isArray(aliases)) throw new ArgTypeCheckError('internal error: aliases must be a list or tuple');
      for (const alias of aliases.map(pyStr)) {
        result[alias] = k;
        if (has(params, alias)) params[k] = params[alias];
      }
    }
    return result;
  }

  /** _list_no_log_values' walk of sub-options: a sub-option value that is no dict stops it. */
  noLogScan(spec: Spec, params: Dict): void {
    for (const [name, opt] of Object.entries(spec)) {
      const sub = opt['options'];
      if (sub === undefined || sub === null) continue;
      const wanted = opt['type'];
      const value = params[name];
      if (value === undefined || value === null) continue;
      if (!(wanted === 'dict' || (wanted === 'list' && opt['elements'] === 'dict'))) continue;
      for (let item of Array.isArray(value) ? value : [value]) {
        if (typeof item === 'string') item = typeChecker('dict').check(item, (v) => this.typeName(v, []));
        if (!isDict(item)) {
          throw new ArgTypeCheckError(`Value '${pyStr(item)}' in the sub parameter field '${name}' must by a ${pyStr(wanted)}, not '${this.typeName(item, []).replace(/^<class '(?:.*\.)?(.*)'>$/, '$1')}'`);
        }
        this.noLogScan(specOf(sub), item);
      }
    }
  }

  recordUnsupported(params: Dict, legal: string[], aliases: Record<string, string>, context: string[]): void {
    for (const k of Object.keys(params)) {
      if (legal.includes(k)) continue;
      const key = [...context, k].join('.');
      this.unsupported.set(key, { supported: legal.filter((o) => !(o in aliases)), aliases: Object.keys(aliases) });
    }
  }

  setDefaults(spec: Spec, params: Dict, setDefault: boolean): void {
    for (const [name, opt] of Object.entries(spec)) {
      const d = opt['default'];
      if (!has(params, name) && ((d !== undefined && d !== null) || setDefault)) params[name] = d ?? null;
    }
  }

  required(spec: Spec, params: Dict, context: string[]): void {
    const missing = Object.entries(spec)
      .filter(([k, opt]) => opt['required'] === true && !has(params, k))
      .map(([k]) => k)
      .sort();
    if (missing.length) this.errors.push(within(`missing required arguments: ${missing.join(', ')}`, context));
  }

  types(spec: Spec, params: Dict, context: string[], path: DataPath): void {
    for (const [param, opt] of Object.entries(spec)) {
      if (!has(params, param)) continue;
      const value = params[param];
      if (value === null || value === undefined) continue;
      const at = [...path, param];
      const { name, check } = typeChecker(opt['type']);
      try {
        params[param] = check(value, (v) => this.typeName(v, at));
        const elementsType = opt['elements'];
        if (elementsType !== undefined && elementsType !== null) {
          const elements = params[param];
          if (opt['type'] !== 'list' || !Array.isArray(elements)) {
            let msg = `Invalid type ${name} for option '${pyStr(elements)}'`;
            if (context.length) msg += ` found in '${context.join(' -> ')}'.`;
            this.errors.push(`${msg}, elements value check is supported only with 'list' type`);
          }
          params[param] = this.elements(elementsType, param, elements, context, at);
        }
      } catch (e) {
        if (!(e instanceof ArgTypeCheckError)) throw e;
        let msg = `argument '${param}' is of type ${this.typeName(value, at)}`;
        if (context.length) msg += ` found in '${context.join(' -> ')}'.`;
        this.errors.push(`${msg} and we were unable to convert to ${name}: ${e.message}`);
      }
    }
  }

  elements(wanted: unknown, param: string, values: unknown, context: string[], path: DataPath): unknown[] {
    const { name, check } = typeChecker(wanted);
    const out: unknown[] = [];
    // Python iterates whatever it was given: a string by characters, a dict by keys.
    const items = Array.isArray(values) ? values : typeof values === 'string' ? [...values] : isDict(values) ? Object.keys(values) : [];
    items.forEach((value, i) => {
      const at = [...path, i];
      try {
        out.push(check(value, (v) => this.typeName(v, at)));
      } catch (e) {
        if (!(e instanceof ArgTypeCheckError)) throw e;
        let msg = `Elements value for option '${param}'`;
        if (context.length) msg += ` found in '${context.join(' -> ')}'`;
        this.errors.push(`${msg} is of type ${this.typeName(value, at)} and we were unable to convert to ${name}: ${e.message}`);
      }
    });
    return out;
  }

  values(spec: Spec, params: Dict, context: string[]): void {
    for (const [param, opt] of Object.entries(spec)) {
      const choices = opt['choices'];
      if (choices === undefined || choices === null) continue;
      if (!Array.isArray(choices)) {
        this.errors.push(within(`internal error: choices for argument ${param} are not iterable: ${pyStr(choices)}`, context));
        continue;
      }
      if (!has(params, param)) continue;
      const inChoices = (v: unknown) => choices.some((c) => pyEquals(c, v));
      const value = params[param];
      if (Array.isArray(value)) {
        const diff = value.filter((v) => !inChoices(v));
        if (diff.length) {
          this.errors.push(within(`value of ${param} must be one or more of: ${choices.map(pyStr).join(', ')}. Got no match for: ${diff.map(pyStr).join(', ')}`, context));
        }
        continue;
      }
      if (inChoices(value)) continue;
      // PyYAML turned yes/no into booleans: map 'True'/'False' back when one choice matches.
      for (const [text, set] of [['False', BOOLEANS_FALSE], ['True', BOOLEANS_TRUE]] as const) {
        if (params[param] !== text) continue;
        const overlap = choices.filter((c) => set.some((b) => pyEquals(b, c)));
        if (overlap.length === 1) params[param] = overlap[0];
      }
      if (!inChoices(params[param])) {
        this.errors.push(within(`value of ${param} must be one of: ${choices.map(pyStr).join(', ')}, got: ${pyStr(params[param])}`, context));
      }
    }
  }

  /** check_required_together, _one_of, _if, _by of a sub-option (2.14 passes none at the top). */
  additional(opt: Dict, params: Dict, context: string[]): void {
    const count = (terms: unknown) => new Set((Array.isArray(terms) ? terms : [terms]).map(pyStr).filter((t) => has(params, t))).size;
    const together = opt['required_together'];
    if (Array.isArray(together)) {
      const bad = together.find((term) => {
        const counts = names(term).map((f) => count(f));
        return counts.some((c) => c > 0) && counts.includes(0);
      });
      if (bad !== undefined) this.errors.push(within(`parameters are required together: ${names(bad).join(', ')}`, context));
    }
    const oneOf = opt['required_one_of'];
    if (Array.isArray(oneOf)) {
      const bad = oneOf.find((term) => count(term) === 0);
      if (bad !== undefined) this.errors.push(within(`one of the following is required: ${names(bad).join(', ')}`, context));
    }
    const requiredIf = opt['required_if'];
    if (Array.isArray(requiredIf)) {
      for (const req of requiredIf) {
        if (!Array.isArray(req)) continue;
        const [key, val, reqs, isOneOf] = req as [unknown, unknown, unknown, unknown];
        const list = names(reqs);
        const missing = has(params, pyStr(key)) && pyEquals(params[pyStr(key)], val) ? list.filter((c) => count(c) === 0) : [];
        if (missing.length && missing.length >= (isOneOf === true ? list.length : 0)) {
          this.errors.push(within(`${pyStr(key)} is ${pyStr(val)} but ${isOneOf === true ? 'any' : 'all'} of the following are missing: ${missing.join(', ')}`, context));
          break;
        }
      }
    }
    const requiredBy = opt['required_by'];
    if (isDict(requiredBy)) {
      for (const [key, value] of Object.entries(requiredBy)) {
        if (!has(params, key) || params[key] === null) continue;
        const missing = (typeof value === 'string' ? [value] : names(value)).filter((r) => !has(params, r) || params[r] === null);
        if (missing.length) {
          this.errors.push(within(`missing parameter(s) required by '${key}': ${missing.join(', ')}`, context));
          break;
        }
      }
    }
  }

  mutuallyExclusive(terms: unknown, params: Dict, context: string[]): void {
    if (!Array.isArray(terms)) return;
    const bad = terms.filter((check) => new Set((Array.isArray(check) ? check : [check]).map(pyStr).filter((t) => has(params, t))).size > 1);
    if (bad.length) this.errors.push(within(`parameters are mutually exclusive: ${bad.map((c) => names(c).join('|')).join(', ')}`, context));
  }

  subSpec(spec: Spec, params: Dict, context: string[], path: DataPath): void {
    for (const [param, opt] of Object.entries(spec)) {
      const wanted = opt['type'];
      if (!(wanted === 'dict' || (wanted === 'list' && opt['elements'] === 'dict'))) continue;
      const rawSub = opt['options'];
      if (opt['apply_defaults'] === true) {
        if (rawSub === undefined || rawSub === null) continue;
        if (params[param] === undefined || params[param] === null) params[param] = {};
      } else if (rawSub === undefined || rawSub === null || !has(params, param) || params[param] === null) continue;
      const sub = specOf(rawSub);
      context.push(param);
      const value = params[param];
      const elements = Array.isArray(value) ? value : [value];
      elements.forEach((subParams, idx) => {
        const at = Array.isArray(value) ? [...path, param, idx] : [...path, param];
        if (!isDict(subParams)) {
          this.errors.push(`value of '${param}' must be of type dict or list of dicts`);
          return;
        }
        const aliases = this.attempt(() => this.aliases(sub, subParams)) ?? {};
        this.attempt(() => this.noLogScan(sub, subParams));
        this.recordUnsupported(subParams, [...Object.keys(aliases), ...Object.keys(sub)], aliases, context);
        this.mutuallyExclusive(opt['mutually_exclusive'], subParams, context);
        this.setDefaults(sub, subParams, false);
        this.required(sub, subParams, context);
        this.types(sub, subParams, context, at);
        this.values(sub, subParams, context);
        this.additional(opt, subParams, context);
        this.setDefaults(sub, subParams, true);
        this.subSpec(sub, subParams, context, at);
      });
      context.pop();
    }
  }

  /** A step whose TypeError ansible-core catches and records as one error. */
  attempt<T>(step: () => T): T | undefined {
    try {
      return step();
    } catch (e) {
      if (!(e instanceof ArgTypeCheckError)) throw e;
      this.errors.push(e.message);
      return undefined;
    }
  }

  unsupportedMessage(): string | undefined {
    if (!this.unsupported.size) return undefined;
    const keys = [...this.unsupported.keys()];
    // ansible-core lists the supported names of the last unsupported name it iterated.
    const last = this.unsupported.get(keys[keys.length - 1]!)!;
    let supported = [...last.supported].sort().join(', ');
    if (last.aliases.length) supported += ` (${[...last.aliases].sort().join(', ')})`;
    return `${keys.sort().join(', ')}. Supported parameters include: ${supported}.`;
  }
}

/** Validates `parameters` against an argument spec's options (the `options` of an entry point). */
export function validateArgumentSpec(argumentSpec: unknown, parameters: Dict, typeName: TypeNamer): SpecValidation {
  const spec = specOf(argumentSpec);
  const params = deepCopy(parameters);
  const run = new Run(typeName);
  const aliases = run.attempt(() => run.aliases(spec, params)) ?? {};
  const legal = [...Object.keys(aliases), ...Object.keys(spec)];
  run.attempt(() => run.noLogScan(spec, params));
  run.recordUnsupported(params, legal, aliases, []);
  run.setDefaults(spec, params, false);
  run.required(spec, params, []);
  run.types(spec, params, [], []);
  run.values(spec, params, []);
  run.setDefaults(spec, params, true);
  run.subSpec(spec, params, [], []);
  const unsupported = run.unsupportedMessage();
  if (unsupported) run.errors.push(unsupported);
  return { validated: params, errors: run.errors };
}

