/**
 * Python's shlex.split(line, comments=...) in POSIX mode, the one splitter of philote: Ansible's
 * INI inventory splits host lines with comments=True; the command module, script and
 * kubernetes.core's k8s_exec split their command line with comments=False. Quotes group and are
 * removed, a backslash escapes any character outside quotes but only " and \ inside double quotes
 * (Python's rule, not the shell's: "\$x" keeps its backslash),
 * whitespace is Python's ' \t\r\n', and with comments '#' outside quotes ends the line.
 * Errors carry Python's messages: 'No closing quotation', 'No escaped character'.
 */
export function shlexSplit(line: string, options: { comments?: boolean } = {}): string[] {
  const tokens: string[] = [];
  let tok = '';
  let inToken = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inToken) tokens.push(tok);
      tok = '';
      inToken = false;
      i++;
    } else if (c === '#' && options.comments) {
      break;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('No closing quotation');
      tok += line.slice(i + 1, end);
      inToken = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new Error('No closing quotation');
        const d = line[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < line.length && '"\\'.includes(line[i + 1]!)) {
          tok += line[i + 1];
          i += 2;
          continue;
        }
        tok += d;
        i++;
      }
      inToken = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new Error('No escaped character');
      tok += line[i + 1];
      inToken = true;
      i += 2;
    } else {
      tok += c;
      inToken = true;
      i++;
    }
  }
  if (inToken) tokens.push(tok);
  return tokens;
}
