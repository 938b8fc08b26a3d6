/**
 * Label selectors evaluated on the controller, as kubernetes.core's selector.py (used by k8s
 * with state=present to skip definitions whose labels do not match) and by the API server:
 *   "app=web", "app==web", "tier!=db", "env in (prod, staging)", "env notin (dev)", "app", "!app".
 */

export interface Requirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!';
  values: string[];
}

const SET_BASED = /^( *)([a-z0-9A-Z][a-z0-9A-Z._/-]*[a-z0-9A-Z])( +)(notin|in)( +)\((.*)\)( *)$/;

export function parseRequirement(text: string): Requirement {
  const m = SET_BASED.exec(text);
  if (m) return { key: m[2]!, op: m[4] as 'in' | 'notin', values: m[6]!.split(',').map((x) => x.replace(/ /g, '')).filter((x) => x !== '') };
  const compact = text.replace(/ /g, '');
  for (const op of ['==', '!=', '=']) {
    const i = compact.indexOf(op);
    if (i !== -1) return { key: compact.slice(0, i), op: op === '!=' ? 'notin' : 'in', values: [compact.slice(i + op.length)] };
  }
  const key = text.trim();
  return key.startsWith('!') ? { key: key.slice(1).trim(), op: '!', values: [] } : { key, op: 'exists', values: [] };
}

/** Split "a=b,env in (x,y),c" on the commas that are not inside parentheses. */
export function splitSelector(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.filter((s) => s.trim() !== '');
}

export function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.op) {
    case 'in':
      return has && r.values.includes(labels[r.key]!);
    case 'notin':
      return !has || !r.values.includes(labels[r.key]!);
    case '!':
      return !has;
    default:
      return has;
  }
}

/** kubernetes.core's LabelSelectorFilter.isMatching: false when the definition has no labels. */
export function definitionMatches(selectors: string[], def: { metadata?: { labels?: unknown } }): boolean {
  const labels = def.metadata?.labels;
  if (!labels || typeof labels !== 'object') return false;
  return selectors.flatMap(splitSelector).every((s) => requirementMatches(parseRequirement(s), labels as Record<string, string>));
}

/** Labels match a full selector string ("a=b,c in (d)"); an empty selector matches everything. */
export function labelsMatch(selector: string, labels: Record<string, string> | undefined): boolean {
  return splitSelector(selector).every((s) => requirementMatches(parseRequirement(s), labels ?? {}));
}
