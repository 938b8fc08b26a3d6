/**
 * Reads a YAML file the way Ansible does (YAML 1.1: yes/no are booleans, duplicate keys
 * allowed, last wins) into plain JS values, and remembers where every mapping, list and
 * mapping key came from so later errors can point at file:line:column.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node, type Tags } from 'yaml';
import { PhiloteError, type SourceLocation } from '../errors.js';
import { UnsafeText } from '../template/unsafe.js';

const nodeLocations = new WeakMap<object, SourceLocation>();
const keyLocations = new WeakMap<object, Map<string, SourceLocation>>();
const itemLocations = new WeakMap<object, SourceLocation[]>();

/** Where a mapping or list parsed by this module started. */
export function locationOf(value: unknown): SourceLocation | undefined {
  return value !== null && typeof value === 'object' ? nodeLocations.get(value) : undefined;
}

/** Where the key `key` of a parsed mapping was written (falls back to the mapping itself). */
export function keyLocationOf(map: object, key: string): SourceLocation | undefined {
  return keyLocations.get(map)?.get(key) ?? nodeLocations.get(map);
}

/** Where item `index` of a parsed list was written (falls back to the list itself). */
export function itemLocationOf(list: unknown[], index: number): SourceLocation | undefined {
  return itemLocations.get(list)?.[index] ?? nodeLocations.get(list);
}

/** Copies the recorded location of `from` to a new object built from it. */
export function copyLocation<T extends object>(to: T, from: object): T {
  const loc = nodeLocations.get(from);
  if (loc) nodeLocations.set(to, loc);
  const keys = keyLocations.get(from);
  if (keys) keyLocations.set(to, keys);
  return to;
}

export function setLocation(value: object, loc: SourceLocation): void {
  nodeLocations.set(value, loc);
}

class Converter {
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
    private readonly doc: Document,
  ) {}

  loc(node: Node | null | undefined): SourceLocation {
    const offset = node?.range?.[0] ?? 0;
    const p = this.lines.linePos(offset);
    return { file: this.file, line: p.line, column: p.col };
  }

  convert(node: unknown, depth = 0): unknown {
    if (depth > 200) throw new PhiloteError('parse', 'YAML nesting is too deep (recursive alias?)', { location: this.loc(node as Node) });
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.convert(node.resolve(this.doc), depth + 1);
    if (isScalar(node)) {
      if (node.tag === '!vault' || node.tag === '!vault-encrypted') {
        throw new PhiloteError('parse', 'vault-encrypted values (!vault) are not supported by philote yet', { location: this.loc(node), hint: 'decrypt it with ansible-vault decrypt, or pass the value with -e' });
      }
      // Dates stay as written: templating a PyYAML date prints it as 2001-12-14.
      if (node.value instanceof Date) return typeof node.source === 'string' ? node.source : node.value.toISOString().slice(0, 10);
      return node.value === undefined ? null : node.value;
    }
    if (isSeq(node)) {
      const out: unknown[] = [];
      const items: SourceLocation[] = [];
      nodeLocations.set(out, this.loc(node));
      itemLocations.set(out, items);
      for (const item of node.items) {
        items.push(this.loc(item as Node));
        out.push(this.convert(item, depth + 1));
      }
      return out;
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      const keys = new Map<string, SourceLocation>();
      nodeLocations.set(out, this.loc(node));
      keyLocations.set(out, keys);
      const merged: Array<Record<string, unknown>> = [];
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        // PyYAML refuses a mapping or list as a key; here it is nearly always `key: {{ var }}` unquoted.
        if (isMap(keyNode) || isSeq(keyNode)) {
          throw new PhiloteError('parse', `Syntax Error while loading YAML.\n  found unacceptable key (unhashable type: '${isMap(keyNode) ? 'AnsibleMapping' : 'AnsibleSequence'}')`, { location: this.loc(keyNode) });
        }
        const rawKey = isScalar(keyNode) ? keyNode.value : this.convert(keyNode, depth + 1);
        const key = rawKey === null || rawKey === undefined ? 'null' : typeof rawKey === 'object' ? JSON.stringify(rawKey) : String(rawKey);
        if (key === '<<' && !(isScalar(keyNode) && keyNode.type !== 'PLAIN')) {
          // YAML merge key: explicit keys of this mapping win over merged ones.
          const v = this.convert(pair.value, depth + 1);
          for (const m of Array.isArray(v) ? v : [v]) if (m && typeof m === 'object') merged.push(m as Record<string, unknown>);
          continue;
        }
        keys.set(key, this.loc(keyNode));
        out[key] = this.convert(pair.value, depth + 1);
      }
      for (const m of merged) {
        for (const [k, v] of Object.entries(m)) {
          if (!(k in out)) {
            out[k] = v;
            const kl = keyLocations.get(m)?.get(k);
            if (kl) keys.set(k, kl);
          }
        }
      }
      return out;
    }
    // Pairs or unknown node kinds: let the library convert them.
    return (node as { toJS?: (d: Document) => unknown }).toJS?.(this.doc) ?? null;
  }
}

