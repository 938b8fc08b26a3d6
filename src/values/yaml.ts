/**
 * THE YAML loader: every file Ansible reads (playbooks, task files, roles' defaults/vars,
 * vars_files, include_vars, group_vars/host_vars, YAML inventories, -e @file) and the
 * from_yaml/from_yaml_all filters go through here, so they all agree with ansible-core 2.14:
 * - scalars follow PyYAML's YAML 1.1 rules (see yaml-scalars.ts): `off` is false, `0755` is 493;
 * - merge keys `<<` as PyYAML flattens them (the first merged mapping wins, explicit keys win
 *   over merged ones, merged keys come first in key order);
 * - duplicate keys: the last one wins; the 'ansible' dialect warns (or fails, or says nothing, as
 *   DUPLICATE_YAML_DICT_KEY says) as AnsibleConstructor does;
 * - the 'ansible' dialect (AnsibleLoader) knows `!unsafe` (values boxed/marked with
 *   src/template/unsafe.ts, never templated) and `!vault` (handed to vault-hook.ts); the 'safe'
 *   dialect (PyYAML's SafeLoader, used by from_yaml) refuses them as unknown tags;
 * - every mapping, list and key remembers where it was written (yaml-positions.ts).
 * The `yaml` package does the syntax (it reads the text with the failsafe schema, so every scalar
 * arrives as text); this file decides what each node means, as PyYAML's constructor does.
 *
 * Not for Kubernetes manifests: those follow YAML 1.2 as kubectl reads them (src/modules/k8s,
 * k3s_config keep their own `yaml` package calls on purpose).
 */
import { pythonJsonError } from './python-json.js';
import { libyamlProblem } from './yaml-problems.js';
import { readFileSync } from 'node:fs';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node, type Scalar } from 'yaml';
import { PhiloteError, type SourceLocation } from '../errors.js';
import { PyFloat, pyStr } from '../template/runtime/values.js';
import { UnsafeText, wrapUnsafeFresh } from '../template/unsafe.js';
import { constructBool, constructFloat, constructInt, constructTimestamp, resolvePlain, ScalarError, TAG } from './yaml-scalars.js';
import { keyLocationsOf, setItemLocations, setKeyLocations, setLocation, setValueLocations } from './yaml-positions.js';
import { vaultHook } from './vault-hook.js';

export { copyLocation, itemLocationOf, keyLocationOf, locationOf, setLocation, setValueLocations, valueLocationOf } from './yaml-positions.js';
export { setVaultHook, vaultFileMessage, type VaultHook } from './vault-hook.js';

/** 'ansible': ansible-core's AnsibleLoader (files). 'safe': PyYAML's SafeLoader (from_yaml). */
export type YamlDialect = 'ansible' | 'safe';

export interface YamlOptions {
  dialect?: YamlDialect;
  /** Keep whole-number floats as PyFloat (template values, where 1.0 must print as 1.0). */
  keepFloat?: boolean;
  /** Receives Ansible's warnings (duplicate keys); defaults to the handler set below. */
  onWarning?: (message: string) => void;
  /** DUPLICATE_YAML_DICT_KEY for the 'ansible' dialect; defaults to the setting below ('warn'). */
  duplicateKeys?: DuplicateKeys;
}

export type DuplicateKeys = 'warn' | 'error' | 'ignore';

let defaultDuplicateKeys: DuplicateKeys = 'warn';

/** The configured DUPLICATE_YAML_DICT_KEY ([defaults] duplicate_dict_key) for every later load. */
export function setYamlDuplicateKeys(mode: DuplicateKeys): void {
  defaultDuplicateKeys = mode;
}

let defaultWarning = (message: string): void => {
  process.stderr.write(`[WARNING]: ${message}\n`);
};

/** Where the loader's warnings go when a caller gives no `onWarning` (the CLI sets its display). */
export function setYamlWarningHandler(handler: (message: string) => void): void {
  defaultWarning = handler;
}

/** A constructed map key as philote's (string-keyed) objects hold it: as Ansible's JSON shows it. */
function keyText(key: unknown): string {
  if (key instanceof UnsafeText) return key.text;
  if (typeof key === 'string') return key;
  if (key === null || key === undefined) return 'null';
  if (typeof key === 'boolean') return key ? 'true' : 'false';
  if (typeof key === 'number' || key instanceof PyFloat) return pyStr(key);
  return String(key);
}

