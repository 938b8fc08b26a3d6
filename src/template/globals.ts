/** Global functions available in every template: range, lookup/query/q, dict, namespace, cycler, joiner. */
import type { GlobalFn } from './runtime/env.js';
import { TemplateRuntimeError } from './runtime/env.js';
import { NO_ATTR, PyCallable } from './runtime/callable.js';
import { Namespace, num, pyStr, truthy, Undefined, type Dict } from './runtime/values.js';
import { naiveLocal, PyDatetime, strftime } from './runtime/datetime.js';
import { runLookup } from './lookups/index.js';
import { findFile } from './lookups/search.js';
import * as fs from 'node:fs';

function range(args: unknown[]): number[] {
  let [start, stop, step] = args.map(num);
  if (args.length === 1) {
    stop = start;
    start = 0;
  }
  step = step ?? 1;
  if (step === 0) throw new TemplateRuntimeError('range() arg 3 must not be zero');
  const out: number[] = [];
  if (step > 0) for (let i = start!; i < stop!; i += step) out.push(i);
  else for (let i = start!; i > stop!; i += step) out.push(i);
  if (out.length > 100000) throw new TemplateRuntimeError('Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).');
  return out;
}

class Cycler {
  private i = 0;
  constructor(private readonly items: unknown[]) {}
  getAttr(name: string): unknown {
    if (name === 'next') return new PyCallable('next', () => this.items[this.i++ % this.items.length]);
    if (name === 'reset') return new PyCallable('reset', () => ((this.i = 0), null));
    if (name === 'current') return this.items[this.i % this.items.length];
    return NO_ATTR;
  }
}

/** Ansible's now(utc=False, fmt=None): a naive datetime (local or UTC wall clock), or its strftime text. */
function now(a: unknown[], k: Dict): unknown {
  const utc = truthy(a[0] ?? k['utc'] ?? false);
  const fmt = a[1] ?? k['fmt'];
  const d = new Date();
  const naive = utc ? d : naiveLocal(d);
  const dt = new PyDatetime(naive);
  return fmt === undefined || fmt === null ? dt : strftime(pyStr(fmt), naive, true);
}

export const GLOBALS: Record<string, GlobalFn> = {
  range: (_s, a) => range(a),
  now: (_s, a, k) => now(a, k),
  lookup: (s, a, k) => runLookup(s, pyStr(a[0]), a.slice(1), k, false),
  query: (s, a, k) => runLookup(s, pyStr(a[0]), a.slice(1), k, true),
  q: (s, a, k) => runLookup(s, pyStr(a[0]), a.slice(1), k, true),
  dict: (_s, a, k) => {
    const out: Dict = {};
    if (a[0] !== undefined) {
      if (Array.isArray(a[0])) for (const pair of a[0] as unknown[][]) out[pyStr(pair[0])] = pair[1];
      else Object.assign(out, a[0] as Dict);
    }
    return Object.assign(out, k);
  },
  namespace: (_s, a, k) => new Namespace({ ...((a[0] as Dict) ?? {}), ...k }),
  cycler: (_s, a) => new Cycler(a),
  joiner: (_s, a) => {
    let used = false;
    const sep = a[0] === undefined ? ', ' : pyStr(a[0]);
    return new PyCallable('joiner', () => {
      if (!used) {
        used = true;
        return '';
      }
      return sep;
    });
  },
  lipsum: () => 'Lorem ipsum dolor sit amet.',
  // An undefined whose message is the hint (AnsibleUndefined(hint=...)): fails only where used.
  undef: (_s, a, k) => {
    const hint = a[0] ?? k['hint'];
    return new Undefined('', hint === undefined || hint === null ? 'Mandatory variable has not been overridden' : pyStr(hint));
  },
  /** Used by {% include %}: read a template file from the search paths. */
  __read_template: (s, a) => {
    const found = findFile(s.ctx, pyStr(a[0]), 'templates');
    if (found) return fs.readFileSync(found, 'utf8');
    if (a[1]) return null;
    throw new TemplateRuntimeError(`the template file ${pyStr(a[0])} could not be found for the lookup`);
  },
};
