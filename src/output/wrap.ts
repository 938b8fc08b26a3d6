/**
 * Python's textwrap.wrap(text, width) with TextWrapper's defaults, as Display.warning,
 * Display.error and Display.deprecated use it: tabs expanded, every whitespace character made a
 * space, text split into chunks by TextWrapper.wordsep_re (words, runs of spaces, and hyphenated
 * words cut after a hyphen between letters: "calico-|node-648lr" but not "node-|648lr"), lines
 * filled greedily, a chunk longer than the width cut to fill the line (after its last hyphen when
 * there is one), spaces dropped at line ends and at the start of every line but the first.
 */

const WS = '[\\t\\n\\x0b\\x0c\\r ]';
const NWS = '[^\\t\\n\\x0b\\x0c\\r ]';
const WORD = '[\\p{L}\\p{N}_]';
// Python's word_punct and letter ([^\d\W]) for str patterns.
const WP = '[\\p{L}\\p{N}_!"\'&.,?]';
const LT = '[\\p{L}_]';
const WORDSEP = new RegExp(
  `(${WS}+` +
    `|(?<=${WP})-{2,}(?=${WORD})` +
    `|${NWS}+?(?:-(?:(?<=${LT}{2}-)|(?<=${LT}-${LT}-))(?=${LT}-?${LT})|(?=${WS}|$)|(?<=${WP})(?=-{2,}${WORD})))`,
  'u',
);

function expandTabs(s: string, tab = 8): string {
  let out = '';
  let col = 0;
  for (const c of s) {
    if (c === '\t') {
      const n = tab - (col % tab);
      out += ' '.repeat(n);
      col += n;
    } else {
      out += c;
      col = c === '\n' || c === '\r' ? 0 : col + 1;
    }
  }
  return out;
}

function chunksOf(text: string): string[] {
  const munged = expandTabs(text).replace(/[\t\n\x0b\x0c\r ]/g, ' ');
  return munged.split(WORDSEP).filter((c) => c !== '');
}

const isBlank = (s: string): boolean => s.trim() === '';

/** dropWhitespace false: TextWrapper(drop_whitespace=False), as Display.deprecated wraps (spaces kept at line ends and starts). */
export function wrapText(text: string, width: number, dropWhitespace = true): string[] {
  const chunks = chunksOf(text).reverse();
  const lines: string[] = [];
  while (chunks.length) {
    const line: string[] = [];
    let len = 0;
    // A line starts without its leading spaces, except the very first one.
    if (dropWhitespace && lines.length && isBlank(chunks[chunks.length - 1]!)) chunks.pop();
    while (chunks.length && len + chunks[chunks.length - 1]!.length <= width) {
      const c = chunks.pop()!;
      line.push(c);
      len += c.length;
    }
    if (chunks.length && chunks[chunks.length - 1]!.length > width) {
      // _handle_long_word: fill what is left of this line, after the last hyphen if there is one.
      const chunk = chunks[chunks.length - 1]!;
      const spaceLeft = width < 1 ? 1 : width - len;
      let end = spaceLeft;
      if (chunk.length > spaceLeft) {
        const hyphen = chunk.lastIndexOf('-', spaceLeft - 1);
        if (hyphen > 0 && /[^-]/.test(chunk.slice(0, hyphen))) end = hyphen + 1;
      }
      line.push(chunk.slice(0, end));
      chunks[chunks.length - 1] = chunk.slice(end);
      len += end;
    }
    if (dropWhitespace && line.length && isBlank(line[line.length - 1]!)) line.pop();
    if (line.length) lines.push(line.join(''));
  }
  return lines;
}