/**
 * The yaml package's 1.1 schema is wider than PyYAML's, which Ansible uses: PyYAML reads
 * y/n/Y/N as strings, and a float needs a dot (and a signed exponent): `1e3` is a string.
 */
const PYYAML_TESTS: Array<[string, string | undefined, RegExp]> = [
  ['tag:yaml.org,2002:bool', 'true', /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/],
  ['tag:yaml.org,2002:bool', 'false', /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/],
  ['tag:yaml.org,2002:float', 'EXP', /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*[eE][-+][0-9]+|\.[0-9_]+[eE][-+][0-9]+)$/],
  ['tag:yaml.org,2002:float', '', /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)$/],
];

/** Ansible's own tags: `!unsafe` text is data, never templated (src/template/unsafe.ts). */
const ANSIBLE_TAGS = [
  { tag: '!unsafe', resolve: (s: string) => new UnsafeText(s) },
  ...['!vault', '!vault-encrypted'].map((tag) => ({ tag, resolve: (s: string) => s })),
];

function pyyamlTags(tags: Tags): Tags {
  return [...ANSIBLE_TAGS, ...tags.map((t) => {
    if (typeof t !== 'object' || !('test' in t) || !t.test) return t;
    for (const [tag, which, test] of PYYAML_TESTS) {
      if (t.tag !== tag) continue;
      if (tag.endsWith(':bool') && t.test.test(which === 'true' ? 'true' : 'false')) return { ...t, test };
      if (tag.endsWith(':float') && which === 'EXP' && t.format === 'EXP') return { ...t, test };
      if (tag.endsWith(':float') && which === '' && !t.format && t.test.test('1.5')) return { ...t, test };
    }
    return t;
  })];
}

/** Parses YAML text; `file` is used for locations only. Returns null for an empty document. */
export function parseYaml(text: string, file: string): unknown {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, version: '1.1', customTags: pyyamlTags, uniqueKeys: false, prettyErrors: false, strict: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const first = list[0];
  if (!first) return null;
  for (const d of list) {
    const err = d.errors[0];
    if (err) {
      const p = lines.linePos(err.pos[0]);
      // A position in a line's indentation means the text after it, as PyYAML reports it.
      const lineText = text.split('\n')[p.line - 1] ?? '';
      const indent = lineText.length - lineText.trimStart().length;
      const column = p.col <= indent && lineText.trim() !== '' ? indent + 1 : p.col;
      throw new PhiloteError('parse', `Syntax Error while loading YAML.\n  ${err.message.split('\n')[0]}`, {
        location: { file, line: p.line, column },
      });
    }
  }
  if (list.length > 1 && list.slice(1).some((d) => d.contents !== null)) {
    const second = list[1]!;
    const p = lines.linePos(second.range[0]);
    throw new PhiloteError('parse', 'expected a single document in the stream, but found another document', {
      location: { file, line: p.line, column: p.col },
    });
  }
  return new Converter(file, lines, first as Document).convert(first.contents);
}

/** Reads and parses a YAML file. Errors name the file. */
export function readYamlFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PhiloteError('parse', `Could not find or access '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  if (text.startsWith('$ANSIBLE_VAULT;')) {
    throw new PhiloteError('parse', `'${file}' is vault-encrypted; vault is not supported by philote yet`, { location: { file, line: 1, column: 1 } });
  }
  return parseYaml(text, file);
}
