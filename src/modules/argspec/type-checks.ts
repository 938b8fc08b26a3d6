/**
 * The type checkers of an argument spec (module_utils/common/validation.py check_type_*), as the
 * role argument_specs and the validate_argument_spec module use them: each converts a value to
 * the wanted type or throws ArgTypeCheckError with the words ansible-core uses, so the messages
 * users see (and playbooks assert on) are the same.
 */
import { BooleanError, boolean } from '../../values/booleans.js';
import { literalEval } from '../../values/literal-eval.js';
import { humanToBytes } from '../../values/human-size.js';
import { isDict, isFloat, isInt, makeFloat, num, PyFloat, pyStr } from '../../template/runtime/values.js';
import { pyJsonDumps } from '../../template/filters/serialize.js';

/** A value the checker cannot convert (Python's TypeError or ValueError inside check_type_*). */
export class ArgTypeCheckError extends Error {}

/** `type(value)` as Python prints it in the messages, e.g. "<class 'str'>". */
export type TypeText = (value: unknown) => string;

export type TypeChecker = (value: unknown, typeText: TypeText) => unknown;

function isText(v: unknown): v is string {
  return typeof v === 'string';
}

function isNumeric(v: unknown): boolean {
  return typeof v === 'number' || v instanceof PyFloat || typeof v === 'boolean';
}

function checkStr(value: unknown): unknown {
  return isText(value) ? value : pyStr(value);
}

function checkList(value: unknown, typeText: TypeText): unknown {
  if (Array.isArray(value)) return value;
  if (isText(value)) return value.split(',');
  if (isNumeric(value)) return [pyStr(value)];
  throw new ArgTypeCheckError(`${typeText(value)} cannot be converted to a list`);
}

/** check_type_dict's key=value reading: blanks or commas separate fields, quotes group, \ escapes. */
function keyValueFields(text: string): Record<string, string> {
  const fields: string[] = [];
  let buf = '';
  let quote: string | false = false;
  let escape = false;
  for (const c of text.trim()) {
    if (escape) {
      buf += c;
      escape = false;
    } else if (c === '\\') escape = true;
    else if (!quote && (c === "'" || c === '"')) quote = c;
    else if (quote && quote === c) quote = false;
    else if (!quote && (c === ',' || c === ' ')) {
      if (buf) fields.push(buf);
      buf = '';
    } else buf += c;
  }
  if (buf) fields.push(buf);
  const out: Record<string, string> = {};
  for (const f of fields) {
    const at = f.indexOf('=');
    // dict() of a one-element sequence: Python's ValueError, reported as the conversion failure.
    if (at < 0) throw new ArgTypeCheckError(`dictionary update sequence element #${fields.indexOf(f)} has length 1; 2 is required`);
    out[f.slice(0, at)] = f.slice(at + 1);
  }
  return out;
}

function checkDict(value: unknown, typeText: TypeText): unknown {
  if (isDict(value)) return value;
  if (isText(value)) {
    if (value.startsWith('{')) {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        const lit = literalEval(value);
        if (lit === undefined) throw new ArgTypeCheckError('unable to evaluate string as dictionary');
        return lit.value;
      }
    }
    if (value.includes('=')) return keyValueFields(value);
    throw new ArgTypeCheckError('dictionary requested, could not parse JSON or key=value');
  }
  throw new ArgTypeCheckError(`${typeText(value)} cannot be converted to a dict`);
}

function checkBool(value: unknown, typeText: TypeText): unknown {
  if (typeof value === 'boolean') return value;
  if (isText(value) || isNumeric(value)) {
    try {
      return boolean(value instanceof PyFloat ? value.value : value, true);
    } catch (e) {
      if (e instanceof BooleanError) throw new ArgTypeCheckError(e.message);
      throw e;
    }
  }
  throw new ArgTypeCheckError(`${typeText(value)} cannot be converted to a bool`);
}

/** Python's int(str): blanks around, a sign, digits with single underscores between them. */
const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;
/** Python's float(str), including inf/nan spellings. */
const PY_FLOAT = /^\s*[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:[eE][+-]?\d+)?|\d+(?:_\d+)*\.(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)\s*$/i;

function checkInt(value: unknown, typeText: TypeText): unknown {
  if (typeof value === 'boolean' || isInt(value)) return value;
  if (isText(value) && PY_INT.test(value)) return parseInt(value.replace(/_/g, '').trim(), 10);
  throw new ArgTypeCheckError(`${typeText(value)} cannot be converted to an int`);
}

function checkFloat(value: unknown, typeText: TypeText): unknown {
  if (isFloat(value)) return value;
  if (typeof value === 'boolean' || isInt(value)) return makeFloat(num(value));
  if (isText(value) && PY_FLOAT.test(value)) {
    const t = value.trim().replace(/_/g, '').toLowerCase().replace(/^([+-]?)inf(inity)?$/, '$1Infinity');
    return makeFloat(/nan$/.test(t) ? NaN : Number(t));
  }
  throw new ArgTypeCheckError(`${typeText(value)} cannot be converted to a float`);
}

/** os.path.expanduser(os.path.expandvars(v)) on the controller. */
function checkPath(value: unknown): unknown {
  const text = checkStr(value) as string;
  const vars = text.replace(/\$(\w+)|\$\{([^}]*)\}/g, (whole, a: string | undefined, b: string | undefined) => process.env[(a ?? b)!] ?? whole);
  return /^~(?=\/|$)/.test(vars) && process.env['HOME'] ? process.env['HOME'] + vars.slice(1) : vars;
}

function checkBytes(value: unknown, typeText: TypeText): unknown {
  const n = humanToBytes(pyStr(value));
  if (n === undefined) throw new ArgTypeCheckError(`${typeText(value)} cannot be converted to a Byte value`);
  return n;
}

function checkBits(value: unknown, typeText: TypeText): unknown {
  const n = humanToBytes(pyStr(value), undefined, true);
  if (n === undefined) throw new ArgTypeCheckError(`${typeText(value)} cannot be converted to a Bit value`);
  return n;
}

function checkJsonArg(value: unknown, typeText: TypeText): unknown {
  if (isText(value)) return value.trim();
  // jsonify: json.dumps with its default separators, keys in their order.
  if (Array.isArray(value) || isDict(value)) return pyJsonDumps(value, { sortKeys: false, ensureAscii: true, itemSep: ', ', keySep: ': ' });
  throw new ArgTypeCheckError(`${typeText(value)} cannot be converted to a json string`);
}

/** DEFAULT_TYPE_VALIDATORS; `type` unset means 'str'. */
export const TYPE_CHECKERS: Readonly<Record<string, TypeChecker>> = {
  str: checkStr,
  list: checkList,
  dict: checkDict,
  bool: checkBool,
  int: checkInt,
  float: checkFloat,
  path: checkPath,
  raw: (v) => v,
  jsonarg: checkJsonArg,
  json: checkJsonArg,
  bytes: checkBytes,
  bits: checkBits,
};

/**
 * The checker for a spec's `type`. An unknown name has no checker: ansible-core then calls None,
 * and its TypeError becomes the argument's conversion error.
 */
export function typeChecker(wanted: unknown): { name: string; check: TypeChecker } {
  const name = wanted === undefined || wanted === null ? 'str' : pyStr(wanted);
  if (Object.prototype.hasOwnProperty.call(TYPE_CHECKERS, name)) return { name, check: TYPE_CHECKERS[name]! };
  return {
    name,
    check: () => {
      throw new ArgTypeCheckError("'NoneType' object is not callable");
    },
  };
}
