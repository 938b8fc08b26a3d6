/** Things a template can call or take attributes from, beyond plain data. */
import type { Dict } from './values.js';

/** A function callable from a template: globals (range, lookup), macros, bound str/list/dict methods. */
export class PyCallable {
  constructor(
    readonly pyName: string,
    readonly fn: (args: unknown[], kwargs: Dict) => unknown,
  ) {}
}

export const NO_ATTR = Symbol('philote.noattr');

/** An object with Python-style attributes (loop, namespace, cycler). */
export interface PyObject {
  getAttr(name: string): unknown;
}

export function isPyObject(v: unknown): v is PyObject {
  return typeof v === 'object' && v !== null && typeof (v as { getAttr?: unknown }).getAttr === 'function';
}

/** Bind call arguments to parameter names, Python-style; returns values in parameter order. */
export function bindArgs(fname: string, params: string[], args: unknown[], kwargs: Dict, defaults: Dict = {}): unknown[] {
  if (args.length > params.length) throw new Error(`${fname}() takes at most ${params.length} positional arguments (${args.length} given)`);
  const out: unknown[] = params.map((p, i) => (i < args.length ? args[i] : p in kwargs ? kwargs[p] : defaults[p]));
  for (const k of Object.keys(kwargs)) {
    if (!params.includes(k)) throw new Error(`${fname}() got an unexpected keyword argument '${k}'`);
  }
  return out;
}
