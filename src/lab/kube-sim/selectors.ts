/**
 * labelSelector and fieldSelector query parameters, with the operators of
 * k8s.io/apimachinery/pkg/labels (=, ==, !=, in, notin, exists, !key) and the field selectors
 * the migrations use (metadata.name, metadata.namespace, spec.nodeName, status.phase...).
 */
import { badRequest } from './errors.js';
import type { KObject } from './types.js';

type Req = { key: string; op: 'eq' | 'ne' | 'in' | 'notin' | 'exists' | 'notexists'; values: string[] };
export type Matcher = (labels: Record<string, string> | undefined) => boolean;

/** Split on commas that are not inside parentheses ("a in (x,y),b" → 2 terms). */
function terms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter(Boolean);
}

export function parseLabelSelector(s: string | undefined | null): Matcher {
  if (!s) return () => true;
  const reqs: Req[] = terms(s).map((t) => {
    let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t);
    if (m) return { key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()) };
    m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(t);
    if (m) return { key: m[1]!, op: m[2] === '!=' ? 'ne' : 'eq', values: [m[3]!] };
    m = /^!\s*(\S+)$/.exec(t);
    if (m) return { key: m[1]!, op: 'notexists', values: [] };
    if (/^[A-Za-z0-9._/-]+$/.test(t)) return { key: t, op: 'exists', values: [] };
    throw badRequest(`unable to parse requirement: found '${t}', expected: in, notin, =, ==, !=, gt, lt`);
  });
  return (labels) => reqs.every((r) => matchReq(r, labels ?? {}));
}

function matchReq(r: Req, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case 'eq':
      return has && v === r.values[0];
    case 'ne':
      return !has || v !== r.values[0];
    case 'in':
      return has && r.values.includes(v!);
    case 'notin':
      return !has || !r.values.includes(v!);
    case 'exists':
      return has;
    case 'notexists':
      return !has;
  }
}

/** metav1.LabelSelector (matchLabels + matchExpressions) as used in specs. An empty selector matches all. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}
export function matchesSelector(sel: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = k(l, e.key);
    const vals = e.values ?? [];
    if (e.operator === 'In' && !(has && vals.includes(l[e.key]!))) return false;
    if (e.operator === 'NotIn' && has && vals.includes(l[e.key]!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}
const k = (o: Record<string, string>, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** fieldSelector: a=b, a==b, a!=b joined by commas; any dotted path is looked up on the object. */
export function parseFieldSelector(s: string | undefined | null): (o: KObject) => boolean {
  if (!s) return () => true;
  const reqs = terms(s).map((t) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(t);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${t}'`);
    return { path: m[1]!.trim(), ne: m[2] === '!=', value: m[3]!.trim() };
  });
  return (o) =>
    reqs.every((r) => {
      const v = fieldValue(o, r.path);
      return r.ne ? v !== r.value : v === r.value;
    });
}

function fieldValue(o: KObject, path: string): string {
  let cur: unknown = o;
  for (const p of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  if (cur === undefined || cur === null) return path === 'metadata.namespace' ? '' : '';
  return String(cur);
}
