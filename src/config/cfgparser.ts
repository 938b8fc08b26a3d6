/**
 * ansible.cfg as ansible-core reads it: Python's configparser set up as
 * ConfigParser(inline_comment_prefixes=(';',)) (src/values/configparser.ts has the rules), read
 * raw (no interpolation), [DEFAULT] values showing through every section. Generic INI packages
 * differ on exactly these points (continuations, ':' delimiter, '#' inside values).
 */
import { PhiloteError } from '../errors.js';
import { ConfigParserError, PyConfigParser } from '../values/configparser.js';

export interface CfgEntry {
  value: string;
  line: number;
}

export type CfgSections = Map<string, Map<string, CfgEntry>>;

export function parseCfg(text: string, file: string): CfgSections {
  const cp = new PyConfigParser({ inlineCommentPrefixes: [';'] });
  try {
    cp.read(text, file);
  } catch (e) {
    if (!(e instanceof ConfigParserError)) throw e;
    throw new PhiloteError('option', `Error reading config file (${file}): ${e.message}`, { location: { file, line: e.line ?? 1, column: 1 } });
  }
  const sections: CfgSections = new Map();
  const entry = (v: { value: string | null; line: number }): CfgEntry => ({ value: v.value ?? '', line: v.line });
  for (const [name, values] of [['DEFAULT', new Map()] as const, ...cp.sections]) {
    const merged = new Map<string, CfgEntry>();
    for (const [k, v] of cp.defaults) merged.set(k, entry(v));
    for (const [k, v] of values) merged.set(k, entry(v));
    if (name !== 'DEFAULT' || merged.size) sections.set(name, merged);
  }
  return sections;
}
