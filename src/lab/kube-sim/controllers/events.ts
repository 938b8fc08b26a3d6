/**
 * core/v1 Events the control plane and kubelets would record (Scheduled, Started, Killing,
 * SuccessfulCreate, ScalingReplicaSet, NodeNotReady...), so `kubectl get events` and
 * `kubectl describe` tell the story of a migration. Only the newest MAX are kept.
 */
import type { KObject } from '../types.js';
import { SYS, type Ctx } from './context.js';

const MAX = 400;
let counter = 0;

export function recordEvent(ctx: Ctx, obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string, host?: string): void {
  const evType = ctx.api.registry.find('', 'v1', 'events')!;
  const ns = obj.metadata.namespace ?? 'default';
  const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const name = `${obj.metadata.name}.${(Date.now() * 1000 + (counter++ % 1000)).toString(16)}`;
  ctx.api.create(
    evType,
    ns,
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid, apiVersion: obj.apiVersion, resourceVersion: obj.metadata.resourceVersion },
      reason,
      message,
      source: { component, ...(host ? { host } : {}) },
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: host ?? '',
    },
    SYS,
  );
  // Pruning lists every event: do it once in a while, not on every record.
  if (counter % 50 !== 0) return;
  const all = ctx.api.store.list(evType);
  if (all.length > MAX) {
    for (const e of all.sort((a, b) => String(a['lastTimestamp']).localeCompare(String(b['lastTimestamp']))).slice(0, all.length - MAX)) {
      ctx.api.delete(evType, e.metadata.namespace, e.metadata.name!);
    }
  }
}
