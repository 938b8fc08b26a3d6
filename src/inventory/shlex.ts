/**
 * Python's shlex.split(line, comments=True) in POSIX mode, which Ansible's INI inventory
 * uses for host lines: quotes group and are removed, backslash escapes outside quotes
 * and before " \ $ ` inside double quotes, and '#' outside quotes starts a comment.
 */
export function shlexSplit(line: string): string[] {
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
    } else if (c === '#') {
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
        if (d === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) {
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
