/** A Jinja2 syntax error, with the line and column inside the template text. */
export class TemplateSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(
    readonly reason: string,
    readonly source: string,
    readonly pos: number,
  ) {
    const before = source.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    super(`${reason} (line ${line}, column ${column})`);
    this.line = line;
    this.column = column;
  }
}
