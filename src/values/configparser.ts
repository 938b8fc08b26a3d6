/**
 * Python's configparser.ConfigParser as ansible-core uses it (Python 3.11 on Debian 12): the
 * reading rules of RawConfigParser._read and BasicInterpolation's `%(name)s` and `%%` on get.
 * - `key = value` or `key: value` (the first delimiter), keys through optionxform (lower-cased
 *   unless case sensitive), values stripped;
 * - full-line comments starting with '#' or ';'; inline comments only with the given prefixes,
 *   and only after whitespace;
 * - continuation lines indented deeper than their key join the value with newlines, blank lines
 *   inside a value are kept, trailing ones dropped;
 * - [DEFAULT] values show through every section;
 * - strict: a section or key twice in one source is an error; a bare key is an error unless
 *   allow_no_value (its value is then None, here null).
 * The errors carry Python's class name and message, which ansible-core shows to users.
 * ansible.cfg (src/config/cfgparser.ts) and the ini lookup both read through this.
 */

import { reprString } from './py-repr.js';

export type ConfigParserErrorClass =
  | 'DuplicateSectionError'
  | 'DuplicateOptionError'
  | 'MissingSectionHeaderError'
  | 'ParsingError'
  | 'NoSectionError'
  | 'InterpolationSyntaxError'
  | 'InterpolationMissingOptionError'
  | 'InterpolationDepthError';

export class ConfigParserError extends Error {
  constructor(
    readonly pyClass: ConfigParserErrorClass,
    message: string,
    /** The line at fault, for errors raised while reading. */
    readonly line?: number,
  ) {
    super(message);
  }
}

export interface ConfigParserOptions {
  allowNoValue?: boolean;
  /** inline_comment_prefixes (none by default, as in Python). */
  inlineCommentPrefixes?: string[];
  /** optionxform = str instead of str.lower. */
  caseSensitive?: boolean;
}

export interface ConfigValue {
  /** null for a key without a value (allow_no_value). */
  value: string | null;
  line: number;
}

const DEFAULT_SECTION = 'DEFAULT';
const MAX_INTERPOLATION_DEPTH = 10;
const pyRepr = reprString;
const lineNo = (n: number): string => String(n).padStart(2, ' ');

export class PyConfigParser {
  readonly defaults = new Map<string, ConfigValue>();
  readonly sections = new Map<string, Map<string, ConfigValue>>();

  constructor(private readonly opts: ConfigParserOptions = {}) {}

  optionxform(name: string): string {
    return this.opts.caseSensitive ? name : name.toLowerCase();
  }

  /** read_file/read_string: `source` is the name errors give (Python's '<???>' for a stream without one). */
  read(text: string, source = '<???>'): void {
    const added = new Set<string>();
    const multi = new Map<Map<string, ConfigValue>, Map<string, string[]>>();
    let cursect: Map<string, ConfigValue> | undefined;
    let sectname: string | undefined;
    let optname: string | undefined;
    let indentLevel = 0;
    const bogus: Array<[number, string]> = [];
    const lines = text.split(/(?<=\n)/);
    const parts = (sect: Map<string, ConfigValue>) => multi.get(sect) ?? multi.set(sect, new Map()).get(sect)!;
    lines.forEach((line, i) => {
      const n = i + 1;
      let commentStart = Infinity;
      for (const prefix of this.opts.inlineCommentPrefixes ?? []) {
        let at = line.indexOf(prefix);
        while (at >= 0) {
          if (at === 0 || /\s/.test(line[at - 1]!)) {
            commentStart = Math.min(commentStart, at);
            break;
          }
          at = line.indexOf(prefix, at + 1);
        }
      }
      if (line.trim().startsWith('#') || line.trim().startsWith(';')) commentStart = 0;
      const value = (commentStart === Infinity ? line : line.slice(0, commentStart)).trim();
      if (!value) {
        // empty_lines_in_values: a blank line (not a comment) inside a value is kept.
        if (commentStart === Infinity && cursect && optname !== undefined && cursect.get(optname)?.value !== null) parts(cursect).get(optname)?.push('');
        return;
      }
      const indent = /\S/.exec(line)?.index ?? 0;
      if (cursect && optname !== undefined && indent > indentLevel) {
        parts(cursect).get(optname)?.push(value);
        return;
      }
      indentLevel = indent;
      const header = /^\[(.+)\]/.exec(value);
      if (header) {
        sectname = header[1]!;
        if (this.sections.has(sectname)) {
          if (added.has(sectname)) throw new ConfigParserError('DuplicateSectionError', `While reading from ${pyRepr(source)} [line ${lineNo(n)}]: section ${pyRepr(sectname)} already exists`, n);
          cursect = this.sections.get(sectname)!;
          added.add(sectname);
        } else if (sectname === DEFAULT_SECTION) {
          cursect = this.defaults;
        } else {
          cursect = new Map();
          this.sections.set(sectname, cursect);
          added.add(sectname);
        }
        optname = undefined;
        return;
      }
      if (!cursect) {
        throw new ConfigParserError('MissingSectionHeaderError', `File contains no section headers.\nfile: ${pyRepr(source)}, line: ${n}\n${pyRepr(line)}`, n);
      }
      const m = this.opts.allowNoValue ? /^(.*?)\s*(?:([=:])\s*(.*))?$/s.exec(value) : /^(.*?)\s*([=:])\s*(.*)$/s.exec(value);
      if (!m || !m[1]) {
        bogus.push([n, line]);
        return;
      }
      optname = this.optionxform(m[1].trimEnd());
      const key = `${sectname}\0${optname}`;
      if (added.has(key)) {
        throw new ConfigParserError('DuplicateOptionError', `While reading from ${pyRepr(source)} [line ${lineNo(n)}]: option ${pyRepr(optname)} in section ${pyRepr(sectname!)} already exists`, n);
      }
      added.add(key);
      if (m[2] === undefined) {
        cursect.set(optname, { value: null, line: n });
        parts(cursect).delete(optname);
      } else {
        cursect.set(optname, { value: '', line: n });
        parts(cursect).set(optname, [m[3]!.trim()]);
      }
    });
    // _join_multiline_values: the pieces joined with newlines, trailing blank ones gone.
    for (const [sect, values] of multi) for (const [name, pieces] of values) sect.get(name)!.value = pieces.join('\n').trimEnd();
    if (bogus.length) {
      throw new ConfigParserError('ParsingError', `Source contains parsing errors: ${pyRepr(source)}${bogus.map(([n, l]) => `\n\t[line ${lineNo(n)}]: ${pyRepr(l)}`).join('')}`, bogus[0]![0]);
    }
  }

