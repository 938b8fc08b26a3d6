/**
 * The ini lookup as ansible-core 2.14's (lib/ansible/plugins/lookup/ini.py): one Python
 * ConfigParser for the whole call (src/values/configparser.ts), options from keywords, then
 * from `key opt=value ...` terms, which change them for the terms after too; regex keys with
 * re.match; type=properties reads the file under a [java_properties] section; the file's text
 * decoded with `encoding`, vault-encrypted files opened. Errors in ansible-core's words.
 */
import * as fs from 'node:fs';
import { decryptIfVault } from '../../vault/index.js';
import { pyCodec } from '../../values/py-codec.js';
import { ConfigParserError, PyConfigParser } from '../../values/configparser.js';
import { LookupError, PythonClassError } from '../runtime/env.js';
import { pyStr, truthy, type Dict } from '../runtime/values.js';
import type { LookupFn } from './index.js';
import { findFile } from './search.js';

/** The plugin's options in its DOCUMENTATION order (the order _parse_params tries them in). */
const OPTIONS = ['_terms', 'type', 'file', 'section', 're', 'encoding', 'default', 'case_sensitive', 'allow_no_value'] as const;

/** _parse_params: words of the term grouped under the option whose `name=` they contain. */
function parseParams(term: string, valid: string[]): string[] {
  const params = new Map<string, string>();
  const keys: string[] = [];
  let thisKey = 'key';
  term.split(/\s+/).filter(Boolean).forEach((phrase, i) => {
    if (phrase.includes('=')) for (const k of valid) if (phrase.includes(`${k}=`)) thisKey = k;
    if (i === 0 || !params.get(thisKey)) {
      params.set(thisKey, phrase);
      keys.push(thisKey);
    } else params.set(thisKey, `${params.get(thisKey)} ${phrase}`);
  });
  return keys.map((k) => params.get(k) ?? '');
}

/** The file's bytes as text in a Python codec (src/values/py-codec.ts); UTF-8 strictly, as Python. */
function decode(data: Buffer, encoding: string): string {
  const c = pyCodec(encoding);
  if (!c) return new TextDecoder(encoding.toLowerCase(), { fatal: true }).decode(data);
  if (c.node === 'utf8') return new TextDecoder('utf-8', { fatal: true }).decode(data);
  const bytes = c.bom && data[0] === 0xff && data[1] === 0xfe ? data.subarray(2) : data;
  return bytes.toString(c.node);
}

export const iniLookup: LookupFn = (s, terms, kwargs) => {
  const o: Dict = { type: 'ini', file: 'ansible.ini', section: 'global', re: false, encoding: 'utf-8', default: '', case_sensitive: false, allow_no_value: false };
  for (const [k, v] of Object.entries(kwargs)) o[k === 'allow_none' ? 'allow_no_value' : k] = v;
  const cp = new PyConfigParser({ allowNoValue: truthy(o['allow_no_value']), caseSensitive: truthy(o['case_sensitive']) });
  const ret: unknown[] = [];
  for (const t of terms) {
    const term = pyStr(t);
    let key = term;
    if (term.includes('=') || term.trim().includes(' ')) {
      const params = parseParams(term, [...OPTIONS, 'allow_none']);
      let updated = false;
      for (const param of params) {
        if (param.includes('=')) {
          const parts = param.split('=');
          if (parts.length !== 2) throw new LookupError(`Could not use '${param}' from '${pyListRepr(params)}': too many values to unpack (expected 2)`, 'lookup');
          const [name, value] = parts as [string, string];
          if (!(OPTIONS as readonly string[]).includes(name) && name !== 'allow_none') throw new LookupError(`${name} is not a valid option.`, 'lookup');
          o[name] = value;
        } else if (key === term) {
          key = param;
          updated = true;
        }
      }
      if (!updated) throw new LookupError(`No key to lookup was provided as first term with in string inline options: ${term}`, 'options');
    }
    const fileName = pyStr(o['file']);
    const path = findFile(s.ctx, fileName, 'files');
    if (!path) throw new PythonClassError(`Could not find or access '${fileName}'`, 'ansible.errors.AnsibleFileNotFound');
    let section = pyStr(o['section']);
    let text = decode(decryptIfVault(fs.readFileSync(path), path), pyStr(o['encoding']));
    if (pyStr(o['type']) === 'properties') {
      text = `[java_properties]\n${text}`;
      section = 'java_properties';
      o['section'] = section;
    }
    try {
      cp.read(text);
    } catch (e) {
      if (e instanceof ConfigParserError && e.pyClass === 'DuplicateOptionError') throw new LookupError(`Duplicate option in '${fileName}': ${e.message}`, 'lookup');
      throw asPython(e);
    }
    let value: unknown;
    try {
      if (truthy(o['re'])) {
        const re = new RegExp(key, 'y');
        value = cp.items(section).filter(([k]) => ((re.lastIndex = 0), re.test(k))).map(([, v]) => v);
      } else {
        const v = cp.get(section, key);
        value = v === undefined ? o['default'] : v;
      }
    } catch (e) {
      if (e instanceof ConfigParserError && e.pyClass === 'NoSectionError') throw new LookupError(`No section '${section}' in ${fileName}`, 'lookup');
      throw asPython(e);
    }
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) ret.push(...value);
    else ret.push(value);
  }
  return ret;
};

function asPython(e: unknown): unknown {
  return e instanceof ConfigParserError ? new PythonClassError(e.message, `configparser.${e.pyClass}`) : e;
}

function pyListRepr(items: string[]): string {
  return `[${items.map((i) => `'${i}'`).join(', ')}]`;
}
