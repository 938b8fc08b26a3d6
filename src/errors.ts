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
 * - not-found: a file the user named (playbook, -e @file, --limit @file, vault password file) is
 *   missing (AnsibleFileNotFound: exit 1)
 * - runtime: a user-caused error ansible-playbook reports as a plain AnsibleError (exit 1): no
 *   hosts left to target, an unknown stdout callback, a host pattern without match in 'error' mode
 * - lab: the test lab (network namespaces, Kubernetes API simulator) could not be set up
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
  | 'not-found'
  | 'runtime'
  | 'lab'
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

/**
 * An AnsibleError raised inside an action plugin: TaskExecutor reports it as only `failed` and
 * `msg` (no `changed`, unlike a module's failed result).
 */
export class ActionError extends PhiloteError {
  constructor(message: string) {
    super('runtime', message);
    this.name = 'ActionError';
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
  let bestShared = -1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    // On a tie, the candidate holding more of the word's letters: 'taks' is 'tasks', not 'tags'.
    const shared = d === bestScore ? sharedLetters(word.toLowerCase(), c.toLowerCase()) : -1;
    if (d < bestScore || (d === bestScore && shared > bestShared)) {
      bestScore = d;
      best = c;
      bestShared = sharedLetters(word.toLowerCase(), c.toLowerCase());
    }
  }
  if (best === undefined) return undefined;
  return bestScore <= Math.max(2, Math.floor(word.length / 3)) ? `did you mean '${best}'?` : undefined;
}

/** How many letters of `word` (counted with repeats) `candidate` also holds. */
function sharedLetters(word: string, candidate: string): number {
  const pool = [...candidate];
  let n = 0;
  for (const ch of word) {
    const i = pool.indexOf(ch);
    if (i >= 0) {
      pool.splice(i, 1);
      n++;
    }
  }
  return n;
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
  return text + yamlHints(target, loc.column);
}

/** ansible-core's remedies for common YAML mistakes (errors/yaml_strings.py), shown under the offending line. */
const YAML_HINTS = {
  dict: `This one looks easy to fix. YAML thought it was looking for the start of a
hash/dictionary and was confused to see a second "{". Most likely this was
meant to be an ansible template evaluation instead, so we have to give the
parser a small hint that we wanted a string instead. The solution here is to
just quote the entire value.

For instance, if the original line was:

    app_path: {{ base_path }}/foo

It should be written as:

    app_path: "{{ base_path }}/foo"
`,
  unquotedVariable: `We could be wrong, but this one looks like it might be an issue with
missing quotes. Always quote template expression brackets when they
start a value. For instance:

    with_items:
      - {{ foo }}

Should be written as:

    with_items:
      - "{{ foo }}"
`,
  unquotedColon: `This one looks easy to fix. There seems to be an extra unquoted colon in the line
and this is confusing the parser. It was only expecting to find one free
colon. The solution is just add some quotes around the colon, or quote the
entire line after the first colon.

For instance, if the original line was:

    copy: src=file.txt dest=/path/filename:with_colon.txt

It can be written as:

    copy: src=file.txt dest='/path/filename:with_colon.txt'

Or:

    copy: 'src=file.txt dest=/path/filename:with_colon.txt'
`,
  partiallyQuoted: `This one looks easy to fix. It seems that there is a value started
with a quote, and the YAML parser is expecting to see the line ended
with the same kind of quote. For instance:

    when: "ok" in result.stdout

Could be written as:

   when: '"ok" in result.stdout'

Or equivalently:

   when: "'ok' in result.stdout"
`,
  unbalancedQuotes: `We could be wrong, but this one looks like it might be an issue with
unbalanced quotes. If starting a value with a quote, make sure the
line ends with the same set of quotes. For instance this arbitrary
example:

    foo: "bad" "wolf"

Could be written as:

    foo: '"bad" "wolf"'
`,
  leadingTab: `There appears to be a tab character at the start of the line.

YAML does not use tabs for formatting. Tabs should be replaced with spaces.

For example:
    - name: update tooling
      vars:
        version: 1.2.3
#    ^--- there is a tab there.

Should be written as:
    - name: update tooling
      vars:
        version: 1.2.3
# ^--- all spaces here.
`,
};

/** The checks of AnsibleError._get_extended_error, on the offending line (with its newline, as Python reads it). */
function yamlHints(targetLine: string, column: number): string {
  const t = `${targetLine}\n`;
  const count = (s: string) => t.split(s).length - 1;
  let out = '';
  if (t.includes('\t')) out += YAML_HINTS.leadingTab;
  // ansible-core's test ('"{{' not in line or "'{{" not in line) is true unless both quotings appear.
  if (t.includes('{{') && t.includes('}}') && (!t.includes('"{{') || !t.includes("'{{"))) out += YAML_HINTS.unquotedVariable;
  else if (t.replace(/ /g, '').includes(':{{') && t.includes('}}')) out += YAML_HINTS.dict;
  else if (t.length > 1 && t.length > column && t[column] === ':' && count(':') > 1) out += YAML_HINTS.unquotedColon;
  else {
    const parts = t.split(':');
    if (parts.length > 1) {
      const middle = parts[1]!.trim();
      const match = (middle.startsWith("'") && !middle.endsWith("'")) || (middle.startsWith('"') && !middle.endsWith('"'));
      const quotes = ['"', "'"];
      const unbalanced = (middle.length > 0 && quotes.includes(middle[0]!) && quotes.includes(middle[middle.length - 1]!) && count("'") > 2) || count('"') > 2;
      if (match) out += YAML_HINTS.partiallyQuoted;
      if (unbalanced) out += YAML_HINTS.unbalancedQuotes;
    }
  }
  return out;
}
