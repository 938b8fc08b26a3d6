/**
 * split (ansible.builtin.split: Python's str.split on the value) and json_query
 * (community.general.json_query: a JMESPath search).
 *
 * json_query uses the `jmespath` npm package, the reference JavaScript implementation maintained
 * by the JMESPath project (the Python module Ansible calls is its sibling), so expressions,
 * functions and projections behave the same. Engine values are turned into plain JSON first.
 */
import jmespath from 'jmespath';
import type { FilterFn } from '../runtime/env.js';
import { TemplateRuntimeError } from '../runtime/env.js';
import { pySplit } from '../runtime/methods.js';
import { failUndefined, num, pyStr, PyTypeError, toPlain, typeName, Undefined } from '../runtime/values.js';

/** Deep-plain copy for the JMESPath engine (PyFloat → number, tuples → arrays). */
function plainDeep(v: unknown): unknown {
  if (v instanceof Undefined) failUndefined(v);
  const p = toPlain(v);
  if (Array.isArray(p)) return p.map(plainDeep);
  if (p !== null && typeof p === 'object') return Object.fromEntries(Object.entries(p).map(([k, x]) => [k, plainDeep(x)]));
  return p;
}

const split: FilterFn = (_s, value, args, kwargs) => {
  if (value instanceof Undefined) failUndefined(value);
  // Ansible registers str.split itself, so a non-string value fails as Python's descriptor does.
  if (typeof value !== 'string') throw new PyTypeError(`descriptor 'split' for 'str' objects doesn't apply to a '${typeName(value)}' object`);
  const sep = args[0] ?? kwargs['sep'];
  const maxsplit = args[1] ?? kwargs['maxsplit'];
  return pySplit(value, sep, maxsplit === undefined || maxsplit === null ? -1 : num(maxsplit));
};

const jsonQuery: FilterFn = (_s, value, args, kwargs) => {
  const expr = args[0] ?? kwargs['expr'];
  if (expr instanceof Undefined) failUndefined(expr);
  try {
    return jmespath.search(plainDeep(value), pyStr(expr));
  } catch (e) {
    if (e instanceof TemplateRuntimeError) throw e;
    // The engine's parse, lexer and type errors are all JMESPathError subclasses in Python.
    throw new TemplateRuntimeError(`JMESPathError in json_query filter plugin:\n${(e as Error).message}`);
  }
};

export const QUERY_FILTERS: Record<string, FilterFn> = { split, json_query: jsonQuery };