  /** The section's values over the defaults, in items() order: the defaults' keys first. */
  private unified(section: string): Map<string, string | null> {
    const own = this.sections.get(section);
    if (!own && section !== DEFAULT_SECTION) throw new ConfigParserError('NoSectionError', `No section: ${pyRepr(section)}`);
    const d = new Map<string, string | null>();
    for (const [k, v] of this.defaults) d.set(k, v.value);
    for (const [k, v] of own ?? []) d.set(k, v.value);
    return d;
  }

  /** get(section, option): undefined when there is no such option (NoOptionError); interpolated unless raw. */
  get(section: string, option: string, raw = false): string | null | undefined {
    const d = this.unified(section);
    const name = this.optionxform(option);
    if (!d.has(name)) return undefined;
    const value = d.get(name)!;
    return raw || value === null ? value : this.interpolate(section, name, value, d);
  }

  /** items(section): every option with the defaults, interpolated. */
  items(section: string): Array<[string, string]> {
    const d = this.unified(section);
    return [...d.keys()].map((k) => [k, this.interpolate(section, k, d.get(k) ?? '', d)]);
  }

  /** BasicInterpolation.before_get. */
  private interpolate(section: string, option: string, value: string, map: Map<string, string | null>): string {
    const out: string[] = [];
    const some = (rest: string, depth: number): void => {
      if (depth > MAX_INTERPOLATION_DEPTH) {
        throw new ConfigParserError('InterpolationDepthError', `Recursion limit exceeded in value substitution: option ${pyRepr(option)} in section ${pyRepr(section)} contains an interpolation key which cannot be substituted in ${MAX_INTERPOLATION_DEPTH} steps. Raw value: ${pyRepr(value)}`);
      }
      while (rest) {
        const p = rest.indexOf('%');
        if (p < 0) {
          out.push(rest);
          return;
        }
        if (p > 0) {
          out.push(rest.slice(0, p));
          rest = rest.slice(p);
        }
        const c = rest.slice(1, 2);
        if (c === '%') {
          out.push('%');
          rest = rest.slice(2);
        } else if (c === '(') {
          const m = /^%\(([^)]+)\)s/.exec(rest);
          if (!m) throw new ConfigParserError('InterpolationSyntaxError', `bad interpolation variable reference ${pyRepr(rest)}`);
          const name = this.optionxform(m[1]!);
          rest = rest.slice(m[0].length);
          if (!map.has(name)) {
            throw new ConfigParserError('InterpolationMissingOptionError', `Bad value substitution: option ${pyRepr(option)} in section ${pyRepr(section)} contains an interpolation key ${pyRepr(name)} which is not a valid option name. Raw value: ${pyRepr(value)}`);
          }
          const v = map.get(name) ?? '';
          if (v.includes('%')) some(v, depth + 1);
          else out.push(v);
        } else {
          throw new ConfigParserError('InterpolationSyntaxError', `'%' must be followed by '%' or '(', found: ${pyRepr(rest)}`);
        }
      }
    };
    some(value, 1);
    return out.join('');
  }
}
