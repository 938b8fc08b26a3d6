/** Lookups that read the controller: file, template, fileglob, first_found, lines, pipe, password, ini, csvfile. */
import { withStandardDelimiters } from '../delimiters.js';
import { nativeFromString } from '../native.js';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UndefinedVariableError } from '../../errors.js';
import { execFileSync } from 'node:child_process';
import type { LookupFn } from './index.js';
import { LookupError, PythonClassError, TemplateRuntimeError } from '../runtime/env.js';
import { decryptIfVault } from '../../vault/index.js';
import { isDict, num, pyIter, pyStr, truthy, type Dict, UndefinedUse, typeName } from '../runtime/values.js';
import { findFile, searchBases, searchStack } from './search.js';
import { fnmatchRegExp } from '../../values/fnmatch.js';
import { iniLookup } from './ini.js';
import { readCsvRows } from './csv-reader.js';
import { parseKeyValues } from '../../values/kv.js';

function sh(cmd: string): string {
  try {
    return execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { status?: number };
    throw new TemplateRuntimeError(`lookup_plugin.pipe(${cmd}) returned ${err.status ?? -1}`);
  }
}

/** Splits "name key=value key2='x y'" into the first word and its options (Ansible's parse_kv). */
export function parseKv(term: string): { first: string; opts: Dict } {
  // ansible's parse_kv (src/values/kv.ts): the free words are the lookup's term.
  const { _raw_params: raw, ...opts } = parseKeyValues(term);
  return { first: typeof raw === 'string' ? raw : '', opts };
}

const PASSWORD_CHARSETS: Record<string, string> = {
  ascii_letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ascii_lowercase: 'abcdefghijklmnopqrstuvwxyz',
  ascii_uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  hexdigits: '0123456789abcdefABCDEF',
  octdigits: '01234567',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
};

function passwordChars(spec: unknown): string {
  const names = spec === undefined ? ['ascii_letters', 'digits', '.,:-_'] : Array.isArray(spec) ? spec.map(pyStr) : pyStr(spec).split(',');
  return [...new Set(names.map((n) => PASSWORD_CHARSETS[n] ?? n).join(''))].join('');
}

function randomPassword(chars: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += chars[crypto.randomInt(chars.length)];
  return out;
}

