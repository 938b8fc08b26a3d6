/**
 * THE POSIX shell quoter: Python's shlex.quote, which Ansible uses everywhere it builds a command
 * line (and which the `quote` filter is). A word of safe characters stays as it is, the empty
 * word is '', anything else goes in single quotes, a single quote inside becoming '"'"'.
 * Its inverse, the word splitter, is shlex.ts beside it.
 */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  return "'" + s.replace(/'/g, `'"'"'`) + "'";
}
