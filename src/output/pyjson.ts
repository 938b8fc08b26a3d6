/**
 * JSON text as Python's json.dumps(sort_keys=True, ensure_ascii=False) writes it, which
 * is what Ansible prints: ", " and ": " separators when compact, ",\n" + indent otherwise.
 */
import { PyFloat } from '../template/runtime/values.js';

export function pyJson(value: unknown, indent?: number): string {
  return dump(value, indent, 0);
}

function dump(v: unknown, indent: number | undefined, level: number): string {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return 'null';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v !== v ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // A whole-number float from YAML (`1.0`) prints as Python prints it.
  if (v instanceof PyFloat) return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Buffer.isBuffer(v)) return JSON.stringify(v.toString('utf8'));
  const pad = indent === undefined ? '' : '\n' + ' '.repeat(indent * (level + 1));
  const end = indent === undefined ? '' : '\n' + ' '.repeat(indent * level);
  const sep = indent === undefined ? ', ' : ',';
  if (Array.isArray(v) || v instanceof Set) {
    const items = [...v];
    if (items.length === 0) return '[]';
    return '[' + items.map((x) => pad + dump(x, indent, level + 1)).join(sep) + end + ']';
  }
  const obj = v instanceof Map ? Object.fromEntries(v) : (v as Record<string, unknown>);
  const keys = Object.keys(obj).sort();
  if (keys.length === 0) return '{}';
  return '{' + keys.map((k) => pad + JSON.stringify(k) + ': ' + dump(obj[k], indent, level + 1)).join(sep) + end + '}';
}
