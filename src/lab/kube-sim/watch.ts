/**
 * ?watch=1 streams: one JSON watch event per line, chunked. Without a resourceVersion (or "0")
 * the current objects come first as ADDED events; with one, the store's history replays what
 * happened since (410 Expired as an ERROR event when it is too old). An object that stops
 * matching the selectors is reported DELETED, one that starts matching ADDED, as the real
 * watch cache does. Bookmarks are sent every few seconds when allowed.
 */
import type { ServerResponse } from 'node:http';
import type { Api } from './api.js';
import { gone } from './errors.js';
import { rtKey, type StoreEvent } from './store.js';
import type { KObject, ResourceType } from './types.js';

export interface WatchRequest {
  rt: ResourceType;
  ns?: string;
  match: (o: KObject) => boolean;
  resourceVersion?: string;
  timeoutSeconds?: number;
  bookmarks: boolean;
  sendInitialEvents: boolean;
}

export function serveWatch(api: Api, w: WatchRequest, res: ServerResponse, onClose: (fn: () => void) => void): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders(); // clients wait for the headers before the first event
  const key = rtKey(w.rt);
  const inScope = (o: KObject): boolean => !w.rt.namespaced || w.ns === undefined || o.metadata.namespace === w.ns;
  const visible = new Set<string>();
  const id = (o: KObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const send = (type: string, object: unknown): void => {
    res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const handle = (e: StoreEvent): void => {
    if (e.key !== key || !inScope(e.object)) return;
    const o = api.present(w.rt, e.object);
    const was = visible.has(id(o));
    const is = e.type !== 'DELETED' && w.match(o);
    if (e.type === 'DELETED') {
      if (was || w.match(o)) send('DELETED', o);
      visible.delete(id(o));
    } else if (is) {
      send(was ? 'MODIFIED' : 'ADDED', o);
      visible.add(id(o));
    } else if (was) {
      send('DELETED', o);
      visible.delete(id(o));
    }
  };
  const bookmark = (initialEnd = false): void =>
    send('BOOKMARK', {
      kind: w.rt.kind,
      apiVersion: w.rt.group ? `${w.rt.group}/${w.rt.version}` : w.rt.version,
      metadata: { resourceVersion: String(api.store.resourceVersion), ...(initialEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) },
    });

  const rv = w.resourceVersion;
  if (!rv || rv === '0' || w.sendInitialEvents) {
    for (const o of api.store.list(w.rt, w.ns)) {
      if (!w.match(api.present(w.rt, o))) continue;
      visible.add(id(o));
      send('ADDED', api.present(w.rt, o));
    }
    if (w.sendInitialEvents && w.bookmarks) bookmark(true);
  } else {
    const events = api.store.since(key, Number(rv));
    if (!events) {
      send('ERROR', gone(`too old resource version: ${rv} (${api.store.oldestResumable})`).toStatus());
      res.end();
      return;
    }
    // Objects that matched at rv count as visible so later changes are MODIFIED/DELETED.
    for (const o of api.store.list(w.rt, w.ns)) if (Number(o.metadata.resourceVersion) <= Number(rv) && w.match(o)) visible.add(id(o));
    for (const e of events) handle(e);
  }
  const unsubscribe = api.store.subscribe(handle);
  const timers: NodeJS.Timeout[] = [];
  if (w.bookmarks) timers.push(setInterval(() => bookmark(), 5000));
  const stop = (): void => {
    unsubscribe();
    for (const t of timers) clearInterval(t);
    clearTimeout(timeout);
    if (!res.writableEnded) res.end();
  };
  const timeout = setTimeout(stop, Math.max(1, w.timeoutSeconds ?? 1800) * 1000);
  res.on('close', stop);
  onClose(stop);
}
