/**
 * The object store: one map of objects keyed by group/resource/namespace/name, a single
 * resourceVersion counter (like etcd's revision), and a bounded history of changes so a watch
 * can resume from a recent resourceVersion (older ones answer 410 Gone, as a real server does).
 */
import { readFileSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import type { KObject, ResourceType } from './types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface StoreEvent {
  type: WatchEventType;
  key: string; // group|plural
  rv: number;
  object: KObject;
}

const HISTORY = 10_000;
export const rtKey = (rt: { group: string; plural: string }): string => `${rt.group}|${rt.plural}`;
const objKey = (rt: ResourceType, ns: string | undefined, name: string): string => `${rtKey(rt)}|${rt.namespaced ? (ns ?? '') : ''}|${name}`;

export const clone = <T>(v: T): T => structuredClone(v);

export class Store {
  private objects = new Map<string, KObject>();
  private history: StoreEvent[] = [];
  private listeners = new Set<(e: StoreEvent) => void>();
  private revision = 1;
  /** Revision the history starts after (a loaded state has no history before it). */
  private historyStart = 0;
  /** Called after every change (state saving, controller wake-up). */
  onChange: () => void = () => undefined;

  get resourceVersion(): number {
    return this.revision;
  }
  /** Oldest resourceVersion a watch may still resume from. */
  get oldestResumable(): number {
    return this.history[0]?.rv ?? this.revision;
  }

  get(rt: ResourceType, ns: string | undefined, name: string): KObject | undefined {
    const o = this.objects.get(objKey(rt, ns, name));
    return o ? clone(o) : undefined;
  }

  list(rt: ResourceType, ns?: string): KObject[] {
    const prefix = `${rtKey(rt)}|`;
    const out: KObject[] = [];
    for (const [k, o] of this.objects) {
      if (!k.startsWith(prefix)) continue;
      if (rt.namespaced && ns !== undefined && o.metadata.namespace !== ns) continue;
      out.push(clone(o));
    }
    return out.sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
  }

  /** Writes obj (stamping a fresh resourceVersion) and returns the stored copy. */
  put(rt: ResourceType, obj: KObject): KObject {
    const key = objKey(rt, obj.metadata.namespace, obj.metadata.name ?? '');
    const existed = this.objects.has(key);
    const rv = ++this.revision;
    const stored = clone(obj);
    stored.metadata.resourceVersion = String(rv);
    this.objects.set(key, stored);
    this.emit({ type: existed ? 'MODIFIED' : 'ADDED', key: rtKey(rt), rv, object: clone(stored) });
    return clone(stored);
  }

  remove(rt: ResourceType, ns: string | undefined, name: string): KObject | undefined {
    const key = objKey(rt, ns, name);
    const o = this.objects.get(key);
    if (!o) return undefined;
    this.objects.delete(key);
    const rv = ++this.revision;
    const gone = clone(o);
    gone.metadata.resourceVersion = String(rv);
    this.emit({ type: 'DELETED', key: rtKey(rt), rv, object: clone(gone) });
    return gone;
  }

  /** Every object of a group/plural regardless of version (used when a CRD goes away). */
  dropAll(key: string): void {
    for (const [k, o] of [...this.objects]) {
      if (!k.startsWith(`${key}|`)) continue;
      this.objects.delete(k);
      const rv = ++this.revision;
      this.emit({ type: 'DELETED', key, rv, object: { ...clone(o), metadata: { ...clone(o.metadata), resourceVersion: String(rv) } } });
    }
  }

  /** Events after rv for key, or undefined when rv is too old to resume (410 Gone). */
  since(key: string, rv: number): StoreEvent[] | undefined {
    if (rv < this.historyStart || (rv < this.oldestResumable - 1 && this.history.length >= HISTORY)) return undefined;
    return this.history.filter((e) => e.key === key && e.rv > rv).map((e) => ({ ...e, object: clone(e.object) }));
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    for (const l of this.listeners) l(e);
    this.onChange();
  }

  save(file: string): void {
    const data = { revision: this.revision, objects: [...this.objects.entries()] };
    writeFileSync(`${file}.tmp`, JSON.stringify(data));
    renameSync(`${file}.tmp`, file);
  }

  /** Loads a saved state; true when the file existed. */
  load(file: string): boolean {
    if (!existsSync(file)) return false;
    const data = JSON.parse(readFileSync(file, 'utf8')) as { revision: number; objects: Array<[string, KObject]> };
    this.objects = new Map(data.objects);
    this.revision = data.revision;
    this.history = [];
    this.historyStart = data.revision;
    return true;
  }
}
