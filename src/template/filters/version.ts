/** Ansible's `version` test/filter: LooseVersion and StrictVersion comparisons. */
import { TemplateRuntimeError } from '../runtime/env.js';
import { pyCompare, pyStr } from '../runtime/values.js';

const OPS: Record<string, (c: number) => boolean> = {
  '==': (c) => c === 0,
  '=': (c) => c === 0,
  eq: (c) => c === 0,
  '<': (c) => c < 0,
  lt: (c) => c < 0,
  '<=': (c) => c <= 0,
  le: (c) => c <= 0,
  '>': (c) => c > 0,
  gt: (c) => c > 0,
  '>=': (c) => c >= 0,
  ge: (c) => c >= 0,
  '!=': (c) => c !== 0,
  '<>': (c) => c !== 0,
  ne: (c) => c !== 0,
};

/** distutils LooseVersion: numbers compare as ints, letters as strings. */
function loose(v: string): (number | string)[] {
  return (v.match(/\d+|[a-z]+|\./gi) ?? []).filter((x) => x !== '.').map((x) => (/^\d+$/.test(x) ? parseInt(x, 10) : x));
}

function strict(v: string): (number | string)[] {
  const m = /^(\d+)\.(\d+)(\.(\d+))?([ab](\d+))?$/.exec(v);
  if (!m) throw new TemplateRuntimeError(`Version comparison failed: invalid version number '${v}'`);
  const pre: (number | string)[] = m[5] ? [m[5][0]!, parseInt(m[6]!, 10)] : ['~'];
  return [parseInt(m[1]!, 10), parseInt(m[2]!, 10), m[4] ? parseInt(m[4], 10) : 0, ...pre];
}

function semver(v: string): (number | string)[] {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v);
  if (!m) throw new TemplateRuntimeError(`Version comparison failed: invalid semantic version '${v}'`);
  return [parseInt(m[1]!, 10), parseInt(m[2]!, 10), parseInt(m[3]!, 10), m[4] ? 0 : 1, ...(m[4] ? m[4].split('.').map((x) => (/^\d+$/.test(x) ? parseInt(x, 10) : x)) : [])];
}

export function compareVersions(value: unknown, version: unknown, operator: unknown, isStrict: boolean, type: string): boolean {
  const op = OPS[pyStr(operator)];
  if (!op) throw new TemplateRuntimeError(`Invalid operator type (${pyStr(operator)})`);
  if (version === undefined || version === null || pyStr(version) === '') throw new TemplateRuntimeError('Version parameter to compare against cannot be empty');
  const parse = isStrict || type === 'strict' ? strict : type === 'semver' || type === 'semantic' ? semver : loose;
  const a = parse(pyStr(value));
  const b = parse(pyStr(version));
  let c: number;
  try {
    c = pyCompare(a, b);
  } catch (e) {
    throw new TemplateRuntimeError(`Version comparison failed: ${(e as Error).message}`);
  }
  return op(c);
}