/** What Python's str() prints for a key, for the duplicate-key warning. */
function pythonKeyText(key: unknown): string {
  if (typeof key === 'boolean') return key ? 'True' : 'False';
  if (key === null || key === undefined) return 'None';
  return keyText(key);
}

class Converter {
  private readonly dialect: YamlDialect;
  private readonly keepFloat: boolean;
  private readonly warn: (message: string) => void;
  private readonly duplicateKeys: DuplicateKeys;

  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
    private readonly doc: Document,
    opts: YamlOptions,
  ) {
    this.dialect = opts.dialect ?? 'ansible';
    this.keepFloat = opts.keepFloat ?? true;
    this.warn = opts.onWarning ?? defaultWarning;
    this.duplicateKeys = opts.duplicateKeys ?? defaultDuplicateKeys;
  }

  loc(node: Node | null | undefined): SourceLocation {
    const offset = node?.range?.[0] ?? 0;
    const p = this.lines.linePos(offset);
    return { file: this.file, line: p.line, column: p.col };
  }

  fail(message: string, node: Node | null | undefined): never {
    throw new PhiloteError('parse', message, { location: this.loc(node) });
  }

  convert(node: unknown, depth = 0): unknown {
    if (depth > 200) this.fail('YAML nesting is too deep (recursive alias?)', node as Node);
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      // libyaml's composer refuses an alias without an anchor before it (the yaml package gives undefined).
      if (target === undefined) this.fail('Syntax Error while loading YAML.\n  found undefined alias', node);
      return this.convert(target, depth + 1);
    }
    const tag = (node as Node).tag;
    if (this.dialect === 'ansible' && tag === '!unsafe') return this.unsafe(node as Node, depth);
    if (this.dialect === 'ansible' && (tag === '!vault' || tag === '!vault-encrypted')) {
      if (!isScalar(node)) this.fail(`expected a scalar node for ${tag}`, node as Node);
      return vaultHook().decryptTag(String(node.value ?? ''), this.loc(node));
    }
    if (isScalar(node)) return this.scalar(node);
    if (tag !== undefined && tag !== '!' && ![TAG + 'seq', TAG + 'map', TAG + 'set', TAG + 'omap', TAG + 'pairs'].includes(tag)) {
      this.fail(`could not determine a constructor for the tag '${tag}'`, node as Node);
    }
    if (isSeq(node)) return this.seq(node.items as Node[], node, depth);
    if (isMap(node)) return this.map(node.items as Array<{ key: unknown; value: unknown }>, node, depth);
    return null;
  }

  scalar(node: Scalar): unknown {
    const text = node.value === null || node.value === undefined ? '' : String(node.value);
    let tag = node.tag;
    // PyYAML resolves a plain scalar, and any scalar with the non-specific `!` tag, by its text.
    if (tag === '!') tag = resolvePlain(text);
    else if (tag === undefined) tag = node.type === 'PLAIN' ? resolvePlain(text) : TAG + 'str';
    try {
      switch (tag) {
        case TAG + 'str':
          return text;
        case TAG + 'null':
          return null;
        case TAG + 'bool':
          return constructBool(text);
        case TAG + 'int':
          return constructInt(text);
        case TAG + 'float':
          return constructFloat(text, this.keepFloat);
        case TAG + 'timestamp':
          return constructTimestamp(text);
        case TAG + 'binary':
          return Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
        default:
          return this.fail(`could not determine a constructor for the tag '${tag}'`, node);
      }
    } catch (e) {
      if (e instanceof ScalarError) this.fail(e.message, node);
      throw e;
    }
  }

  seq(items: Node[], node: Node, depth: number): unknown[] {
    const out: unknown[] = [];
    const locs: SourceLocation[] = [];
    setLocation(out, this.loc(node));
    setItemLocations(out, locs);
    for (const item of items) {
      locs.push(this.loc(item));
      out.push(this.convert(item, depth + 1));
    }
    return out;
  }

  /** A mapping key as PyYAML constructs it (mappings and lists cannot be keys). */
  key(keyNode: Node | null, depth: number): unknown {
    const target = isAlias(keyNode) ? keyNode.resolve(this.doc) : keyNode;
    if (isMap(target) || isSeq(target)) {
      const type = this.dialect === 'ansible' ? (isMap(target) ? 'AnsibleMapping' : 'AnsibleSequence') : isMap(target) ? 'dict' : 'list';
      this.fail(`Syntax Error while loading YAML.\n  found unacceptable key (unhashable type: '${type}')`, keyNode);
    }
    return this.convert(keyNode, depth + 1);
  }

  isMergeKey(keyNode: unknown): boolean {
    return isScalar(keyNode) && keyNode.type === 'PLAIN' && keyNode.tag === undefined && keyNode.value === '<<';
  }

  map(pairs: Array<{ key: unknown; value: unknown }>, node: Node, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const keys = new Map<string, SourceLocation>();
    const values = new Map<string, SourceLocation>();
    const where = this.loc(node);
    setLocation(out, where);
    setKeyLocations(out, keys);
    setValueLocations(out, values);
    // PyYAML's flatten_mapping: merged pairs (last merged mapping first) come before explicit ones.
    const flat: Array<[unknown, unknown, SourceLocation | undefined]> = [];
    const explicit: Array<[unknown, unknown, SourceLocation | undefined]> = [];
    for (const pair of pairs) {
      const keyNode = pair.key as Node | null;
      if (this.isMergeKey(keyNode)) {
        const valueNode = isAlias(pair.value) ? (pair.value.resolve(this.doc) as Node) : (pair.value as Node);
        const sources = isMap(valueNode) ? [valueNode] : isSeq(valueNode) ? (valueNode.items as Node[]) : undefined;
        if (!sources) this.fail('while constructing a mapping: expected a mapping or list of mappings for merging', valueNode);
        const merged: Array<[unknown, unknown, SourceLocation | undefined]>[] = [];
        for (const src of sources) {
          const target = isAlias(src) ? src.resolve(this.doc) : src;
          if (!isMap(target)) this.fail('while constructing a mapping: expected a mapping for merging', src);
          const m = this.convert(src, depth + 1) as Record<string, unknown>;
          const mk = keyLocationsOf(m);
          merged.push(Object.entries(m).map(([k, v]) => [k, v, mk?.get(k)]));
        }
        for (const entries of merged.reverse()) flat.push(...entries);
        continue;
      }
      explicit.push([this.key(keyNode, depth), pair.value, this.loc(keyNode)]);
    }
    const insert = (rawKey: unknown, value: unknown, keyLoc: SourceLocation | undefined, isNode: boolean) => {
      const key = keyText(rawKey);
      if (Object.prototype.hasOwnProperty.call(out, key) && this.dialect === 'ansible' && this.duplicateKeys !== 'ignore') {
        const msg = `While constructing a mapping from ${where.file}, line ${where.line}, column ${where.column}, found a duplicate dict key (${pythonKeyText(rawKey)}). Using last defined value only.`;
        if (this.duplicateKeys === 'error') throw new PhiloteError('parse', msg, { location: where });
        this.warn(msg);
      }
      if (keyLoc) keys.set(key, keyLoc);
      if (isNode && value) values.set(key, this.loc(value as Node));
      else values.delete(key);
      out[key] = isNode ? this.convert(value, depth + 1) : value;
    };
    for (const [k, v, l] of flat) insert(k, v, l, false);
    for (const [k, v, l] of explicit) insert(k, v, l, true);
    return out;
  }

  /**
   * AnsibleConstructor.construct_yaml_unsafe: the node's own value, wrapped with wrap_var. A
   * tagged scalar is its text, never resolved (`!unsafe 123` is the string "123"). For a list or
   * mapping, PyYAML has not filled the nested lists and mappings yet when wrap_var copies them,
   * so under ansible-core they come out empty: philote gives the same result.
   */
  unsafe(node: Node, depth: number): unknown {
    if (isScalar(node)) return new UnsafeText(node.value === null || node.value === undefined ? '' : String(node.value));
    const shallow = (child: unknown): unknown => {
      const target = isAlias(child) ? child.resolve(this.doc) : child;
      if (isSeq(target)) return [];
      if (isMap(target)) return {};
      return this.convert(child, depth + 1);
    };
    if (isSeq(node)) return wrapUnsafeFresh((node.items as Node[]).map(shallow));
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        if (this.isMergeKey(pair.key)) continue;
        out[keyText(this.key(pair.key as Node, depth))] = shallow(pair.value);
      }
      return wrapUnsafeFresh(out);
    }
    return null;
  }
}

