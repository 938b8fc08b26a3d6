/** Jinja2 builtin tests plus Ansible's tests (result, regex, version, set, path tests). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestFn } from '../runtime/env.js';
import { TemplateRuntimeError } from '../runtime/env.js';
import { PyCallable } from '../runtime/callable.js';
import { compareVersions } from '../filters/version.js';
import { pyRegex } from '../filters/regex.js';
import { urlsplit } from '../runtime/urlsplit.js';
import { isVaultedValue } from '../../vault/index.js';
import { isDict, isFloat, isInt, isNumber, num, pyCompare, pyContains, pyEquals, pyIter, pyStr, truthy, Undefined, type Dict } from '../runtime/values.js';

function resultDict(v: unknown, test: string): Dict {
  if (v instanceof Undefined) throw new TemplateRuntimeError(v.message);
  if (!isDict(v)) throw new TemplateRuntimeError(`The '${test}' test expects a dictionary`);
  return v;
}

const failed: TestFn = (_s, v) => truthy(resultDict(v, 'failed')['failed'] ?? false);
const succeeded: TestFn = (_s, v) => !truthy(resultDict(v, 'succeeded')['failed'] ?? false);
const changed: TestFn = (_s, v) => {
  const d = resultDict(v, 'changed');
  if (!('changed' in d)) {
    // Looping results: changed if any item changed.
    const results = d['results'];
    if (Array.isArray(results)) return results.some((r) => isDict(r) && truthy(r['changed'] ?? false));
    return false;
  }
  return truthy(d['changed']);
};
const skipped: TestFn = (_s, v) => truthy(resultDict(v, 'skipped')['skipped'] ?? false);
const unreachable: TestFn = (_s, v) => truthy(resultDict(v, 'unreachable')['unreachable'] ?? false);

function regexTest(kind: 'match' | 'search' | 'fullmatch'): TestFn {
  return (_s, v, a, k) => {
    const pattern = pyStr(a[0] ?? k['pattern']);
    const ignorecase = truthy(a[1] ?? k['ignorecase'] ?? false);
    const multiline = truthy(a[2] ?? k['multiline'] ?? false);
    const s = pyStr(v);
    const re = pyRegex(kind === 'match' ? `^(?:${pattern})` : kind === 'fullmatch' ? `^(?:${pattern})$` : pattern, (ignorecase ? 'i' : '') + (multiline ? 'm' : ''), kind !== 'search' && multiline);
    return re.test(s);
  };
}

function isSequence(v: unknown): boolean {
  return typeof v === 'string' || Array.isArray(v) || isDict(v);
}

function subset(a: unknown, b: unknown): boolean {
  const bi = pyIter(b);
  return pyIter(a).every((x) => bi.some((y) => pyEquals(x, y)));
}

function cmp(op: (c: number) => boolean): TestFn {
  return (_s, v, a) => op(pyCompare(v, a[0]));
}

function statSafe(p: unknown, fn: (st: fs.Stats) => boolean, lstat = false): boolean {
  try {
    const st = lstat ? fs.lstatSync(pyStr(p)) : fs.statSync(pyStr(p));
    return fn(st);
  } catch {
    return false;
  }
}

export const TESTS: Record<string, TestFn> = {
  defined: (_s, v) => !(v instanceof Undefined),
  undefined: (_s, v) => v instanceof Undefined,
  none: (_s, v) => v === null,
  boolean: (_s, v) => typeof v === 'boolean',
  false: (_s, v) => v === false,
  true: (_s, v) => v === true,
  integer: (_s, v) => isInt(v),
  float: (_s, v) => isFloat(v),
  number: (_s, v) => isNumber(v) || typeof v === 'boolean',
  string: (_s, v) => typeof v === 'string',
  mapping: (_s, v) => isDict(v),
  iterable: (_s, v) => isSequence(v),
  sequence: (_s, v) => isSequence(v),
  callable: (_s, v) => v instanceof PyCallable,
  lower: (_s, v) => pyStr(v) === pyStr(v).toLowerCase(),
  upper: (_s, v) => pyStr(v) === pyStr(v).toUpperCase(),
  odd: (_s, v) => num(v) % 2 !== 0,
  even: (_s, v) => num(v) % 2 === 0,
  divisibleby: (_s, v, a) => num(v) % num(a[0]) === 0,
  sameas: (_s, v, a) => v === a[0] || (v === null && a[0] === null),
  escaped: () => false,
  eq: (_s, v, a) => pyEquals(v, a[0]),
  equalto: (_s, v, a) => pyEquals(v, a[0]),
  '==': (_s, v, a) => pyEquals(v, a[0]),
  ne: (_s, v, a) => !pyEquals(v, a[0]),
  '!=': (_s, v, a) => !pyEquals(v, a[0]),
  lt: cmp((c) => c < 0),
  lessthan: cmp((c) => c < 0),
  '<': cmp((c) => c < 0),
  le: cmp((c) => c <= 0),
  '<=': cmp((c) => c <= 0),
  gt: cmp((c) => c > 0),
  greaterthan: cmp((c) => c > 0),
  '>': cmp((c) => c > 0),
  ge: cmp((c) => c >= 0),
  '>=': cmp((c) => c >= 0),
  in: (_s, v, a) => pyContains(a[0], v),
  contains: (_s, v, a) => pyContains(v, a[0]),
  truthy: (_s, v, a, k) => (truthy(a[0] ?? k['convert_bool'] ?? false) && typeof v === 'string' ? ['yes', 'on', '1', 'true'].includes(v.toLowerCase()) : truthy(v)),
  falsy: (_s, v, a, k) => !(truthy(a[0] ?? k['convert_bool'] ?? false) && typeof v === 'string' ? ['yes', 'on', '1', 'true'].includes(v.toLowerCase()) : truthy(v)),
  failed,
  failure: failed,
  succeeded,
  success: succeeded,
  successful: succeeded,
  changed,
  change: changed,
  skipped,
  skip: skipped,
  unreachable,
  reachable: (s, v, a, k) => !unreachable(s, v, a, k),
  finished: (_s, v) => truthy(resultDict(v, 'finished')['finished'] ?? true),
  started: (_s, v) => truthy(resultDict(v, 'started')['started'] ?? true),
  match: regexTest('match'),
  search: regexTest('search'),
  regex: (s, v, a, k) => {
    const kind = pyStr(k['match_type'] ?? a[3] ?? 'search');
    return regexTest(kind === 'match' ? 'match' : kind === 'fullmatch' ? 'fullmatch' : 'search')(s, v, a, k);
  },
  version: (_s, v, a, k) => compareVersions(v, a[0] ?? k['version'], a[1] ?? k['operator'] ?? 'eq', truthy(a[2] ?? k['strict'] ?? false), pyStr(a[3] ?? k['version_type'] ?? 'loose')),
  version_compare: (_s, v, a, k) => compareVersions(v, a[0] ?? k['version'], a[1] ?? k['operator'] ?? 'eq', truthy(a[2] ?? k['strict'] ?? false), pyStr(a[3] ?? k['version_type'] ?? 'loose')),
  subset: (_s, v, a) => subset(v, a[0]),
  issubset: (_s, v, a) => subset(v, a[0]),
  superset: (_s, v, a) => subset(a[0], v),
  issuperset: (_s, v, a) => subset(a[0], v),
  any: (_s, v) => pyIter(v).some(truthy),
  all: (_s, v) => pyIter(v).every(truthy),
  abs: (_s, v) => path.isAbsolute(pyStr(v)),
  exists: (_s, v) => statSafe(v, () => true),
  file: (_s, v) => statSafe(v, (st) => st.isFile()),
  is_file: (_s, v) => statSafe(v, (st) => st.isFile()),
  directory: (_s, v) => statSafe(v, (st) => st.isDirectory()),
  is_dir: (_s, v) => statSafe(v, (st) => st.isDirectory()),
  link: (_s, v) => statSafe(v, (st) => st.isSymbolicLink(), true),
  is_link: (_s, v) => statSafe(v, (st) => st.isSymbolicLink(), true),
  mount: (_s, v) => {
    try {
      const p = fs.realpathSync(pyStr(v));
      if (p === '/') return true;
      return fs.statSync(p).dev !== fs.statSync(path.dirname(p)).dev;
    } catch {
      return false;
    }
  },
  same_file: (_s, v, a) => {
    try {
      const x = fs.statSync(pyStr(v));
      const y = fs.statSync(pyStr(a[0]));
      return x.ino === y.ino && x.dev === y.dev;
    } catch {
      return false;
    }
  },
  nan: (_s, v) => isNan(v),
  isnan: (_s, v) => isNan(v),
  is_abs: (_s, v) => path.isAbsolute(pyStr(v)),
  link_exists: (_s, v) => statSafe(v, () => true, true),
  // Python's urlparse always yields a (possibly empty) scheme and path: any string is a URI.
  uri: (_s, v, a, k) => isUri(v, a[0] ?? k['schemes']),
  url: (_s, v, a, k) => {
    if (!isUri(v, a[0] ?? k['schemes'])) return false;
    const u = safeSplit(v);
    return u !== undefined && (u.netloc !== '' || u.scheme === 'file');
  },
  urn: (_s, v) => isUri(v, ['urn']),
  vault_encrypted: (_s, v) => isVaultedValue(v),
};

TESTS['is_mount'] = TESTS['mount']!;
TESTS['is_same_file'] = TESTS['same_file']!;

/** math.isnan: a number that is NaN; anything else (a string, None) is not. */
function isNan(v: unknown): boolean {
  return typeof v === 'number' ? Number.isNaN(v) : isFloat(v) ? Number.isNaN(num(v)) : false;
}

function safeSplit(v: unknown): ReturnType<typeof urlsplit> | undefined {
  try {
    return urlsplit(pyStr(v));
  } catch {
    return undefined;
  }
}

function isUri(v: unknown, schemes: unknown): boolean {
  const u = safeSplit(v);
  if (!u) return false;
  if (schemes === undefined || schemes === null || (Array.isArray(schemes) && schemes.length === 0)) return true;
  return pyIter(schemes).map(pyStr).includes(u.scheme);
}
