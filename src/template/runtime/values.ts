/**
 * Python value model on top of plain JS values, so that templates behave as Jinja2 does in Ansible.
 *
 * - None is `null`; an undefined name is an `Undefined` instance (never JS `undefined` inside the engine).
 * - int is a JS number with an integral value; a float with an integral value (2.0) is a `PyFloat`
 *   box, because Python prints it as "2.0" and `7 / 7` must stay a float. Non-integral numbers are floats.
 * - tuple is an array tagged with TUPLE (prints as "(1, 2)").
 * - dict is a plain object; list is an array.
 */
import { isLazyVars, OMIT } from '../types.js';
import { PendingVault } from '../../values/vault-hook.js';

export const TUPLE = Symbol('philote.tuple');

export class PyFloat {
  constructor(readonly value: number) {}
  /** Arithmetic and Number() outside the engine see the number. */
  valueOf(): number {
    return this.value;
  }
  /** String() and template literals see Python's str(): "1.0". */
  toString(): string {
    return floatRepr(this.value);
  }
  /** JSON.stringify (API bodies, run records) writes the number. */
  toJSON(): number {
    return this.value;
  }
}

export function makeFloat(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n;
}

export function tuple<T>(items: T[]): T[] {
  Object.defineProperty(items, TUPLE, { value: true, enumerable: false });
  return items;
}

export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && (v as unknown as Record<symbol, unknown>)[TUPLE] === true;
}

/** Marker for values returned by `{% macro %}` definitions and `namespace()` objects. */
export class Namespace {
  constructor(public attrs: Record<string, unknown>) {}
}

export type Dict = Record<string, unknown>;

export function isDict(v: unknown): v is Dict {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v) || v instanceof PyFloat || v instanceof Namespace) return false;
  if (v instanceof Undefined) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function isNumber(v: unknown): v is number | PyFloat {
  return typeof v === 'number' || v instanceof PyFloat;
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

export function isFloat(v: unknown): boolean {
  return v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
}

export function num(v: unknown): number {
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v as number;
}

/**
 * An undefined value. Like Ansible's AnsibleUndefined (a StrictUndefined): attribute access chains,
 * any other use raises with the message of the first missing name.
 */
export class Undefined {
  constructor(
    /** The name the user wrote (for UndefinedVariableError.variable). */
    readonly name: string,
    /** Jinja2's message: "'x' is undefined" or "'dict object' has no attribute 'y'". */
    readonly message: string,
    /** Jinja's plain Undefined (from `a if c` without else): prints as '' instead of failing. */
    readonly soft = false,
  ) {}
}

/** Thrown inside the engine; the public API converts it to UndefinedVariableError. */
export class UndefinedUse extends Error {
  constructor(readonly undef: Undefined) {
    super(undef.message);
  }
}

export function failUndefined(u: Undefined): never {
  throw new UndefinedUse(u);
}

export function truthy(v: unknown): boolean {
  if (v instanceof Undefined) return v.soft ? false : failUndefined(v);
  if (v === null || v === undefined || v === false) return false;
  if (v === true) return true;
  if (typeof v === 'number') return v !== 0;
  if (v instanceof PyFloat) return v.value !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  return true;
}

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (v instanceof Undefined) return 'AnsibleUndefined';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (isInt(v)) return 'int';
  if (isNumber(v)) return 'float';
  if (isTuple(v)) return 'tuple';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'function') return 'function';
  if (v === OMIT) return 'str';
  if (isOrdered(v)) return v.pyTypeName;
  return 'dict';
}

function floatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return n.toFixed(1);
  // Python's repr switches to exponent notation from 1e16 up and below 1e-4.
  let s = Math.abs(n) >= 1e16 || (n !== 0 && Math.abs(n) < 1e-4) ? n.toExponential() : String(n);
  // JS: 1e+21, Python: 1e+21; JS: 1e-7, Python: 1e-07
  s = s.replace(/e([+-])(\d)$/, 'e$10$2');
  return s;
}

export { reprString } from '../../values/py-repr.js';
import { reprString } from '../../values/py-repr.js';

/** Python repr(). */
/** Python's type(v) as printed: "<class 'bool'>". */
export function pyClass(v: unknown): string {
  return `<class '${typeName(v)}'>`;
}

export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return reprString(v);
  // AnsibleUndefined.__repr__ does not fail (only str() and other uses do).
  if (v instanceof Undefined && !v.soft) {
    const m = /^'(.*)' is undefined$/.exec(v.message);
    return m ? `AnsibleUndefined(hint=None, obj=missing, name=${reprString(m[1]!)})` : `AnsibleUndefined(hint=${reprString(v.message)}, obj=missing, name=${reprString(v.name)})`;
  }
  if (Array.isArray(v)) {
    const inner = v.map(pyRepr).join(', ');
    if (isTuple(v)) return v.length === 1 ? `(${inner},)` : `(${inner})`;
    return `[${inner}]`;
  }
  if (isDict(v)) {
    return '{' + Object.entries(v).map(([k, x]) => `${reprString(k)}: ${pyRepr(x)}`).join(', ') + '}';
  }
  return pyStr(v);
}