function parseStream(text: string, file: string): { docs: Document[]; lines: LineCounter } {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines, version: '1.1', schema: 'failsafe', uniqueKeys: false, prettyErrors: false, strict: false });
  const docs = (Array.isArray(parsed) ? parsed : [parsed]) as Document[];
  for (const d of docs) {
    const err = d.errors[0];
    if (!err) continue;
    const problem = libyamlProblem(err.code, err.message, err.pos[0], text);
    const p = lines.linePos(problem?.offset ?? err.pos[0]);
    // A position in a line's indentation means the text after it, as PyYAML reports it.
    const lineText = text.split('\n')[p.line - 1] ?? '';
    const indent = lineText.length - lineText.trimStart().length;
    // (libyamlProblem placed its own positions as libyaml does.)
    const column = !problem && p.col <= indent && lineText.trim() !== '' ? indent + 1 : p.col;
    throw new PhiloteError('parse', `Syntax Error while loading YAML.\n  ${problem?.message ?? err.message.split('\n')[0]}`, { location: { file, line: p.line, column } });
  }
  return { docs, lines };
}

function decryptWholeFile(text: string, file: string, opts: YamlOptions): string {
  if ((opts.dialect ?? 'ansible') !== 'ansible' || !text.trimStart().startsWith('$ANSIBLE_VAULT;')) return text;
  return vaultHook().decryptFile(text, { file, line: 1, column: 1 });
}

