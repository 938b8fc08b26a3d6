/**
 * k3s_config (philote): set or remove keys in K3s's config file, YAML-aware: other keys,
 * comments and order are kept (yaml's Document API). Read (one exec), edit here, write only
 * when the text changes (second exec). Notify a handler to restart k3s.
 *
 * Arguments:
 * - path: the file (default /etc/rancher/k3s/config.yaml; created when missing).  `path: /etc/rancher/k3s/config.yaml.d/10-cni.yaml`
 * - set: keys to set, any YAML value.               `set: {flannel-backend: none, disable-network-policy: true}`
 * - remove: keys to delete.                         `remove: [flannel-backend]`
 * - append: list keys to which values are added when missing (e.g. `disable`).  `append: {disable: [traefik]}`
 * - discard: values to drop from list keys.         `discard: {disable: [servicelb]}`
 * - settings + state (present | absent): the form of the playbooks' Ansible twin
 *   (playbooks/library/k3s_config.py): present sets every key, absent deletes every key given.
 *   `settings: "{{ calico_flags }}"` `state: absent`
 * - mode / owner / group / backup: as copy (mode defaults to 0600 for a new file).
 *
 * Returns: changed, msg, keys (the keys set or deleted, as the twin), config (the resulting mapping),
 * backup (path or ''), diff (before/after text).
 * Check mode reports the change and writes nothing. Bad argument: a key both in set and remove.
 */
// K3s's config.yaml is read by K3s (Go, YAML 1.2), not by Ansible: the `yaml` package, not src/values/yaml.ts.
import { parseDocument, isMap, isSeq, type Document } from 'yaml';
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { bool, strList } from './args.js';
import { attrFields } from './attrs.js';
import { finishEdit, readRemoteText } from './edit.js';
import { argError } from './script.js';

const listMap = z.record(z.string(), z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(z.unknown())));
const schema = z
  .object({
    path: z.string().default('/etc/rancher/k3s/config.yaml'),
    set: z.record(z.string(), z.unknown()).default({}),
    remove: strList.default([]),
    append: listMap.default({}),
    discard: listMap.default({}),
    settings: z.record(z.string(), z.unknown()).optional(),
    state: z.enum(['present', 'absent']).default('present'),
    backup: bool.default(false),
    ...attrFields,
  })
  .strict();
type Args = z.infer<typeof schema>;

function edit(doc: Document, a: Args): void {
  if (doc.contents === null || doc.contents === undefined || !isMap(doc.contents)) {
    if (doc.contents && !isMap(doc.contents)) throw argError('k3s_config: the file does not hold a YAML mapping');
    doc.contents = doc.createNode({}) as typeof doc.contents;
  }
  for (const [k, v] of Object.entries(a.set)) {
    const cur = doc.get(k);
    const curJs = cur && typeof cur === 'object' && 'toJSON' in cur ? (cur as { toJSON(): unknown }).toJSON() : cur;
    if (JSON.stringify(curJs) !== JSON.stringify(v)) doc.set(k, v);
  }
  for (const k of a.remove) if (doc.has(k)) doc.delete(k);
  for (const [k, vals] of Object.entries(a.append)) {
    let seq = doc.get(k);
    if (seq === undefined || seq === null) {
      doc.set(k, doc.createNode([]));
      seq = doc.get(k);
    } else if (!isSeq(seq)) {
      doc.set(k, doc.createNode([typeof seq === 'object' && seq && 'toJSON' in seq ? (seq as { toJSON(): unknown }).toJSON() : seq]));
      seq = doc.get(k);
    }
    const s = seq as ReturnType<Document['createNode']> & { items: unknown[]; add(v: unknown): void; toJSON(): unknown[] };
    for (const v of vals) if (!s.toJSON().some((x: unknown) => JSON.stringify(x) === JSON.stringify(v))) s.add(doc.createNode(v));
  }
  for (const [k, vals] of Object.entries(a.discard)) {
    const seq = doc.get(k);
    if (!isSeq(seq)) continue;
    seq.items = seq.items.filter((it) => {
      const js = it && typeof it === 'object' && 'toJSON' in it ? (it as { toJSON(): unknown }).toJSON() : it;
      return !vals.some((v) => JSON.stringify(v) === JSON.stringify(js));
    });
  }
}

/** The twin's `settings` + `state` folded into set / remove. */
function withSettings(a: Args): Args {
  if (!a.settings) return a;
  if (a.state === 'present') return { ...a, set: { ...a.set, ...a.settings } };
  return { ...a, remove: [...a.remove, ...Object.keys(a.settings)] };
}

/** The keys the edit sets to a new value or deletes, in argument order (the twin's `keys`). */
function changedKeys(doc: Document, a: Args): string[] {
  const current = (k: string): unknown => {
    const v = doc.get(k);
    return v && typeof v === 'object' && 'toJSON' in v ? (v as { toJSON(): unknown }).toJSON() : v;
  };
  const has = (k: string) => isMap(doc.contents) && doc.has(k);
  const set = Object.entries(a.set).filter(([k, v]) => !has(k) || JSON.stringify(current(k)) !== JSON.stringify(v)).map(([k]) => k);
  return [...set, ...a.remove.filter(has)];
}

export const k3sConfigModule: ModuleDefinition<Args> = {
  name: 'k3s_config',
  aliases: ['philote.k3s_config', 'philote.node.k3s_config'],
  runsOn: 'node',
  schema,
  async run(ctx) {
    const a = withSettings(ctx.args);
    const both = a.remove.find((k) => k in a.set);
    if (both) throw argError(`k3s_config: key '${both}' is both in set and in remove`);
    const cur = await readRemoteText(ctx, a.path);
    if (cur.isdir) return { failed: true, msg: `${a.path} is a directory` };
    const doc = parseDocument(cur.text);
    if (doc.errors.length) return { failed: true, msg: `${a.path} is not valid YAML: ${doc.errors[0]!.message}` };
    const keys = changedKeys(doc, a);
    edit(doc, a);
    let after = doc.contents && isMap(doc.contents) && doc.contents.items.length === 0 && !cur.text.trim() ? '' : doc.toString();
    if (cur.text === '' && after === '{}\n') after = '';
    const changed = after !== cur.text && !(cur.text.trim() === '' && after.trim() === '');
    const mode = a.mode ?? (cur.exists ? undefined : '0600');
    const res = await finishEdit(ctx, {
      path: a.path,
      before: cur,
      after,
      changed,
      msg: changed ? 'config updated' : 'config unchanged',
      attrs: { mode, owner: a.owner, group: a.group },
      backup: a.backup,
      makeParents: true,
      extra: { keys, config: (doc.toJSON() as unknown) ?? {} },
    });
    if (ctx.diffMode && Array.isArray(res.diff)) res.diff = res.diff[0];
    return res;
  },
};
