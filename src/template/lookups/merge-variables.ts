/**
 * community.general.merge_variables: merge every variable in scope whose name matches a prefix,
 * a suffix or a regular expression (pattern_type, default regex), in sorted name order, starting
 * from initial_value. Dicts merge deeply (lists inside extend), lists concatenate; a scalar
 * key that would be overwritten with a different value fails (override=error, the default)
 * or is overwritten (warn, ignore; the template engine has no warning channel, so warn = ignore
 * plus nothing printed: named in docs/supported.md).
 */
import type { LookupFn } from './index.js';
import { TemplateRuntimeError } from '../runtime/env.js';
import { isDict, pyEquals, pyStr, typeName, Undefined, failUndefined, type Dict } from '../runtime/values.js';

type Kind = 'list' | 'dict';

function kindOf(v: unknown): Kind {
  if (Array.isArray(v)) return 'list';
  if (isDict(v)) return 'dict';
  throw new TemplateRuntimeError('Not supported type detected, variable must be a list or a dict');
}

/** A copy the merge may change without touching the variables it came from. */
function copy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copy);
  if (isDict(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x)]));
  return v;
}

function mergeDict(src: Dict, dest: Dict, path: string[], override: string): Dict {
  for (const [key, value] of Object.entries(src)) {
    if (isDict(value)) {
      if (!isDict(dest[key])) dest[key] = {};
      mergeDict(value, dest[key] as Dict, [...path, key], override);
    } else if (Array.isArray(value) && key in dest) {
      dest[key] = [...(dest[key] as unknown[]), ...value];
    } else {
      if (key in dest && !pyEquals(dest[key], value) && override === 'error') {
        throw new TemplateRuntimeError(`The key '${key}' with value '${pyStr(dest[key])}' will be overwritten with value '${pyStr(value)}' from '${path.join('.')}.${key}'`);
      }
      dest[key] = value;
    }
  }
  return dest;
}

export const mergeVariables: LookupFn = (s, terms, kwargs) => {
  const patternType = pyStr(kwargs['pattern_type'] ?? process.env['ANSIBLE_MERGE_VARIABLES_PATTERN_TYPE'] ?? 'regex');
  const override = pyStr(kwargs['override'] ?? process.env['ANSIBLE_MERGE_VARIABLES_OVERRIDE'] ?? 'error');
  if (!['prefix', 'suffix', 'regex'].includes(patternType)) throw new TemplateRuntimeError(`Invalid value "${patternType}" for configuration option "pattern_type", valid values are: prefix, suffix, regex`);
  if (!['error', 'warn', 'ignore'].includes(override)) throw new TemplateRuntimeError(`Invalid value "${override}" for configuration option "override", valid values are: error, warn, ignore`);
  const initial = kwargs['initial_value'];
  if (initial instanceof Undefined) failUndefined(initial);
  const names = Object.keys(s.ctx.vars);
  return terms.map((term) => {
    if (typeof term !== 'string') throw new TemplateRuntimeError(`Non-string type '<class '${typeName(term)}'>' passed, only 'str' types are allowed!`);
    const re = patternType === 'regex' ? new RegExp(term) : undefined;
    const matches = (k: string): boolean => (patternType === 'prefix' ? k.startsWith(term) : patternType === 'suffix' ? k.endsWith(term) : re!.test(k));
    let kind: Kind | undefined;
    let result: unknown = null;
    if (initial !== undefined && initial !== null) {
      kind = kindOf(initial);
      result = copy(initial);
    }
    for (const name of names.filter(matches).sort()) {
      const value = copy(s.lookupVar(name));
      if (value instanceof Undefined) failUndefined(value);
      const k = kindOf(value);
      if (kind === undefined) kind = k;
      else if (kind !== k) throw new TemplateRuntimeError('Unable to merge, not all variables are of the same type');
      if (result === null) result = value;
      else if (k === 'dict') result = mergeDict(value as Dict, result as Dict, [name], override);
      else result = [...(result as unknown[]), ...(value as unknown[])];
    }
    return result;
  });
};