/**
 * One YAML document (PyYAML's get_single_data): null for an empty stream, an error when the
 * stream holds a second document. `file` is used for locations and warnings only.
 */
export function loadYaml(text: string, file: string, opts: YamlOptions = {}): unknown {
  const plain = decryptWholeFile(text, file, opts);
  const { docs, lines } = parseStream(plain, file);
  const first = docs[0];
  if (!first) return null;
  const second = docs[1];
  if (second) {
    const p = lines.linePos(second.range?.[0] ?? 0);
    throw new PhiloteError('parse', 'expected a single document in the stream, but found another document', { location: { file, line: p.line, column: p.col } });
  }
  return new Converter(file, lines, first, opts).convert(first.contents);
}

/** Every document of a stream (PyYAML's load_all, as from_yaml_all uses it). */
export function loadYamlAll(text: string, file: string, opts: YamlOptions = {}): unknown[] {
  const plain = decryptWholeFile(text, file, opts);
  const { docs, lines } = parseStream(plain, file);
  return docs.map((d) => new Converter(file, lines, d, opts).convert(d.contents));
}

/** Reads and loads a YAML (or JSON) file as Ansible's DataLoader does. Errors name the file. */
export function readYamlFile(file: string, opts: YamlOptions = {}): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PhiloteError('parse', `Could not find or access '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  return loadDataFile(text, file, opts);
}

/**
 * A file's text as ansible-core's DataLoader reads it: JSON first, then YAML; when both fail
 * the error gives both reasons, JSON's in Python's words ("Expecting value: line 1 column 1
 * (char 0)"), which every ansible-core user sees at the top of a YAML syntax error.
 */
export function loadDataFile(text: string, file: string, opts: YamlOptions = {}): unknown {
  try {
    return loadYaml(text, file, opts);
  } catch (e) {
    if (!(e instanceof PhiloteError) || !e.message.startsWith('Syntax Error while loading YAML.')) throw e;
    const jsonError = pythonJsonError(text);
    if (jsonError === undefined) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw e;
      }
    }
    throw new PhiloteError('parse', `We were unable to read either as JSON nor YAML, these are the errors we got from each:\nJSON: ${jsonError}\n\n${e.message}`, {
      ...(e.location ? { location: e.location } : {}),
      cause: e,
    });
  }
}
