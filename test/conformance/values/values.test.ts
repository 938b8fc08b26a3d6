/**
 * Differential corpus for src/values: every case of cases.yml goes through ansible-core 2.14's
 * own AnsibleLoader / SafeLoader / parse_kv / split_args / convert_bool.boolean (oracle.py, one
 * python3 process) and through philote's loader, splitter and boolean parser; the typed results must be equal case by case.
 * Representation choices compared explicitly (not skipped):
 * - philote has no date type outside templates: a PyYAML timestamp must come out as the text
 *   Python's str() gives for it;
 * - philote marks an unsafe list/mapping instead of wrapping each string in it: a string read
 *   from a marked container counts as unsafe, as AnsibleUnsafeText does under Ansible;
 * - key order is Python's insertion order as a JavaScript object keeps it, which lists
 *   integer-like keys ("1", "493") first whatever their place in the file.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PhiloteError } from '../../../src/errors.js';
import { isFloat, PyFloat, pyStr } from '../../../src/template/runtime/values.js';
import { isUnsafeContainer, UnsafeText } from '../../../src/template/unsafe.js';
import { BooleanError, boolean } from '../../../src/values/booleans.js';
import { parseKeyValues, splitArgs } from '../../../src/values/kv.js';
import { loadYaml, loadYamlAll } from '../../../src/values/yaml.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface YamlCase { name: string; yaml: string; dialect?: 'ansible' | 'safe'; all?: boolean; duplicate_keys?: 'warn' | 'error' | 'ignore' }
interface KvCase { name: string; kv: string; check_raw?: boolean }
interface BoolCase { name: string; bool: unknown[]; strict?: boolean }
type Case = YamlCase | KvCase | BoolCase;
type Tagged = { t: string; v?: unknown };
type Result = { value: unknown; warnings: string[] } | { error: string; message: string };

const corpus = parse(fs.readFileSync(path.join(here, 'cases.yml'), 'utf8')) as { yaml: YamlCase[]; kv: KvCase[]; bool: BoolCase[] };
const cases: Case[] = [...corpus.yaml, ...corpus.kv, ...corpus.bool];

function oracle(): Result[] {
  const r = spawnSync('/usr/bin/python3', [path.join(here, 'oracle.py')], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_NOCOLOR: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`oracle failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Result[];
}

/** The same type tags oracle.py prints, for a philote value. */
function tag(v: unknown, inUnsafe = false): Tagged {
  if (v instanceof UnsafeText) return { t: 'unsafe', v: v.text };
  if (v === null || v === undefined) return { t: 'null' };
  if (typeof v === 'boolean') return { t: 'bool', v };
  if (v instanceof PyFloat || typeof v === 'number') return isFloat(v) || !Number.isInteger(v) ? { t: 'float', v: pyStr(v) } : { t: 'int', v: String(v) };
  if (typeof v === 'string') return { t: inUnsafe ? 'unsafe' : 'str', v };
  const unsafe = inUnsafe || isUnsafeContainer(v);
  if (Array.isArray(v)) return { t: 'list', v: v.map((x) => tag(x, unsafe)) };
  if (typeof v === 'object') return { t: 'dict', v: Object.entries(v).map(([k, x]) => [k, tag(x, unsafe)]) };
  return { t: typeof v, v: String(v) };
}

/** Oracle tags in philote's terms: a timestamp is its str() text. */
function expected(t: unknown): unknown {
  if (Array.isArray(t)) return t.map(expected);
  if (t && typeof t === 'object') {
    const o = t as Tagged;
    if (o.t === 'timestamp') return { t: 'str', v: o.v };
    if (o.t === 'dict') {
      const entries = o.v as Array<[string, unknown]>;
      const asObject: Record<string, unknown> = {};
      for (const [k, x] of entries) asObject[k] = expected(x);
      return { t: 'dict', v: Object.entries(asObject) };
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, expected(x)]));
  }
  return t;
}

function philote(c: Case): Result {
  const warnings: string[] = [];
  try {
    if ('yaml' in c) {
      const opts = { dialect: c.dialect ?? 'ansible', keepFloat: true, duplicateKeys: c.duplicate_keys ?? 'warn', onWarning: (m: string) => warnings.push(m) } as const;
      const value = c.all ? loadYamlAll(c.yaml, 'case.yml', opts).map((d) => tag(d)) : tag(loadYaml(c.yaml, 'case.yml', opts));
      return { value, warnings };
    }
    if ('bool' in c) return { value: c.bool.map((v) => tag(boolean(v, c.strict ?? true))), warnings };
    return { value: { kv: tag(parseKeyValues(c.kv, c.check_raw ?? false)), split: splitArgs(c.kv) }, warnings };
  } catch (e) {
    if (e instanceof PhiloteError && e.kind === 'parse') return { error: 'parse', message: e.message };
    if (e instanceof BooleanError) return { error: 'parse', message: e.message };
    throw e;
  }
}

describe('src/values against ansible-core 2.14 (AnsibleLoader, SafeLoader, parse_kv)', () => {
  const want = oracle();
  it('covers every case', () => {
    expect(want).toHaveLength(cases.length);
  });
  cases.forEach((c, i) => {
    it(`${'yaml' in c ? 'yaml' : 'kv' in c ? 'kv' : 'bool'}: ${c.name}`, () => {
      const w = want[i]!;
      const got = philote(c);
      if ('error' in w) {
        // Ansible refuses the input: philote must refuse it too, as a located parse error.
        expect(got, `ansible-core: ${w.error}: ${w.message}`).toHaveProperty('error', 'parse');
        return;
      }
      expect(got).toEqual(expected(w));
    });
  });
});
