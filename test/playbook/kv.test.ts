/** key=value argument strings, split as ansible's parse_kv / split_args do. */
import { describe, expect, it } from 'vitest';
import { joinArgs, parseKeyValues, splitArgs, splitModuleString, unquote } from '../../src/values/kv.js';

describe('splitArgs', () => {
  it('keeps quoted strings and jinja2 blocks together', () => {
    expect(splitArgs('a=b c="foo bar" d={{ x | default("a b") }}')).toEqual(['a=b', 'c="foo bar"', 'd={{ x | default("a b") }}']);
  });
  it('keeps newlines of multi-line text', () => {
    expect(joinArgs(splitArgs('echo a\necho b'))).toBe('echo a\necho b');
  });
  it('keeps runs of spaces inside quotes', () => {
    expect(splitArgs("msg='a  b'")).toEqual(["msg='a  b'"]);
  });
  it('refuses unbalanced quotes and blocks', () => {
    expect(() => splitArgs('a="b')).toThrow(/unbalanced jinja2 block or quotes/);
    expect(() => splitArgs('a={{ b')).toThrow(/unbalanced/);
  });
});

describe('parseKeyValues', () => {
  it('parses pairs and unquotes values', () => {
    expect(parseKeyValues('src=a dest="/tmp/b c" mode=\'0644\'')).toEqual({ src: 'a', dest: '/tmp/b c', mode: '0644' });
  });
  it('splits only at the first unescaped =', () => {
    expect(parseKeyValues('line=a=b')).toEqual({ line: 'a=b' });
    expect(parseKeyValues('a\\=b=c')).toEqual({ 'a\\=b': 'c' });
  });
  it('decodes escapes like Python unicode-escape', () => {
    expect(parseKeyValues('msg="a\\tb\\n"')).toEqual({ msg: 'a\tb\n' });
  });
  it('free-form: keeps the command, pulls out chdir/creates/removes', () => {
    expect(parseKeyValues('echo a=b {{ x }} chdir=/tmp creates=/etc/done', true)).toEqual({
      _raw_params: 'echo a=b {{ x }}',
      chdir: '/tmp',
      creates: '/etc/done',
    });
  });
  it('words without = become _raw_params', () => {
    expect(parseKeyValues('hello world')).toEqual({ _raw_params: 'hello world' });
  });
  it('a word with only escaped = is raw text', () => {
    expect(parseKeyValues('a\\=b', true)).toEqual({ _raw_params: 'a=b' });
  });
});

describe('module strings', () => {
  it('splits the module name from its arguments', () => {
    expect(splitModuleString('copy src=a dest="b c"')).toEqual(['copy', 'src=a dest="b c"']);
    expect(splitModuleString('ping')).toEqual(['ping', '']);
  });
  it('unquote only strips matching quotes', () => {
    expect(unquote('"a"')).toBe('a');
    expect(unquote('"a\'')).toBe('"a\'');
    expect(unquote('"a\\"')).toBe('"a\\"');
  });
});
