/** Python's str()/repr() of plain data, as Ansible prints loop item labels: (item={'name': 'x'}). */
import { PyFloat } from '../template/runtime/values.js';
import { reprString } from '../values/py-repr.js';

export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') return reprString(v);
  if (v instanceof PyFloat) return String(v);
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  if (typeof v === 'object') {
    return '{' + Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ') + '}';
  }
  return String(v);
}