export const FILE_LOOKUPS: Record<string, LookupFn> = {
  file: (s, terms, k) =>
    terms.map((t) => {
      const f = findFile(s.ctx, pyStr(t), 'files');
      if (!f) throw new TemplateRuntimeError(`could not locate file in lookup: ${pyStr(t)}`);
      // The loader's file contents: a vault-encrypted file is decrypted with the run's secrets.
      let text = decryptIfVault(fs.readFileSync(f), f).toString('utf8');
      if (truthy(k['rstrip'] ?? true)) text = text.replace(/\s+$/, '');
      if (truthy(k['lstrip'] ?? false)) text = text.replace(/^\s+/, '');
      return text;
    }),
  /** unvault: a file's decrypted text as it is, not stripped (ansible.builtin.unvault). */
  unvault: (s, terms) =>
    terms.map((t) => {
      const f = findFile(s.ctx, pyStr(t), 'files');
      if (!f) throw new PythonClassError(`Unable to find file matching "${pyStr(t)}" `, 'ansible.errors.AnsibleParserError');
      return decryptIfVault(fs.readFileSync(f), f).toString('utf8');
    }),
  template: (s, terms, k) =>
    terms.map((t) => {
      const f = findFile(s.ctx, pyStr(t), 'templates');
      if (!f) throw new TemplateRuntimeError(`the template file ${pyStr(t)} could not be found for the lookup`);
      const extra = isDict(k['template_vars']) ? k['template_vars'] : undefined;
      const opt = (name: string) => (k[name] === undefined || k[name] === null ? undefined : pyStr(k[name]));
      const source = withStandardDelimiters(fs.readFileSync(f, 'utf8'), {
        variableStart: opt('variable_start_string'),
        variableEnd: opt('variable_end_string'),
        commentStart: opt('comment_start_string'),
        commentEnd: opt('comment_end_string'),
      });
      const out = s.renderText(source, extra);
      // convert_data (default true): a result that reads as a dict/list/bool becomes one.
      return k['convert_data'] === undefined || truthy(k['convert_data']) ? nativeFromString(out) : out;
    }),
  fileglob: (s, terms) =>
    terms.flatMap((t) => {
      // ansible.builtin.fileglob: a bare pattern is globbed in each search path's files/ then the
      // path itself; one with a folder, in the first search-path match of that folder (files/
      // first). The first place with matches wins; glob's rules (fnmatch, no hidden files unless
      // the pattern starts with a dot).
      const term = pyStr(t);
      const file = path.basename(term);
      const bases = searchBases(s.ctx);
      let dirs: string[];
      if (path.isAbsolute(term)) dirs = [path.dirname(term)];
      else if (file !== term) {
        const dir = searchStack(bases, 'files', path.dirname(term)).found;
        dirs = dir ? [dir] : [];
      } else dirs = bases.flatMap((b) => [path.join(b, 'files'), b]);
      const re = fnmatchRegExp(file);
      for (const d of dirs) {
        let names: string[];
        try {
          names = fs.readdirSync(d).sort();
        } catch {
          continue;
        }
        const hits = names
          .filter((n) => re.test(n) && (!n.startsWith('.') || file.startsWith('.')))
          .map((n) => path.join(d, n))
          .filter((p) => fs.statSync(p, { throwIfNoEntry: false })?.isFile());
        if (hits.length) return hits;
      }
      return [];
    }),
  first_found: (s, terms, k) => {
    // _process_terms of ansible-core 2.14, clobbering included: each mapping term sets the options
    // afresh (files, paths, skip); a string term takes the keyword options; a list term recurses.
    const split = (v: unknown, chars: RegExp): string[] => (typeof v === 'string' ? v.split(chars) : pyIter(v ?? []).flatMap((x) => split(pyStr(x), chars)));
    let skip = false;
    const process = (ts: unknown[]): string[] => {
      let total: string[] = [];
      for (const t of ts) {
        let opts: Dict;
        if (isDict(t)) opts = t;
        else if (typeof t === 'string') opts = k;
        else if (Array.isArray(t)) {
          total.push(...process(t));
          continue;
        } else throw new LookupError(`Invalid term supplied, can handle string, mapping or list of strings but got: <class '${typeName(t)}'> for ${pyStr(t)}`, 'lookup');
        const files = split(opts['files'] ?? [], /[,;]/);
        const paths = split(opts['paths'] ?? [], /[,:;]/);
        skip = truthy(opts['skip'] ?? false);
        if (paths.length) {
          for (const p of paths) for (const f of files) total.push(path.join(p, f));
        } else if (files.length) total = files;
        else total.push(pyStr(t));
      }
      return total;
    };
    const candidates = process(terms);
    let sawUndefined = false;
    for (const raw of candidates) {
      // A candidate that cannot be templated (an undefined variable) is passed over for the next.
      let c = raw;
      try {
        c = pyStr(s.renderValue(raw));
      } catch (e) {
        if (!(e instanceof UndefinedUse) && !(e instanceof UndefinedVariableError)) throw e;
        sawUndefined = true;
        continue;
      }
      const found = findFile(s.ctx, c, 'files');
      if (found) return [path.resolve(found)];
    }
    // Observed in ansible-core 2.14.18: `skip` does not save a search whose candidates were undefined.
    if (skip && !sawUndefined) return [];
    throw new LookupError('No file was found when using first_found.', 'lookup');
  },
  lines: (_s, terms) => terms.flatMap((t) => sh(pyStr(t)).split('\n').filter((l, i, a) => i < a.length - 1 || l !== '')),
  pipe: (_s, terms) => terms.map((t) => sh(pyStr(t)).replace(/\s+$/, '')),
  password: (s, terms, k) =>
    terms.map((t) => {
      const { first, opts } = parseKv(pyStr(t));
      const o = { ...opts, ...k };
      const length = num(o['length'] ?? 20);
      const chars = passwordChars(o['chars']);
      if (first === '/dev/null') return randomPassword(chars, length);
      const file = path.isAbsolute(first) ? first : path.join(s.ctx.searchPaths?.[0] ?? process.cwd(), first);
      if (fs.existsSync(file)) {
        const content = fs.readFileSync(file, 'utf8').replace(/\s+$/, '');
        return content.split(' salt=')[0]!;
      }
      const pw = randomPassword(chars, length);
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, pw + '\n', { mode: 0o600 });
      return pw;
    }),
  ini: iniLookup,
  csvfile: (s, terms, k) => {
    // Options: keyword arguments first (unknown ones are ignored, as set_options does), then the
    // term's own key=value pairs, which must be known options.
    const base: Dict = { col: '1', default: null, delimiter: 'TAB', file: 'ansible.csv', encoding: 'utf-8' };
    for (const name of Object.keys(base)) if (k[name] !== undefined) base[name] = k[name];
    const out: unknown[] = [];
    for (const t of terms) {
      const kv = parseKeyValues(pyStr(t));
      if (!('_raw_params' in kv)) throw new Error('Search key is required but was not found');
      const key = pyStr(kv['_raw_params']);
      const o: Dict = { ...base };
      for (const [name, value] of Object.entries(kv)) {
        if (name === '_raw_params') continue;
        if (!(name in base)) throw new Error(`${name} is not a valid option`);
        o[name] = value;
      }
      const delim = pyStr(o['delimiter']) === 'TAB' ? '\t' : pyStr(o['delimiter']);
      // A missing file is searched as None (open(b'None')), as in 2.14.
      const file = findFile(s.ctx, pyStr(o['file']), 'files') ?? 'None';
      let found: unknown = o['default'];
      try {
        const rows = readCsvRows(fs.readFileSync(file, 'utf8'), delim);
        const hit = rows.find((r) => r.length > 0 && r[0] === key);
        if (hit) {
          const col = Number.parseInt(pyStr(o['col']), 10);
          if (Number.isNaN(col)) throw new Error(`invalid literal for int() with base 10: '${pyStr(o['col'])}'`);
          if (col >= hit.length || col < -hit.length) throw new Error('list index out of range');
          found = hit[col < 0 ? hit.length + col : col];
        }
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        const why = err.code === 'ENOENT' ? `[Errno 2] No such file or directory: b'${file}'` : err.message;
        throw new Error(`csvfile: ${why}`);
      }
      if (found !== null && found !== undefined) {
        if (Array.isArray(found)) out.push(...found);
        else out.push(found);
      }
    }
    return out;
  },
};
