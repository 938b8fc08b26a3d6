/**
 * Waiting for objects, as kubernetes.core's waiter.py: readiness predicates for Deployment,
 * DaemonSet, StatefulSet and Pod, a custom condition (type, status, reason), existence and
 * absence; polled every `sleep` seconds until `timeout` seconds have passed.
 */
import type { KubeObject } from './client.js';
import { boolean } from '../../../values/booleans.js';

export interface WaitCondition {
  type?: string;
  /** true/false/"True"/"False"/"Unknown"; default true. */
  status?: boolean | string;
  reason?: string;
}

export type Predicate = (obj: KubeObject | undefined) => boolean;

const st = (o: KubeObject) => (o['status'] ?? {}) as Record<string, any>;
const sp = (o: KubeObject) => (o['spec'] ?? {}) as Record<string, any>;

export function deploymentReady(d: KubeObject): boolean {
  const s = d['status'] as Record<string, any> | undefined;
  return Boolean(
    s &&
      Object.keys(s).length &&
      (sp(d)['replicas'] ?? 1) === (s['replicas'] ?? 0) &&
      s['availableReplicas'] === s['replicas'] &&
      s['observedGeneration'] === d.metadata?.['generation'] &&
      !s['unavailableReplicas'],
  );
}

export function daemonSetReady(d: KubeObject): boolean {
  const s = st(d);
  return Boolean(
    d['status'] &&
      s['desiredNumberScheduled'] !== undefined &&
      s['desiredNumberScheduled'] !== null &&
      s['updatedNumberScheduled'] === s['desiredNumberScheduled'] &&
      s['numberReady'] === s['desiredNumberScheduled'] &&
      s['observedGeneration'] === d.metadata?.['generation'],
  );
}

export function statefulSetReady(o: KubeObject): boolean {
  const s = st(o);
  const want = sp(o)['replicas'] ?? 1;
  return Boolean(
    o['status'] &&
      (sp(o)['updateStrategy']?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
      s['observedGeneration'] === (o.metadata?.['generation'] ?? 0) &&
      s['updateRevision'] === s['currentRevision'] &&
      (s['updatedReplicas'] ?? 0) === want &&
      (s['readyReplicas'] ?? 0) === want &&
      s['replicas'] === want,
  );
}

export function podReady(p: KubeObject): boolean {
  const cs = st(p)['containerStatuses'] as Array<{ ready?: boolean }> | undefined;
  return Boolean(p['status'] && Array.isArray(cs) && cs.every((c) => c.ready));
}


export function conditionMet(cond: WaitCondition, o: KubeObject): boolean {
  const conditions = st(o)['conditions'] as Array<{ type?: string; status?: string; reason?: string }> | undefined;
  if (!Array.isArray(conditions) || !conditions.length) return false;
  const m = conditions.find((c) => c.type === cond.type);
  if (!m) return false;
  const want = cond.status ?? true;
  if (m.status === 'Unknown') return want === 'Unknown' && (!cond.reason || m.reason === cond.reason);
  if (want === 'Unknown') return false;
  if ((m.status === 'True') === boolean(want, false)) return cond.reason ? m.reason === cond.reason : true;
  return false;
}

const isEmptyList = (o: KubeObject) => typeof o.kind === 'string' && o.kind.endsWith('List') && !(o['items'] as unknown[] | undefined)?.length;
export const exists: Predicate = (o) => Boolean(o) && !isEmptyList(o!);
export const absent: Predicate = (o) => !exists(o);

const READY: Record<string, (o: KubeObject) => boolean> = {
  Deployment: deploymentReady,
  DaemonSet: daemonSetReady,
  StatefulSet: statefulSetReady,
  Pod: podReady,
};

/** kubernetes.core's get_waiter: the predicate for a kind, state and optional condition. */
export function predicateFor(kind: string, state: 'present' | 'absent', condition?: WaitCondition): Predicate {
  if (state === 'absent') return absent;
  if (condition?.type) return (o) => Boolean(o) && conditionMet(condition, o!);
  const ready = READY[kind];
  return ready ? (o) => Boolean(o) && ready(o!) : exists;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Poll `get` until `pred` holds or `timeoutS` passed (one look when timeoutS is 0).
 * Returns [success, last value, elapsed whole seconds] like Waiter.wait.
 */
export async function pollUntil<T extends KubeObject | undefined>(
  get: () => Promise<T>,
  pred: (v: T) => boolean,
  timeoutS: number,
  sleepS: number,
  signal?: AbortSignal,
): Promise<[boolean, T, number]> {
  const start = Date.now();
  let last = await get();
  while (!pred(last) && (Date.now() - start) / 1000 < timeoutS && !signal?.aborted) {
    await sleep(Math.max(sleepS, 0.05) * 1000, signal);
    last = await get();
  }
  return [pred(last), last, Math.floor((Date.now() - start) / 1000)];
}
