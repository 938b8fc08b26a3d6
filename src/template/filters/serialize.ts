/**
 * to_json/to_nice_json as Python's json.dumps prints them, and to_yaml/to_nice_yaml as PyYAML's
 * safe dumper prints common data (sorted keys, block style, PyYAML's quoting rules).
 */
import { PhiloteError } from '../../errors.js';
import { loadYaml, loadYamlAll } from '../../values/yaml.js';
import type { FilterFn } from '../runtime/env.js';
import { TemplateRuntimeError } from '../runtime/env.js';
import { failUndefined, isDict, isFloat, num, PyFloat, pyStr, truthy, Undefined, type Dict } from '../runtime/values.js';
import { OMIT } from '../types.js';
import { UnsafeText } from '../unsafe.js';

function floatJson(v: unknown): string {
  const n = num(v);
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  return pyStr(v);
}

function jsonString(s: string, ensureAscii: boolean): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
    else if (ensureAscii && c > 0x7e) {
      if (c > 0xffff) {
        const hi = Math.floor((c - 0x10000) / 0x400) + 0xd800;
        const lo = ((c - 0x10000) % 0x400) + 0xdc00;
        out += '\\u' + hi.toString(16) + '\\u' + lo.toString(16);
      } else out += '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}

interface JsonOpts {
  indent?: number;
  sortKeys: boolean;
  ensureAscii: boolean;
  itemSep: string;
  keySep: string;
}

export function pyJsonDumps(v: unknown, o: JsonOpts, level = 0): string {
  if (v instanceof Undefined) failUndefined(v);
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return jsonString(v, o.ensureAscii);
  // omit is a string in Ansible (its placeholder), and data from nodes (facts, registered output)
  // is AnsibleUnsafeText, a str: both serialise as strings (`hostvars[h] | to_json` has them).
  if (v === OMIT) return jsonString(pyStr(v), o.ensureAscii);
  if (v instanceof UnsafeText) return jsonString(v.text, o.ensureAscii);
  if (typeof v === 'number' || v instanceof PyFloat) return isFloat(v) ? floatJson(v) : String(v);
  const nl = o.indent === undefined ? '' : '\n' + ' '.repeat(o.indent * (level + 1));
  const end = o.indent === undefined ? '' : '\n' + ' '.repeat(o.indent * level);
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    return '[' + nl + v.map((x) => pyJsonDumps(x, o, level + 1)).join(o.itemSep + nl) + end + ']';
  }
  if (isDict(v)) {
    let keys = Object.keys(v);
    if (!keys.length) return '{}';
    if (o.sortKeys) keys = keys.sort();
    return '{' + nl + keys.map((k) => jsonString(k, o.ensureAscii) + o.keySep + pyJsonDumps(v[k], o, level + 1)).join(o.itemSep + nl) + end + '}';
  }
  throw new TemplateRuntimeError(`Object of type ${typeof v} is not JSON serializable`);
}

// ---- YAML (PyYAML-compatible for plain data) ----

const YAML_RESERVED = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|=|<<)$/;
const YAML_NUMBER = /^(?:[-+]?(?:0|[1-9][0-9_]*)|[-+]?0b[01_]+|[-+]?0[0-7_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+)$/;
const YAML_TIMESTAMP = /^\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$/;

function yamlNeedsQuotes(s: string): boolean {
  if (s === '') return true;
  if (YAML_RESERVED.test(s) || YAML_NUMBER.test(s) || YAML_TIMESTAMP.test(s)) return true;
  if (/^[\s]|[\s]$/.test(s)) return true;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(s)) {
    // "-x", "?x", ":x" are plain when followed by a non-space; the others never are.
    if (!(/^[-?:][^\s]/.test(s))) return true;
  }
  if (/: |:$| #/.test(s)) return true;
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(s)) return true;
  if (/[,[\]{}]/.test(s)) return false;
  return false;
}

function yamlDoubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

function yamlScalar(v: unknown): string {
  if (v instanceof Undefined) failUndefined(v);
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number' || v instanceof PyFloat) {
    if (!isFloat(v)) return String(v);
    const n = num(v);
    if (Number.isNaN(n)) return '.nan';
    if (!Number.isFinite(n)) return n > 0 ? '.inf' : '-.inf';
    return pyStr(v);
  }
  const s = pyStr(v);
  if (/[\n\r\t]/.test(s) || /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(s)) return yamlDoubleQuoted(s);
  if (yamlNeedsQuotes(s)) return "'" + s.replace(/'/g, "''") + "'";
  return s;
}

function isEmptyContainer(v: unknown): boolean {
  return (Array.isArray(v) && v.length === 0) || (isDict(v) && Object.keys(v).length === 0);
}

function isCollection(v: unknown): boolean {
  return Array.isArray(v) || isDict(v);
}

