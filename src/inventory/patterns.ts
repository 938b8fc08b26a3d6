/**
 * Ansible host patterns (InventoryManager.get_hosts): `a:b`, `a,b`, `a:&b`, `a:!b`,
 * shell wildcards, `~regex`, subscripts `web[0]`, `web[1:3]`, `web[-1]`, the implicit
 * localhost, and `--limit` (with `@file` lists of patterns).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { PhiloteError } from '../errors.js';
import { parseAddress } from './address.js';
import { LOCALHOST_NAMES, type InventoryData } from './data.js';
import { fnmatchRegExp } from '../values/fnmatch.js';

/** split_host_pattern: commas first; a single host identifier keeps its colons (IPv6, host:port, ranges). */
export function splitHostPattern(pattern: string | string[]): string[] {
  if (Array.isArray(pattern)) return pattern.flatMap(splitHostPattern);
  let parts: string[];
  if (pattern.includes(',')) parts = pattern.split(',');
  else if (parseAddress(pattern)) parts = [pattern];
  else parts = pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Regular patterns first, then intersections (&), then exclusions (!); only &/! means 'all' first. */
export function orderPatterns(patterns: string[]): string[] {
  const regular = patterns.filter((p) => p[0] !== '!' && p[0] !== '&');
  const and = patterns.filter((p) => p[0] === '&');
  const not = patterns.filter((p) => p[0] === '!');
  return [...(regular.length ? regular : ['all']), ...and, ...not];
}

export function selectHostNames(inv: InventoryData, pattern: string | string[], limit?: string | string[]): string[] {
  let hosts = evaluate(inv, splitHostPattern(pattern));
  if (limit !== undefined && (Array.isArray(limit) ? limit.length > 0 : limit !== '')) {
    const allowed = new Set(evaluate(inv, expandLimit(splitHostPattern(limit))));
    hosts = hosts.filter((h) => allowed.has(h));
  }
  return [...new Set(hosts)];
}

/**
 * `--limit @file`: one pattern per line (e.g. a .retry file), read relative to `cwd`.
 * The messages are ansible-core's, bytes repr included (AnsibleError: exit 1).
 */
export function expandLimit(patterns: string[], cwd = process.cwd()): string[] {
  return patterns.flatMap((p) => {
    if (p[0] !== '@') return [p];
    const file = resolve(cwd, p.slice(1));
    if (!existsSync(file)) throw new PhiloteError('not-found', `Unable to find limit file b'${p.slice(1)}'`);
    if (!statSync(file).isFile()) throw new PhiloteError('not-found', `Limit starting with "@" must be a file, not a directory: b'${p.slice(1)}'`);
    return readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
  });
}

function evaluate(inv: InventoryData, patterns: string[]): string[] {
  let hosts: string[] = [];
  for (const p of orderPatterns(patterns)) {
    if (inv.hosts.has(p)) {
      if (!hosts.includes(p)) hosts.push(p);
      continue;
    }
    const that = matchOne(inv, p);
    if (p[0] === '!') {
      const s = new Set(that);
      hosts = hosts.filter((h) => !s.has(h));
    } else if (p[0] === '&') {
      const s = new Set(that);
      hosts = hosts.filter((h) => s.has(h));
    } else {
      const existing = new Set(hosts);
      hosts.push(...that.filter((h) => !existing.has(h)));
    }
  }
  return hosts;
}

function matchOne(inv: InventoryData, pattern: string): string[] {
  const p = pattern[0] === '&' || pattern[0] === '!' ? pattern.slice(1) : pattern;
  const { expr, subscript } = splitSubscript(p);
  const hosts = enumerate(inv, expr);
  if (!subscript) return hosts;
  const [start, end] = subscript;
  if (end !== undefined) {
    const e = end === -1 ? hosts.length - 1 : end;
    return pySlice(hosts, start, e + 1);
  }
  const idx = start < 0 ? hosts.length + start : start;
  if (idx < 0 || idx >= hosts.length) throw new PhiloteError('option', `No hosts matched the subscripted pattern '${p}'`);
  return [hosts[idx]!];
}

function pySlice<T>(a: T[], start: number, end: number): T[] {
  const n = a.length;
  const s = start < 0 ? Math.max(0, n + start) : Math.min(start, n);
  const e = end < 0 ? Math.max(0, n + end) : Math.min(end, n);
  return a.slice(s, Math.max(s, e));
}

export function splitSubscript(pattern: string): { expr: string; subscript?: [number, number | undefined] } {
  if (pattern[0] === '~') return { expr: pattern };
  const m = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/.exec(pattern);
  if (!m) return { expr: pattern };
  if (m[2] !== undefined) return { expr: m[1]!, subscript: [Number(m[2]), undefined] };
  return { expr: m[1]!, subscript: [Number(m[3]), m[5] ? Number(m[5]) : -1] };
}

function enumerate(inv: InventoryData, pattern: string): string[] {
  const results: string[] = [];
  const matcher = compile(pattern);
  const groups = [...inv.groups.keys()].filter((g) => matcher(g));
  for (const g of groups) {
    for (const h of inv.groupHosts(g)) results.push(h);
  }
  if (groups.length === 0 || pattern[0] === '~' || /[.?*[]/.test(pattern)) {
    for (const h of inv.hosts.keys()) if (matcher(h)) results.push(h);
  }
  if (results.length === 0 && LOCALHOST_NAMES.includes(pattern)) {
    const implicit = inv.getHost(pattern);
    if (implicit) results.push(implicit.name);
  }
  if (results.length === 0 && groups.length === 0 && pattern !== 'all') {
    const msg = `Could not match supplied host pattern, ignoring: ${pattern}`;
    const mode = inv.hostPatternMismatch;
    if (mode === 'error') throw new PhiloteError('runtime', msg);
    if (mode === 'warning') inv.warn(msg);
  }
  return [...new Set(results)];
}

/** fnmatch.translate (anchored, case-sensitive) or, for '~', re.match (anchored at the start only). */
function compile(pattern: string): (s: string) => boolean {
  let re: RegExp;
  try {
    re = pattern[0] === '~' ? new RegExp(`^(?:${pattern.slice(1)})`) : fnmatchRegExp(pattern);
  } catch {
    throw new PhiloteError('option', `Invalid host list pattern: ${pattern}`);
  }
  return (s) => re.test(s);
}

