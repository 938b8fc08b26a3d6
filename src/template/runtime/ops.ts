/** Python arithmetic: int/float distinction, floor division, modulo sign, str/list repetition, "%" formatting. */
import { dateSub } from './datetime.js';
import { failUndefined, isFloat, isNumber, isTuple, makeFloat, num, PyFloat, pyRepr, pyStr, PyTypeError, tuple, typeName, Undefined } from './values.js';

function numeric(v: unknown): boolean {
  return isNumber(v) || typeof v === 'boolean';
}

function unsupported(op: string, a: unknown, b: unknown): never {
  throw new PyTypeError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

function numResult(x: number, anyFloat: boolean): number | PyFloat {
  return anyFloat ? makeFloat(x) : x;
}

export function binop(op: string, a: unknown, b: unknown): unknown {
  if (a instanceof Undefined) failUndefined(a);
  if (b instanceof Undefined) failUndefined(b);
  const bothNum = numeric(a) && numeric(b);
  const anyFloat = isFloat(a) || isFloat(b);
  switch (op) {
    case '+':
      if (bothNum) return numResult(num(a) + num(b), anyFloat);
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) return isTuple(a) ? tuple([...a, ...b]) : [...a, ...b];
      if (typeof a === 'string' || typeof b === 'string') {
        throw new PyTypeError(typeof a === 'string' ? `can only concatenate str (not "${typeName(b)}") to str` : `unsupported operand type(s) for +: '${typeName(a)}' and 'str'`);
      }
      return unsupported('+', a, b);
    case '-': {
      const d = dateSub(a, b);
      if (d !== undefined) return d;
    }
      if (bothNum) return numResult(num(a) - num(b), anyFloat);
      return unsupported('-', a, b);
    case '*':
      if (bothNum) return numResult(num(a) * num(b), anyFloat);
      if (typeof a === 'string' && isIntLike(b)) return a.repeat(Math.max(0, num(b)));
      if (typeof b === 'string' && isIntLike(a)) return b.repeat(Math.max(0, num(a)));
      if (Array.isArray(a) && isIntLike(b)) return repeatList(a, num(b));
      if (Array.isArray(b) && isIntLike(a)) return repeatList(b, num(a));
      return unsupported('*', a, b);
    case '/':
      if (bothNum) {
        if (num(b) === 0) throw new PyTypeError('division by zero');
        return makeFloat(num(a) / num(b));
      }
      return unsupported('/', a, b);
    case '//':
      if (bothNum) {
        if (num(b) === 0) throw new PyTypeError('integer division or modulo by zero');
        return numResult(Math.floor(num(a) / num(b)), anyFloat);
      }
      return unsupported('//', a, b);
    case '%':
      if (typeof a === 'string') return percentFormat(a, b);
      if (bothNum) {
        if (num(b) === 0) throw new PyTypeError('integer division or modulo by zero');
        const x = num(a);
        const y = num(b);
        return numResult(x - y * Math.floor(x / y), anyFloat);
      }
      return unsupported('%', a, b);
    case '**':
      if (bothNum) {
        const r = Math.pow(num(a), num(b));
        return numResult(r, anyFloat || num(b) < 0);
      }
      return unsupported('** or pow()', a, b);
  }
  throw new Error(`unknown operator ${op}`);
}

function isIntLike(v: unknown): boolean {
  return typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v));
}

function repeatList(a: unknown[], n: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(...a);
  return isTuple(a) ? tuple(out) : out;
}

/** Python's printf-style `"%s" % x`. */
export function percentFormat(fmt: string, arg: unknown): string {
  const args = isTuple(arg) ? [...(arg as unknown[])] : [arg];
  let i = 0;
  const dictArg = arg !== null && typeof arg === 'object' && !Array.isArray(arg) ? (arg as Record<string, unknown>) : undefined;
  const out = fmt.replace(/%(\(([^)]*)\))?([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([sdirfFxXoeEgGc%])/g, (_m, _k, key: string | undefined, flags: string, width: string | undefined, prec: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    let v: unknown;
    if (key !== undefined && dictArg) v = dictArg[key];
    else {
      if (i >= args.length) throw new PyTypeError('not enough arguments for format string');
      v = args[i++];
    }
    let s: string;
    switch (conv) {
      case 's':
        s = pyStr(v);
        break;
      case 'r':
        s = pyRepr(v);
        break;
      case 'd':
      case 'i':
        s = String(Math.trunc(num(v)));
        break;
      case 'f':
      case 'F':
        s = num(v).toFixed(prec === undefined ? 6 : Number(prec));
        break;
      case 'x':
        s = Math.trunc(num(v)).toString(16);
        break;
      case 'X':
        s = Math.trunc(num(v)).toString(16).toUpperCase();
        break;
      case 'o':
        s = Math.trunc(num(v)).toString(8);
        break;
      case 'e':
      case 'E':
        s = num(v).toExponential(prec === undefined ? 6 : Number(prec)).replace(/e([+-])(\d)$/, 'e$10$2');
        if (conv === 'E') s = s.toUpperCase();
        break;
      case 'c':
        s = typeof v === 'string' ? v : String.fromCodePoint(num(v));
        break;
      default:
        s = pyStr(v);
    }
    if (conv === 's' && prec !== undefined) s = s.slice(0, Number(prec));
    if (flags.includes('+') && /[difeE]/.test(conv) && num(v) >= 0) s = '+' + s;
    const w = width ? Number(width) : 0;
    if (s.length < w) {
      if (flags.includes('-')) s = s.padEnd(w);
      else if (flags.includes('0') && conv !== 's') s = s.startsWith('-') ? '-' + s.slice(1).padStart(w - 1, '0') : s.padStart(w, '0');
      else s = s.padStart(w);
    }
    return s;
  });
  if (i < args.length && !dictArg) throw new PyTypeError('not all arguments converted during string formatting');
  return out;
}
