/**
 * Runs the template corpus through the oracle (ansible-core's Templar, one python3 process for the
 * whole corpus) and through philote, and compares results exactly (kinds included).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { PhiloteError, UndefinedVariableError } from '../../../src/errors.js';
import { createTemplar } from '../../../src/template/index.js';
import type { Vars } from '../../../src/template/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.join(here, 'fixtures');

export interface Case {
  t: string;
  v: Vars;
  mode: 'render' | 'cond';
}

export type Result = { kind: string; value: unknown } | { error: string; message: string };

export function loadCorpus(): Case[] {
  const doc = parse(fs.readFileSync(path.join(here, 'corpus.yml'), 'utf8')) as { vars: Vars; cases: (string | { t?: string; c?: string; v?: Vars })[] };
  return doc.cases.map((c) => {
    if (typeof c === 'string') return { t: c, v: doc.vars, mode: 'render' };
    if (c.c !== undefined) return { t: c.c, v: { ...doc.vars, ...(c.v ?? {}) }, mode: 'cond' };
    return { t: c.t ?? '', v: { ...doc.vars, ...(c.v ?? {}) }, mode: 'render' };
  });
}

export const ENV = { PHILOTE_CONF_TEST: 'hello from env' };

export function runOracle(cases: Case[]): Result[] {
  const r = spawnSync('/usr/bin/python3', [path.join(here, 'oracle.py')], {
    input: JSON.stringify({ cases }),
    cwd: path.join(FIXTURES, 'files'),
    env: { ...process.env, ...ENV, ANSIBLE_NOCOLOR: '1', ANSIBLE_DEPRECATION_WARNINGS: '0' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`oracle failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Result[];
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}

export function runPhilote(cases: Case[]): Result[] {
  Object.assign(process.env, ENV);
  const templar = createTemplar();
  return cases.map((c) => {
    const ctx = { vars: c.v, searchPaths: [path.join(FIXTURES, 'files')] };
    try {
      const r = c.mode === 'cond' ? templar.evaluateConditional(c.t, ctx) : templar.render(c.t, ctx);
      return { kind: kindOf(r), value: JSON.parse(JSON.stringify(r ?? null)) as unknown };
    } catch (e) {
      if (e instanceof UndefinedVariableError) return { error: 'undefined', message: `${e.variable}: ${e.message}` };
      if (e instanceof PhiloteError) return { error: e.kind, message: e.message };
      return { error: 'crash', message: String((e as Error).stack ?? e) };
    }
  });
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) < 1e-12 * Math.max(1, Math.abs(a));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in (b as object) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

/** Whether philote's result matches the oracle's: values and kinds; errors by class (and undefined name). */
export function matches(oracle: Result, mine: Result, mode: Case['mode'] = 'render'): boolean {
  if ('error' in oracle || 'error' in mine) {
    if (!('error' in oracle) || !('error' in mine)) return false;
    if (mine.error === 'crash') return false;
    // A failed `when:` is reported by Ansible as "The conditional check '...' failed. The error was: ... 'x' is undefined".
    if (mode === 'cond' && mine.error === 'undefined' && /is undefined|has no attribute|No variable found/.test(oracle.message)) {
      return oracle.message.includes(mine.message.split(': ').slice(1).join(': '));
    }
    if (oracle.error === 'undefined' || mine.error === 'undefined') {
      if (oracle.error !== mine.error) return false;
      const name = mine.message.split(':')[0]!;
      return oracle.message.includes(`'${name}'`) || oracle.message.includes(` ${name}`);
    }
    if (mode === 'cond') return true;
    // Any other error must say the same thing: the oracle's raw exception text appears in philote's
    // user-facing message (which adds Ansible's "template error while templating string" and the
    // like), or philote's own sentence appears in Ansible's.
    const theirs = oracle.message.split('\n')[0]!.trim();
    const core = mine.message.replace(/\. String: [\s\S]*$/, '').split('\n')[0]!.trim();
    return mine.message.includes(theirs) || oracle.message.includes(core);
  }
  return oracle.kind === mine.kind && same(oracle.value, mine.value);
}
