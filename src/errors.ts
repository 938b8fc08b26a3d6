/**
 * Typed errors shared by every layer. Each carries a user-facing message and,
 * where the fault sits in a user's file, the file:line:column that caused it.
 */

export interface SourceLocation {
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

export function formatLocation(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/**
 * What went wrong, in terms of how the CLI reacts:
 * - parse: a playbook/inventory/YAML/keyword problem found while loading (exit 4, like ansible-playbook)
 * - option: a bad command-line flag or config value (exit 5)
 * - template: a Jinja2 syntax or evaluation error
 * - undefined: a template referenced an undefined variable
 * - module-args: a module was called with wrong arguments
 * - connection: a host could not be reached or dropped (host becomes UNREACHABLE)
 * - hostkey: a host's key is unknown or changed (host becomes UNREACHABLE, never auto-accepted)
 * - become: privilege escalation failed (wrong password, sudo missing)
 * - kube: a Kubernetes API error
 * - internal: a bug in philote
 */
export type ErrorKind =
  | 'parse'
  | 'option'
  | 'template'
  | 'undefined'
  | 'module-args'
  | 'connection'
  | 'hostkey'
  | 'become'
  | 'kube'
  | 'internal';

export class PhiloteError extends Error {
  readonly kind: ErrorKind;
  readonly location?: SourceLocation;
  /** A short suggestion such as "did you mean 'lineinfile'?" */
  readonly hint?: string;

  constructor(kind: ErrorKind, message: string, options: { location?: SourceLocation; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PhiloteError';
    this.kind = kind;
    this.location = options.location;
    this.hint = options.hint;
  }

  /** The message a user sees: location first, like Ansible's "The error appears to be in '...': line N, column M". */
  userMessage(): string {
    const where = this.location ? `${formatLocation(this.location)}: ` : '';
    const hint = this.hint ? ` (${this.hint})` : '';
    return `${where}${this.message}${hint}`;
  }
}

/** Raised by the connection layer; the executor marks the host UNREACHABLE. */
export class UnreachableError extends PhiloteError {
  constructor(message: string, options: { cause?: unknown; hostKey?: boolean } = {}) {
    super(options.hostKey ? 'hostkey' : 'connection', message, { cause: options.cause });
    this.name = 'UnreachableError';
  }
}

/** Raised by the template engine for a reference to an undefined variable or attribute. */
export class UndefinedVariableError extends PhiloteError {
  readonly variable: string;
  constructor(variable: string, message?: string, location?: SourceLocation) {
    super('undefined', message ?? `'${variable}' is undefined`, { location });
    this.name = 'UndefinedVariableError';
    this.variable = variable;
  }
}

/** Levenshtein-based "did you mean" helper shared by the loaders. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  return bestScore <= Math.max(2, Math.floor(word.length / 3)) ? `did you mean '${best}'?` : undefined;
}

/** Levenshtein distance (one row of the table at a time); small inputs only: names and keywords. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/**
 * What ansible-core appends to an error that has a position (AnsibleError._get_extended_error):
 * the file, line and column, then the offending line with the one before it and a caret.
 * (ansible-core moves the position to the previous line when that line holds `k=v` text;
 * philote keeps the true position.) Empty when the file cannot be read.
 */
export function errorContext(loc: SourceLocation, readLines: (file: string) => string[] | undefined): string {
  let text = `The error appears to be in '${loc.file}': line ${loc.line}, column ${loc.column}, but may\nbe elsewhere in the file depending on the exact syntax problem.\n`;
  const lines = readLines(loc.file);
  if (!lines || lines.length === 0) return text;
  // A YAML error may point past the last line; blank lines move up to the nearest text.
  let n = Math.min(loc.line - 1, lines.length - 1);
  while (n > 0 && lines[n]!.trim() === '') n--;
  const target = lines[n]!;
  if (target === '') return text;
  const prev = n > 0 ? lines[n - 1]! : '';
  text += `\nThe offending line appears to be:\n\n${prev.trimEnd()}\n${target.trimEnd()}\n${' '.repeat(Math.max(0, loc.column - 1))}^ here\n`;
  return text;
}
