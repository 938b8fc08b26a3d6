/**
 * Resource definitions from a k8s task's inputs, as kubernetes.core's resource.py:
 * `definition` (dict, list of dicts/strings, or a multi-document YAML string), the text of
 * `src` or `template` (already read/rendered by the caller), then module parameters fill in
 * what the definition leaves out (kind, apiVersion, metadata.name/namespace/generateName),
 * and `*List` kinds are replaced by their items.
 */
import { parseAllDocuments } from 'yaml';
import { PhiloteError } from '../../../errors.js';
import type { KubeObject } from './client.js';

export interface DefinitionParams {
  kind?: string;
  api_version?: string;
  name?: string;
  namespace?: string;
  generate_name?: string;
}

/**
 * Every non-empty document of a YAML string (empty documents are skipped, as yaml.safe_load_all + filter).
 * Manifests are read as YAML 1.2 by the `yaml` package, not by src/values/yaml.ts: they are
 * Kubernetes objects, and timestamps must stay the ISO text the API server expects. Known
 * difference: kubernetes.core reads them with PyYAML (YAML 1.1), where an unquoted on/off/yes/no
 * is a boolean and 0755 is 493; quote such values in a manifest.
 */
export function parseYamlDocuments(text: string, origin = 'definition'): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new PhiloteError('module-args', `Failed to load resource definition: ${origin}: ${doc.errors[0]!.message}`);
    const v = doc.toJS({ maxAliasCount: 1000 }) as unknown;
    if (v === null || v === undefined || v === '') continue;
    if (typeof v !== 'object' || Array.isArray(v)) throw new PhiloteError('module-args', `Failed to load resource definition: ${origin}: each YAML document must be a mapping`);
    out.push(v as KubeObject);
  }
  return out;
}

/** definition: dict | list of (dict | YAML string) | YAML string. */
export function fromDefinition(def: unknown): KubeObject[] {
  if (def === undefined || def === null) return [];
  if (typeof def === 'string') return parseYamlDocuments(def);
  if (Array.isArray(def)) {
    const out: KubeObject[] = [];
    for (const item of def) {
      if (typeof item === 'string') out.push(...parseYamlDocuments(item));
      else if (item && typeof item === 'object') out.push(structuredClone(item) as KubeObject);
    }
    return out;
  }
  if (typeof def === 'object') return Object.keys(def).length ? [structuredClone(def) as KubeObject] : [];
  throw new PhiloteError('module-args', `Failed to load resource definition: expected a dict, a list or a YAML string, got ${typeof def}`);
}

/** Module parameters fill in what a definition leaves out; the definition wins. */
export function mergeParams(def: KubeObject, p: DefinitionParams): KubeObject {
  if (def.kind === undefined || def.kind === null) def.kind = p.kind;
  if (def.apiVersion === undefined || def.apiVersion === null) def.apiVersion = p.api_version;
  const md = (def.metadata ??= {});
  if (p.namespace && !md.namespace) md.namespace = p.namespace;
  if (p.name && !md.name) md.name = p.name;
  if (p.generate_name && !md.generateName) md.generateName = p.generate_name;
  return def;
}

/** The definitions a task acts on, with `*List` kinds flattened. No input: one definition from the parameters alone. */
export function buildDefinitions(docs: KubeObject[] | undefined, p: DefinitionParams): KubeObject[] {
  const base = docs && docs.length ? docs : docs ? [] : [{}];
  const out: KubeObject[] = [];
  for (const d of base) {
    mergeParams(d, p);
    const kind = d.kind;
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(d['items'])) {
      for (const item of d['items'] as KubeObject[]) {
        if (item.kind === undefined) item.kind = kind.slice(0, -4);
        if (item.apiVersion === undefined) item.apiVersion = d.apiVersion;
        out.push(mergeParams(item, p));
      }
    } else out.push(d);
  }
  return out;
}
