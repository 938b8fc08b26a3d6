/**
 * Python's csv.reader with the excel dialect (what the csvfile lookup uses), written out because
 * its lenient quirks are what playbooks rely on: text after a closing quote is kept
 * (`"crazy email"@example.com` reads as `crazy email@example.com`), quoted fields may hold
 * newlines and doubled quotes, an empty line is an empty row. csv-parse's relax options do not
 * reproduce these rules exactly.
 */
export function readCsvRows(text: string, delimiter: string): string[][] {
  if ([...delimiter].length !== 1) throw new Error('"delimiter" must be a 1-character string');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  type State = 'start_record' | 'start_field' | 'in_field' | 'in_quoted' | 'quote_in_quoted';
  let state: State = 'start_record';
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    rows.push(row);
    row = [];
    state = 'start_record';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const eol = c === '\n' || c === '\r';
    if (eol && text[i + 1] === '\n' && c === '\r' && state !== 'in_quoted') i++;
    switch (state) {
      case 'start_record':
        if (eol) {
          endRow();
          break;
        }
        // The first character of a record starts its first field: read it again there.
        state = 'start_field';
        i--;
        break;
      case 'start_field':
        if (eol) {
          endField();
          endRow();
        } else if (c === '"') state = 'in_quoted';
        else if (c === delimiter) {
          endField();
          state = 'start_field';
        } else {
          field += c;
          state = 'in_field';
        }
        break;
      case 'in_field':
        if (eol) {
          endField();
          endRow();
        } else if (c === delimiter) {
          endField();
          state = 'start_field';
        } else field += c;
        break;
      case 'in_quoted':
        if (c === '"') state = 'quote_in_quoted';
        else field += c;
        break;
      case 'quote_in_quoted':
        if (c === '"') {
          field += c;
          state = 'in_quoted';
        } else if (c === delimiter) {
          endField();
          state = 'start_field';
        } else if (eol) {
          endField();
          endRow();
        } else {
          field += c;
          state = 'in_field';
        }
        break;
    }
  }
  if (state !== 'start_record') {
    endField();
    rows.push(row);
  }
  return rows;
}
