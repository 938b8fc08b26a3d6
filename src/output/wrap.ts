/** textwrap.wrap as Display.warning uses it: whitespace becomes spaces, greedy lines of `width`. */
export function wrapText(text: string, width: number): string[] {
  const words = text.replace(/\s/g, ' ').split(/( +)/);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (w === '') continue;
    if (/^ +$/.test(w)) {
      // textwrap keeps the whitespace that starts the paragraph (Display.error's " [ERROR]").
      if (lines.length === 0 && cur === '' && w.length < width) cur = w;
      else if (cur !== '' && cur.length + w.length <= width) cur += w;
      else if (cur !== '') {
        lines.push(cur.trimEnd());
        cur = '';
      }
      continue;
    }
    if (cur.length + w.length <= width) {
      cur += w;
      continue;
    }
    if (cur.trim() !== '') lines.push(cur.trimEnd());
    cur = '';
    let rest = w;
    while (rest.length > width) {
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    cur = rest;
  }
  if (cur.trim() !== '') lines.push(cur.trimEnd());
  return lines;
}