function flow(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(flow).join(', ') + ']';
  if (isDict(v)) return '{' + Object.keys(v).sort().map((k) => `${yamlScalar(k)}: ${flow(v[k])}`).join(', ') + '}';
  return yamlScalar(v);
}

/**
 * PyYAML's block style: nested mappings indent by `indent`, a sequence that is a mapping value is not
 * indented, and a collection inside a sequence item starts on the dash line. With flowLeaves
 * (default_flow_style=None, as in to_yaml) a collection of scalars is written inline.
 */
function inline(v: unknown, flowLeaves: boolean): boolean {
  if (!isCollection(v) || isEmptyContainer(v)) return true;
  return flowLeaves && (Array.isArray(v) ? v : Object.values(v as Dict)).every((x) => !isCollection(x));
}

function blockLines(v: unknown, level: number, indent: number, flowLeaves: boolean): string[] {
  const pad = ' '.repeat(level);
  const out: string[] = [];
  if (isDict(v)) {
    for (const k of Object.keys(v).sort()) {
      const x = v[k];
      const key = yamlScalar(k);
      if (inline(x, flowLeaves)) out.push(`${pad}${key}: ${isCollection(x) ? flow(x) : yamlScalar(x)}`);
      else {
        out.push(`${pad}${key}:`);
        out.push(...blockLines(x, Array.isArray(x) ? level : level + indent, indent, flowLeaves));
      }
    }
  } else if (Array.isArray(v)) {
    for (const x of v) {
      if (inline(x, flowLeaves)) out.push(`${pad}- ${isCollection(x) ? flow(x) : yamlScalar(x)}`);
      else {
        const sub = blockLines(x, level + indent, indent, flowLeaves);
        sub[0] = pad + '-' + ' '.repeat(indent - 1) + sub[0]!.slice(level + indent);
        out.push(...sub);
      }
    }
  }
  return out;
}

export function pyYamlDump(v: unknown, indent = 2, flowLeaves = false): string {
  if (inline(v, flowLeaves)) return (isCollection(v) ? flow(v) : yamlScalar(v)) + '\n';
  return blockLines(v, 0, indent, flowLeaves).join('\n') + '\n';
}

/** from_yaml/from_yaml_all: PyYAML's SafeLoader (src/values/yaml.ts, 'safe' dialect). */
function fromYaml(text: string, all: boolean): unknown {
  const opts = { dialect: 'safe', keepFloat: true } as const;
  try {
    return all ? loadYamlAll(text, '<unicode string>', opts) : loadYaml(text, '<unicode string>', opts);
  } catch (e) {
    if (e instanceof PhiloteError) throw new TemplateRuntimeError(`from_yaml: ${e.message}`);
    throw e;
  }
}

export const SERIALIZE_FILTERS: Record<string, FilterFn> = {
  to_json: (_s, v, _a, k) => {
    const indent = k['indent'] === undefined || k['indent'] === null ? undefined : num(k['indent']);
    return pyJsonDumps(v, {
      indent,
      sortKeys: truthy(k['sort_keys'] ?? false),
      ensureAscii: truthy(k['ensure_ascii'] ?? true),
      itemSep: indent === undefined ? ', ' : ',',
      keySep: ': ',
    });
  },
  to_nice_json: (_s, v, a, k) =>
    pyJsonDumps(v, { indent: num(a[0] ?? k['indent'] ?? 4), sortKeys: truthy(a[1] ?? k['sort_keys'] ?? true), ensureAscii: truthy(k['ensure_ascii'] ?? true), itemSep: ',', keySep: ': ' }),
  tojson: (_s, v, _a, k) =>
    pyJsonDumps(v, { indent: k['indent'] === undefined ? undefined : num(k['indent']), sortKeys: true, ensureAscii: true, itemSep: k['indent'] === undefined ? ', ' : ',', keySep: ': ' })
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/'/g, '\\u0027'),
  from_json: (_s, v) => {
    try {
      return JSON.parse(pyStr(v)) as unknown;
    } catch (e) {
      throw new TemplateRuntimeError(`Expecting value: ${(e as Error).message}`);
    }
  },
  to_yaml: (_s, v, _a, k) => pyYamlDump(v, num(k['indent'] ?? 2), k['default_flow_style'] === undefined || k['default_flow_style'] === null),
  to_nice_yaml: (_s, v, a, k) => pyYamlDump(v, num(a[0] ?? k['indent'] ?? 4)),
  from_yaml: (_s, v) => (typeof v === 'string' ? fromYaml(v, false) : v),
  from_yaml_all: (_s, v) => (typeof v === 'string' ? fromYaml(v, true) : v),
};

export function dictOrEmpty(v: unknown): Dict {
  return isDict(v) ? v : {};
}
