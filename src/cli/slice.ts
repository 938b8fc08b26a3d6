/**
 * `--slice K/N`: AWX's job slicing. The selected hosts (every inventory host, in inventory order,
 * narrowed by --limit when given) are dealt round-robin into N slices: slice K (1-based) gets
 * host i (0-based) when i mod N = K-1. The same inventory and N always give the same slices, so
 * N runs (N pods of a Kubernetes Indexed Job) cover every host exactly once.
 *
 * The slice becomes the run's limit: plays still pick their hosts by pattern, the slice only
 * narrows them, so hostvars of hosts in other slices stay readable and delegation to them works.
 * run_once and serial act within a slice (as in AWX, each slice is a run of its own).
 */
import { PhiloteError } from '../errors.js';
import type { InventoryData } from '../inventory/index.js';

export interface Slice {
  /** 1-based slice number K. */
  index: number;
  /** Slice count N. */
  count: number;
}

/** Parses `K/N` (1 <= K <= N). */
export function parseSlice(text: string): Slice {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new PhiloteError('option', `argument --slice: invalid value '${text}': expected K/N with 1 <= K <= N (e.g. 2/4)`);
  }
  return { index, count };
}

/** The hosts of `hosts` (in order) that fall in `slice`. */
export function sliceOf<T>(hosts: readonly T[], slice: Slice): T[] {
  return hosts.filter((_h, i) => i % slice.count === slice.index - 1);
}

/** A pattern list no host matches (an empty slice runs no host, as `--limit` cannot say). */
const NO_HOST = ['!all'];

/**
 * The run's limit for `slice`: the slice's host names, or a pattern matching nothing when the
 * slice is empty (more slices than hosts). Host names are exact patterns (an inventory host name
 * is matched before any wildcard or range is read).
 */
export function sliceLimit(inv: InventoryData, limit: string[] | undefined, slice: Slice): string[] {
  const selected = inv.selectHosts('all', limit).map((h) => h.name);
  const mine = sliceOf(selected, slice);
  return mine.length > 0 ? mine : NO_HOST;
}
