/**
 * Shell-style wildcards as Python's fnmatch.translate reads them: `*`, `?`, `[seq]`, `[!seq]` (a
 * `]` right after `[` or `[!` is part of the set, an unclosed `[` is a literal). `*` and `?` match
 * any character, `/` and a leading dot included (glob.glob keeps those rules per path part).
 * Host patterns, find's `patterns` and the fileglob filter all read wildcards this way.
 */

/** The regular expression source of `pat`, unanchored. */
export function fnmatchSource(pat: string): string {
  let out = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      let j = i + 1;
      if (pat[j] === '!') j++;
      if (pat[j] === ']') j++;
      while (j < pat.length && pat[j] !== ']') j++;
      if (j >= pat.length) out += '\\[';
      else {
        let stuff = pat.slice(i + 1, j).replace(/\\/g, '\\\\');
        if (stuff[0] === '!') stuff = '^' + stuff.slice(1);
        else if (stuff[0] === '^') stuff = '\\' + stuff;
        out += `[${stuff}]`;
        i = j;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}

/** fnmatch.fnmatchcase: the whole name must match (newlines included). */
export function fnmatchRegExp(pat: string): RegExp {
  return new RegExp(`^(?:${fnmatchSource(pat)})$`, 's');
}
