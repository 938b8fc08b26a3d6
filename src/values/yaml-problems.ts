/**
 * The yaml package's syntax errors in the words and at the positions of libyaml, the parser
 * ansible-core loads YAML with (PyYAML's CSafeLoader), for the mistakes people make most: a
 * second `key:` on a line, a bad indent, an unclosed quote or bracket, a tab. Ansible users know
 * these words ("mapping values are not allowed in this context") from every YAML error they have
 * seen; anything not listed keeps the yaml package's own message. Positions are 0-based offsets.
 */
export interface YamlProblem {
  message: string;
  offset: number;
}

/** The first `:` that ends a key (followed by a blank or the line's end) at or after `from`. */
function nextKeyColon(text: string, from: number): number | undefined {
  const re = /:(?=[ \t\r\n]|$)/g;
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? m.index : undefined;
}

/** The first non-blank character of the line holding `offset`, when offset is in its indentation. */
function lineStart(text: string, offset: number): number {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  let i = start;
  while (text[i] === ' ') i++;
  return offset <= i ? i : offset;
}

export function libyamlProblem(code: string, message: string, offset: number, text: string): YamlProblem | undefined {
  const first = message.split('\n')[0]!;
  if (code === 'BLOCK_AS_IMPLICIT_KEY' && /Nested mappings are not allowed in compact mappings/.test(first)) {
    // `- debug: msg: hi`: libyaml stops at the second key's colon.
    const at = nextKeyColon(text, offset);
    return { message: 'mapping values are not allowed in this context', offset: at ?? offset };
  }
  if (code === 'MULTILINE_IMPLICIT_KEY') {
    // `a:1` then `b: 2`: libyaml reads one plain scalar over both lines and stops at the colon.
    const at = nextKeyColon(text, offset);
    return { message: 'mapping values are not allowed in this context', offset: at ?? offset };
  }
  if ((code === 'BLOCK_AS_IMPLICIT_KEY' && /block sequence may not be used as an implicit map key/.test(first)) || (code === 'BAD_INDENT' && /All sequence items must start at the same column/.test(first))) {
    return { message: 'did not find expected key', offset: lineStart(text, offset) };
  }
  if (code === 'MISSING_CHAR' && /Sequence item without - indicator/.test(first)) return { message: "did not find expected '-' indicator", offset: lineStart(text, offset) };
  if (code === 'MISSING_CHAR' && /Missing closing ["']quote/.test(first)) return { message: 'found unexpected end of stream', offset };
  if (code === 'BAD_INDENT' && /^Flow sequence/.test(first)) return { message: "did not find expected ',' or ']'", offset };
  if (code === 'BAD_INDENT' && /^Flow mapping/.test(first)) return { message: "did not find expected ',' or '}'", offset };
  if (code === 'UNEXPECTED_TOKEN' && /token in YAML stream/.test(first)) return { message: 'did not find expected <document start>', offset };
  if (code === 'UNEXPECTED_TOKEN' && /Unexpected scalar at node end/.test(first)) {
    const start = text.lastIndexOf('\n', offset - 1) + 1;
    if (text[start] === '\t' || /^ *\t/.test(text.slice(start, offset))) return { message: 'found a tab character that violates indentation', offset: start };
    return { message: 'did not find expected key', offset };
  }
  return undefined;
}
