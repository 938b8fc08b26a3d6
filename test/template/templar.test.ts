import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PhiloteError, UndefinedVariableError } from '../../src/errors.js';
import { createTemplar, runLookupForLoop as loopLookup } from '../../src/template/index.js';
import { unwrapUnsafe } from '../../src/template/unsafe.js';
import { OMIT, type TemplateContext } from '../../src/template/types.js';

const t = createTemplar();
const ctx = (vars: Record<string, unknown>, extra: object = {}) => ({ vars, ...extra });

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('errors', () => {
  it('names the undefined variable and carries the location', () => {
    const loc = { file: 'site.yml', line: 4, column: 7 };
    const e = caught(() => t.render('{{ foo }}/x', ctx({}, { location: loc })));
    expect(e).toBeInstanceOf(UndefinedVariableError);
    expect((e as UndefinedVariableError).variable).toBe('foo');
    expect((e as UndefinedVariableError).message).toBe("'foo' is undefined");
    expect((e as UndefinedVariableError).location).toEqual(loc);
  });
  it('reports a missing attribute as Jinja does', () => {
    const e = caught(() => t.render('{{ d.bar }}', ctx({ d: {} }))) as UndefinedVariableError;
    expect(e.message).toBe("'dict object' has no attribute 'bar'");
    expect(e.variable).toBe('bar');
  });
  it('keeps the first missing name through an attribute chain', () => {
    const e = caught(() => t.render('{{ foo.bar.baz }}', ctx({}))) as UndefinedVariableError;
    expect(e.variable).toBe('foo');
  });
  it('gives syntax errors with line and column', () => {
    const e = caught(() => t.render('a\n{{ (1 }}', ctx({}))) as PhiloteError;
    expect(e.kind).toBe('template');
    expect(e.message).toMatch(/template error while templating string: unexpected '\}' \(line 2, column 7\)/);
  });
  it('fails an unknown filter', () => {
    expect((caught(() => t.render('{{ 1 | nope }}', ctx({}))) as PhiloteError).message).toMatch(/Could not load "nope"/);
  });
  it('detects a variable that refers to itself', () => {
    const e = caught(() => t.render('{{ a }}', ctx({ a: '{{ b }}', b: '{{ a }}' }))) as PhiloteError;
    expect(e.message).toMatch(/recursive loop detected/);
  });
});

describe('lazy variables and native types', () => {
  it('templates looked-up values with the same vars', () => {
    expect(t.render('{{ url }}', ctx({ url: 'https://{{ host }}:{{ port }}', host: 'h', port: 6443 }))).toBe('https://h:6443');
    expect(t.render('{{ l }}', ctx({ l: ['{{ a }}', 2], a: 'x' }))).toEqual(['x', 2]);
  });
  it('keeps lists, dicts and booleans; numbers from expressions become strings as in Ansible 2.14', () => {
    expect(t.render('{{ [1, 2] }}', ctx({}))).toEqual([1, 2]);
    expect(t.render('{{ x }}', ctx({ x: 5 }))).toBe(5);
    expect(t.render('{{ x + 1 }}', ctx({ x: 5 }))).toBe('6');
    expect(t.render('{{ x > 1 }}', ctx({ x: 5 }))).toBe(true);
    expect(t.render('{{ d | to_json }}', ctx({ d: { a: 1 } }))).toBe('{"a": 1}');
  });
  it('walks dicts and lists and drops omitted keys', () => {
    const out = t.render({ name: '{{ n }}', mode: '{{ m | default(omit) }}', list: ['{{ omit }}', 'k'] }, ctx({ n: 'x', omit: OMIT }));
    expect(out).toEqual({ name: 'x', list: ['k'] });
  });
  it('leaves strings without templates untouched', () => {
    const v = { a: 'plain', b: [1, 'two'] };
    expect(t.render(v, ctx({}))).toBe(v);
  });
});

describe('conditionals and expressions', () => {
  it('evaluates when-style conditions', () => {
    expect(t.evaluateConditional('x is defined and x > 1', ctx({ x: 2 }))).toBe(true);
    expect(t.evaluateConditional('x is defined', ctx({}))).toBe(false);
    expect(t.evaluateConditional(true, ctx({}))).toBe(true);
    expect(t.evaluateConditional('{{ flag }}', ctx({ flag: false }))).toBe(false);
    expect(() => t.evaluateConditional('missing', ctx({}))).toThrow(UndefinedVariableError);
  });
  it('evaluates bare expressions to values', () => {
    expect(t.evaluate("hosts | map('upper') | list", ctx({ hosts: ['a', 'b'] }))).toEqual(['A', 'B']);
    expect(t.evaluate('7 / 2', ctx({}))).toBe(3.5);
  });
});

describe('template files', () => {
  it('renders with trim_blocks and keeps the trailing newline', () => {
    const text = '[servers]\n{% for h in hosts %}\n{{ h }} ansible_host={{ ips[h] }}\n{% endfor %}\n';
    expect(t.renderText(text, ctx({ hosts: ['a', 'b'], ips: { a: '10.0.0.1', b: '10.0.0.2' } }))).toBe('[servers]\na ansible_host=10.0.0.1\nb ansible_host=10.0.0.2\n');
  });
});

describe('lookups for with_ loops', () => {
  it('matches Ansible for with_items, with_list, with_dict, with_sequence, with_nested', () => {
    // Items of a with_<lookup> loop are unsafe (never templated again); compare their plain values.
    const runLookupForLoop = (name: string, terms: unknown, c: TemplateContext) => unwrapUnsafe(loopLookup(name, terms, c));
    expect(runLookupForLoop('items', [[1, 2], 3], ctx({}))).toEqual([1, 2, 3]);
    expect(runLookupForLoop('list', [[1, 2], 3], ctx({}))).toEqual([[1, 2], 3]);
    expect(runLookupForLoop('items', '{{ l }}', ctx({ l: ['a', 'b'] }))).toEqual(['a', 'b']);
    expect(runLookupForLoop('dict', '{{ d }}', ctx({ d: { a: 1 } }))).toEqual([{ key: 'a', value: 1 }]);
    expect(runLookupForLoop('sequence', 'start=1 end=3 format=n%d', ctx({}))).toEqual(['n1', 'n2', 'n3']);
    expect(runLookupForLoop('nested', [['a'], [1, 2]], ctx({}))).toEqual([['a', 1], ['a', 2]]);
    expect(runLookupForLoop('indexed_items', ['x', 'y'], ctx({}))).toEqual([[0, 'x'], [1, 'y']]);
  });
  it('creates a password file once and reads it back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'philote-pw-'));
    const file = path.join(dir, 'creds', 'k3s-token');
    const first = t.render(`{{ lookup('password', '${file} length=12 chars=digits') }}`, ctx({}));
    expect(first).toMatch(/^\d{12}$/);
    expect(t.render(`{{ lookup('password', '${file} length=12 chars=digits') }}`, ctx({}))).toBe(first);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('speed', () => {
  it('compiles each template once (the cache returns the same result fast)', () => {
    const c = ctx({ base: '/srv' });
    const start = performance.now();
    for (let i = 0; i < 20000; i++) t.render('{{ base }}/x', c);
    const perCall = (performance.now() - start) / 20000;
    // Not a benchmark: only guards against losing the compile cache (an uncached parse is ~20x slower).
    expect(perCall).toBeLessThan(0.5);
  });
});
