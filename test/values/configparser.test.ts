/**
 * src/values/configparser.ts against Python 3's own configparser (Debian's python3, the
 * interpreter ansible-core runs on) as the oracle: the same texts read by both, every section's
 * items() (with [DEFAULT] and %-interpolation) or the error class and message compared.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigParserError, PyConfigParser, type ConfigParserOptions } from '../../src/values/configparser.js';

const hasPython = spawnSync('python3', ['-c', 'import configparser']).status === 0;

const ORACLE = String.raw`
import configparser, json, sys
case = json.load(sys.stdin)
cp = configparser.ConfigParser(allow_no_value=case['allowNoValue'], inline_comment_prefixes=tuple(case['inline']))
if case['caseSensitive']:
    cp.optionxform = str
out = {}
try:
    cp.read_string(case['text'], source='<???>')
    for s in cp.sections():
        try:
            out[s] = [[k, v] for k, v in cp.items(s)]
        except Exception as e:
            out[s] = {'error': type(e).__name__, 'message': str(e)}
except Exception as e:
    out = {'error': type(e).__name__, 'message': str(e)}
print(json.dumps(out))
`;

function python(text: string, o: ConfigParserOptions): unknown {
  const input = JSON.stringify({ text, allowNoValue: !!o.allowNoValue, inline: o.inlineCommentPrefixes ?? [], caseSensitive: !!o.caseSensitive });
  const r = spawnSync('python3', ['-c', ORACLE], { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function ours(text: string, o: ConfigParserOptions): unknown {
  const cp = new PyConfigParser(o);
  try {
    cp.read(text);
  } catch (e) {
    if (e instanceof ConfigParserError) return { error: e.pyClass, message: e.message };
    throw e;
  }
  const out: Record<string, unknown> = {};
  for (const s of cp.sections.keys()) {
    try {
      out[s] = cp.items(s);
    } catch (e) {
      if (!(e instanceof ConfigParserError)) throw e;
      out[s] = { error: e.pyClass, message: e.message };
    }
  }
  return out;
}

const CASES: Array<[string, string, ConfigParserOptions]> = [
  ['keys, both delimiters, case folding', '[s]\nName = Bob\nother: x = y\n  Spaced Key  =  v  \n', {}],
  ['case sensitive keys', '[s]\nname = bob\nNAME = marley\n', { caseSensitive: true }],
  ['continuations and blank lines inside values', '[s]\nmulti = one\n  two\n\n  three\n\n\nafter = x\n', {}],
  ['comments: full line always, inline only with a prefix after whitespace', '[s]\n# c\n ; c\na = x ; not a comment\nb = y#z\n', {}],
  ['inline comment prefixes', '[s]\na = x ; gone\nb = y;kept\n', { inlineCommentPrefixes: [';'] }],
  ['DEFAULT shows through, interpolation', '[DEFAULT]\nbase = /srv\n[app]\npath = %(base)s/app\npct = 100%%\n', {}],
  ['a bad interpolation', '[s]\nx = 50%\n', {}],
  ['a missing interpolation key', '[s]\nx = %(nope)s\n', {}],
  ['keys without values', '[mysqld]\nuser = mysql\nskip-bdb\n', { allowNoValue: true }],
  ['keys without values refused', '[mysqld]\nuser = mysql\nskip-bdb\nskip-innodb\n', {}],
  ['a duplicate key', '[s]\nname = a\nname = b\n', {}],
  ['keys differing in case are duplicates', '[s]\nname = a\nName = b\n', {}],
  ['a duplicate section', '[s]\na = 1\n[s]\nb = 2\n', {}],
  ['no section header', 'a = 1\n', {}],
  ['a permissive header', '[a] b]\nk = v\n', {}],
  ['unicode', '[s]\nfield = été indien où à château\n', {}],
];

describe.skipIf(!hasPython)("configparser (differential against Python's)", () => {
  for (const [name, text, o] of CASES) {
    it(name, () => {
      expect(ours(text, o)).toEqual(python(text, o));
    });
  }
});