/** Python str(). */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : floatRepr(v);
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (v instanceof Undefined) return v.soft ? '' : failUndefined(v);
  if (v === OMIT) return '__omit_place_holder__';
  if (v instanceof Namespace) return '<Namespace>';
  if (typeof v === 'function') return `<function ${(v as { name?: string }).name ?? ''}>`;
  if (v instanceof Object && 'pyName' in v) return `<built-in method ${String((v as { pyName: string }).pyName)}>`;
  if (Array.isArray(v) || isDict(v)) return pyRepr(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'object' && v !== null && Object.prototype.hasOwnProperty.call(Object.getPrototypeOf(v), 'toString')) return String(v);
  return String(v);
}

/** Python ==. */
export function pyEquals(a: unknown, b: unknown): boolean {
  if (a instanceof Undefined || b instanceof Undefined) {
    // Jinja2's StrictUndefined refuses comparisons.
    failUndefined((a instanceof Undefined ? a : b) as Undefined);
  }
  if (a === b) return true;
  if (isOrdered(a) || isOrdered(b)) return isOrdered(a) && isOrdered(b) && a.pyTypeName === b.pyTypeName && a.pyOrderKey() === b.pyOrderKey();
  if ((isNumber(a) || typeof a === 'boolean') && (isNumber(b) || typeof b === 'boolean')) return num(a) === num(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (isTuple(a) !== isTuple(b)) return false;
    return a.length === b.length && a.every((x, i) => pyEquals(x, b[i]));
  }
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEquals(a[k], b[k]));
  }
  return false;
}

export class PyTypeError extends Error {}

/** Python ordering (<): numbers with numbers, strings with strings, lists lexicographically. */
/**
 * A Python value ordered by a number (datetime, timedelta: runtime/datetime.ts), so that
 * `a < b` compares two of the same type, and named by its class in type errors.
 */
export interface PyOrdered {
  readonly pyTypeName: string;
  /** As a TypeError names the class: 'datetime.datetime'. */
  readonly pyQualName: string;
  pyOrderKey(): number;
}

function isOrdered(v: unknown): v is PyOrdered {
  return typeof v === 'object' && v !== null && typeof (v as Partial<PyOrdered>).pyOrderKey === 'function';
}

export function pyCompare(a: unknown, b: unknown, op = '<'): number {
  if (a instanceof Undefined) failUndefined(a);
  if (b instanceof Undefined) failUndefined(b);
  if (isOrdered(a) && isOrdered(b) && a.pyTypeName === b.pyTypeName) {
    const x = a.pyOrderKey();
    const y = b.pyOrderKey();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if ((isNumber(a) || typeof a === 'boolean') && (isNumber(b) || typeof b === 'boolean')) {
    const x = num(a);
    const y = num(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!pyEquals(a[i], b[i])) return pyCompare(a[i], b[i], op);
    }
    return a.length - b.length;
  }
  const named = (v: unknown) => (isOrdered(v) ? v.pyQualName : typeName(v));
  throw new PyTypeError(`'${op}' not supported between instances of '${named(a)}' and '${named(b)}'`);
}

export function pyLen(v: unknown): number {
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (isDict(v)) return Object.keys(v).length;
  if (v instanceof Undefined) failUndefined(v);
  throw new PyTypeError(`object of type '${typeName(v)}' has no len()`);
}

/** Python iteration: strings by character, dicts by key. */
export function pyIter(v: unknown): unknown[] {
  if (v instanceof Undefined) failUndefined(v);
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return [...v];
  if (isDict(v)) return Object.keys(v);
  if (v instanceof Namespace) return Object.keys(v.attrs);
  throw new PyTypeError(`'${typeName(v)}' object is not iterable`);
}

/** Python `in`. */
export function pyContains(container: unknown, item: unknown): boolean {
  if (container instanceof Undefined) failUndefined(container);
  if (typeof container === 'string') {
    if (item instanceof Undefined) failUndefined(item);
    if (typeof item !== 'string') throw new PyTypeError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pyEquals(x, item));
  if (isDict(container)) return typeof item === 'string' || isNumber(item) ? Object.prototype.hasOwnProperty.call(container, pyStr(item)) : false;
  throw new PyTypeError(`argument of type '${typeName(container)}' is not iterable`);
}

/** Convert engine values to plain JSON-ish JS for callers (PyFloat → number, tuple → array). */
export function toPlain(v: unknown, keepFloats = false): unknown {
  if (v instanceof PyFloat) return keepFloats ? v : v.value;
  // A `!vault` value no secret opened is used here (a module argument, a template's result).
  if (v instanceof PendingVault) v.fail();
  // hostvars and a host's view template their values when read: walking them would render every
  // variable of every host (and hostvars inside each, without end).
  if (isLazyVars(v)) return v;
  if (Array.isArray(v)) {
    let changed = isTuple(v);
    const out = v.map((x) => {
      const p = toPlain(x, keepFloats);
      if (p !== x) changed = true;
      return p;
    });
    return changed ? out : v;
  }
  if (isDict(v)) {
    let changed = false;
    const out: Dict = {};
    for (const [k, x] of Object.entries(v)) {
      const p = toPlain(x, keepFloats);
      if (p !== x) changed = true;
      out[k] = p;
    }
    return changed ? out : v;
  }
  return v;
}
