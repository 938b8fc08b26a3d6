/**
 * Custom Jinja delimiters (the template module's and lookup's variable_start_string,
 * block_start_string, comment_start_string and their ends), by rewriting the source into the
 * standard ones: the custom tags become `{{ }}`/`{% %}`/`{# #}`, and standard openers left in
 * the text are emitted as literals. One lexer stays the only lexer.
 */
export interface Delimiters {
  variableStart?: string;
  variableEnd?: string;
  blockStart?: string;
  blockEnd?: string;
  commentStart?: string;
  commentEnd?: string;
}

export function withStandardDelimiters(src: string, d: Delimiters): string {
  const kinds = [
    { open: d.variableStart ?? '{{', close: d.variableEnd ?? '}}', std: ['{{', '}}'] },
    { open: d.blockStart ?? '{%', close: d.blockEnd ?? '%}', std: ['{%', '%}'] },
    { open: d.commentStart ?? '{#', close: d.commentEnd ?? '#}', std: ['{#', '#}'] },
  ];
  if (kinds.every((k) => k.open === k.std[0] && k.close === k.std[1])) return src;
  let out = '';
  let i = 0;
  while (i < src.length) {
    let at = -1;
    let kind: (typeof kinds)[number] | undefined;
    for (const k of kinds) {
      const j = src.indexOf(k.open, i);
      // The earliest opener wins; at the same place, the longer one (Jinja sorts its rules so).
      if (j >= 0 && (at < 0 || j < at || (j === at && k.open.length > kind!.open.length))) {
        at = j;
        kind = k;
      }
    }
    const end = kind ? src.indexOf(kind.close, at + kind.open.length) : -1;
    if (!kind || end < 0) {
      out += literal(src.slice(i));
      break;
    }
    out += literal(src.slice(i, at)) + kind.std[0] + src.slice(at + kind.open.length, end) + kind.std[1];
    i = end + kind.close.length;
  }
  return out;
}

/** Text that must stay text: each standard opener in it is printed by an expression. */
function literal(text: string): string {
  return text.replace(/\{[{%#]/g, (m) => `{{ '${m}' }}`);
}
