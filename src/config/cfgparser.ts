/**
 * A reader for ansible.cfg with the semantics of Python's configparser as Ansible
 * sets it up (ConfigParser(inline_comment_prefixes=(';',))): `key = value` or
 * `key: value`, full-line comments with '#' or ';', inline comments only with ';'
 * after whitespace, indented continuation lines, lower-cased keys, and an error
 * for a duplicate section or key. Generic INI packages differ on exactly these
 * points (continuations, ':' delimiter, '#' inside values), so this is hand-written.
 */
import { PhiloteError } from '../errors.js';

export interface CfgEntry {
  value: string;
  line: number;
}

export type CfgSections = Map<string, Map<string, CfgEntry>>;

export function parseCfg(text: string, file: string): CfgSections {
  const sections: CfgSections = new Map();
  let current: Map<string, CfgEntry> | undefined;
  let lastKey: string | undefined;
  const lines = text.split(/\r?\n/);
  const fail = (line: number, msg: string): never => {
    throw new PhiloteError('option', `Error reading config file (${file}): ${msg}`, {
      location: { file, line, column: 1 },
    });
  };
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const stripped = stripInlineComment(raw);
    if (stripped.trim() === '' || /^\s*[#;]/.test(raw)) {
      // configparser ends a multi-line value at a blank line only when empty_lines_in_values is false;
      // by default blank lines are kept inside values but trailing ones are dropped, so just skip.
      return;
    }
    if (/^\s/.test(raw) && current && lastKey !== undefined) {
      const entry = current.get(lastKey)!;
      entry.value = entry.value === '' ? stripped.trim() : `${entry.value}\n${stripped.trim()}`;
      return;
    }
    const section = /^\[([^\]]+)\]/.exec(stripped.trim());
    if (section) {
      const name = section[1]!;
      if (sections.has(name)) fail(lineNo, `While reading from '${file}' [line ${lineNo}]: section '${name}' already exists`);
      current = new Map();
      sections.set(name, current);
      lastKey = undefined;
      return;
    }
    if (!current) fail(lineNo, `File contains no section headers. [line ${lineNo}]: '${raw}'`);
    const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(stripped.trim());
    if (!m) {
      // configparser (allow_no_value=False) rejects a bare key.
      return fail(lineNo, `Source contains parsing errors: '${file}' [line ${lineNo}]: '${raw}'`);
    }
    const key = m[1]!.trim().toLowerCase();
    if (current!.has(key)) {
      fail(lineNo, `While reading from '${file}' [line ${lineNo}]: option '${key}' in section '${[...sections.keys()].pop()}' already exists`);
    }
    current!.set(key, { value: m[2]!.trim(), line: lineNo });
    lastKey = key;
  });
  return sections;
}

/** configparser strips an inline comment prefix only when whitespace precedes it. */
function stripInlineComment(line: string): string {
  const m = /\s;/.exec(line);
  return m ? line.slice(0, m.index) : line;
}
