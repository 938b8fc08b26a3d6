/**
 * The limit on nested includes. ansible-core 2.14 has no setting for it: a task file that includes
 * itself runs until Python's recursion limit, which on this machine's Debian 2.14 is the 247th nested
 * `include_tasks` (246 levels of tasks run; measured with a self-including file), and then ends the
 * run with "ERROR! Exceeded maximum object depth. This may have been caused by excessive role
 * recursion. maximum recursion depth exceeded", no recap, exit 1. philote stops at the same depth
 * with the same words, followed by the chain of files that led there.
 */
import { PhiloteError, type SourceLocation } from '../errors.js';

export const MAX_INCLUDE_DEPTH = 246;

/** The chain as "a.yml -> b.yml -> b.yml (x244) -> b.yml": long runs of one file folded. */
function describeChain(chain: string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < chain.length; ) {
    let j = i;
    while (j < chain.length && chain[j] === chain[i]) j++;
    parts.push(j - i > 2 ? `${chain[i]} (x${j - i})` : chain.slice(i, j).join(' -> '));
    i = j;
  }
  return parts.join(' -> ');
}

/** Ends the run (not one host's task): the executor lets it through to the CLI. */
export class IncludeDepthError extends PhiloteError {}

export function includeDepthError(chain: string[], location: SourceLocation | undefined): PhiloteError {
  return new IncludeDepthError(
    'runtime',
    `Exceeded maximum object depth. This may have been caused by excessive role recursion. maximum recursion depth exceeded\n` +
      `(includes nested ${chain.length} deep, the limit is ${MAX_INCLUDE_DEPTH}: ${describeChain(chain)})`,
    location ? { location } : {},
  );
}
