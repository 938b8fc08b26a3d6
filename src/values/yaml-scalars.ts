/**
 * PyYAML's YAML 1.1 scalar rules, which every file Ansible reads goes through (ansible-core's
 * AnsibleLoader and the SafeLoader behind `from_yaml` share them):
 * - a plain (unquoted, untagged) scalar is resolved by PyYAML's implicit resolvers, in PyYAML's
 *   order: bool, float, int, merge, null, timestamp, value; anything else is a string;
 * - quoted and block scalars are always strings;
 * - `!!int`, `!!float`, `!!bool`, `!!null`, `!!str`, `!!timestamp` force a type.
 * The regular expressions are PyYAML 6's resolver.py, so `y`/`n` are strings, `0755` is 493,
 * `0o755` is a string, `1:30` is 90, `1e3` is a string (a float needs a dot) and `-.5` is a string.
 *
 * philote has no date type outside templates, so a timestamp becomes the text Python's str()
 * gives for the date or datetime PyYAML builds (what `{{ d }}` prints under Ansible).
 */
import { PyFloat } from '../template/runtime/values.js';

export const TAG = 'tag:yaml.org,2002:';

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const BOOL_TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const MERGE = /^<<$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP =
  /^(?:([0-9]{4})-([0-9]{2})-([0-9]{2})|([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)$/;
const VALUE = /^=$/;

/** The tag PyYAML's implicit resolvers give a plain scalar. */
export function resolvePlain(text: string): string {
  if (BOOL.test(text)) return TAG + 'bool';
  if (FLOAT.test(text)) return TAG + 'float';
  if (INT.test(text)) return TAG + 'int';
  if (MERGE.test(text)) return TAG + 'merge';
  if (NULL.test(text)) return TAG + 'null';
  if (TIMESTAMP.test(text)) return TAG + 'timestamp';
  if (VALUE.test(text)) return TAG + 'value';
  return TAG + 'str';
}

/** A bad explicitly-tagged scalar (`!!int abc`): the caller turns it into a located error. */
export class ScalarError extends Error {}

function sexagesimal(parts: string[]): number {
  let value = 0;
  for (const p of parts) value = value * 60 + Number(p);
  return value;
}

/** construct_yaml_int. Large values lose precision as every JavaScript number does. */
export function constructInt(text: string): number {
  let v = text.replace(/_/g, '');
  const sign = v[0] === '-' ? -1 : 1;
  if (v[0] === '-' || v[0] === '+') v = v.slice(1);
  let n: number;
  if (v === '0') return 0;
  if (v.startsWith('0b')) n = parseInt(v.slice(2), 2);
  else if (v.startsWith('0x')) n = parseInt(v.slice(2), 16);
  else if (v[0] === '0') n = /^[0-7]+$/.test(v) ? parseInt(v, 8) : NaN;
  else if (v.includes(':')) n = v.split(':').every((p) => /^[0-9]+$/.test(p)) ? sexagesimal(v.split(':')) : NaN;
  else n = /^[0-9]+$/.test(v) ? parseInt(v, 10) : NaN;
  if (Number.isNaN(n)) throw new ScalarError(`invalid literal for int() with base 10: '${text}'`);
  return sign * n;
}

/** construct_yaml_float; with `keepFloat`, a whole number stays a float (PyFloat) as in Python. */
export function constructFloat(text: string, keepFloat: boolean): number | PyFloat {
  let v = text.replace(/_/g, '').toLowerCase();
  const sign = v[0] === '-' ? -1 : 1;
  if (v[0] === '-' || v[0] === '+') v = v.slice(1);
  let n: number;
  if (v === '.inf') n = Infinity;
  else if (v === '.nan') n = NaN;
  else if (v.includes(':')) n = sexagesimal(v.split(':').map((p) => String(Number(p))));
  else if (/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?$/.test(v) || /^(?:[0-9]+(?:e[-+]?[0-9]+)?|inf|nan|infinity)$/.test(v)) n = Number(v === 'inf' || v === 'infinity' ? Infinity : v === 'nan' ? NaN : v);
  else throw new ScalarError(`could not convert string to float: '${text}'`);
  n = sign * n;
  return keepFloat && Number.isInteger(n) ? new PyFloat(n) : n;
}

export function constructBool(text: string): boolean {
  const v = text.toLowerCase();
  if (v === 'yes' || v === 'true' || v === 'on') return true;
  if (v === 'no' || v === 'false' || v === 'off') return false;
  throw new ScalarError(`'${text}' is not a boolean`);
}

/** True when `text` is one of the plain spellings PyYAML reads as true (used for !!bool too). */
export function isPlainTrue(text: string): boolean {
  return BOOL_TRUE.test(text);
}

function pad(n: number | string, w: number): string {
  return String(n).padStart(w, '0');
}

/** construct_yaml_timestamp, printed as Python's str() of the date/datetime it builds. */
export function constructTimestamp(text: string): string {
  const m = TIMESTAMP.exec(text);
  if (!m) throw new ScalarError(`'${text}' is not a timestamp`);
  if (m[1]) return `${m[1]}-${m[2]}-${m[3]}`;
  const date = `${m[4]}-${pad(m[5]!, 2)}-${pad(m[6]!, 2)}`;
  let time = `${pad(m[7]!, 2)}:${m[8]}:${m[9]}`;
  if (m[10] !== undefined) {
    const frac = m[10].slice(0, 6).padEnd(6, '0');
    if (Number(frac) !== 0) time += '.' + frac;
  }
  let tz = '';
  if (m[11] === 'Z') tz = '+00:00';
  else if (m[11]) tz = `${m[12]}${pad(m[13]!, 2)}:${m[14] ?? '00'}`;
  return `${date} ${time}${tz}`;
}
