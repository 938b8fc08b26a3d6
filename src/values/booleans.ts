/**
 * Ansible's booleans (module_utils/parsing/convert_bool.py), for every place that reads a yes/no
 * value: playbook keywords (strict), module arguments of type bool (strict, check_type_bool),
 * configuration settings and environment variables (non-strict), set_fact's and assert's
 * conversions (non-strict).
 * - true:  'y', 'yes', 'on', '1', 'true', 't' (any case, surrounding blanks ignored), 1, 1.0, true
 * - false: 'n', 'no', 'off', '0', 'false', 'f', 0, 0.0, false
 * Strict: anything else is an error. Non-strict: anything else is false.
 * This is not Jinja's truthiness (`{% if x %}`, Python's bool()), which lives in
 * src/template/runtime/values.ts: there, 'no' is a non-empty string and so true.
 */
import { UnsafeText } from '../template/unsafe.js';

export const BOOLEANS_TRUE: readonly string[] = ['y', 'yes', 'on', '1', 'true', 't'];
export const BOOLEANS_FALSE: readonly string[] = ['n', 'no', 'off', '0', 'false', 'f'];

/** Ansible's TypeError for a value that is not a boolean (strict mode). */
export class BooleanError extends Error {
  constructor(readonly value: unknown) {
    const valid = [...BOOLEANS_TRUE, ...BOOLEANS_FALSE].map((s) => `'${s}'`).concat(['1', '1.0', 'True', '0', '0.0', 'False']);
    super(`The value '${String(value)}' is not a valid boolean.  Valid booleans include: ${valid.join(', ')}`);
    this.name = 'BooleanError';
  }
}

/** The boolean `value` stands for, or undefined when it is none of Ansible's spellings. */
export function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  // An UnsafeText box counts as its text, as AnsibleUnsafeText is a str.
  const text = value instanceof UnsafeText ? value.text : value;
  if (typeof text === 'string') {
    const s = text.trim().toLowerCase();
    if (BOOLEANS_TRUE.includes(s)) return true;
    if (BOOLEANS_FALSE.includes(s)) return false;
  }
  return undefined;
}

/** ansible's boolean(value, strict): strict throws BooleanError, non-strict gives false. */
export function boolean(value: unknown, strict = true): boolean {
  const b = parseBoolean(value);
  if (b !== undefined) return b;
  if (strict) throw new BooleanError(value);
  return false;
}
