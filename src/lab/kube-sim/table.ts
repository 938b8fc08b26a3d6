/**
 * meta.k8s.io/v1 Table responses for `kubectl get` (it asks with Accept: ...;as=Table).
 * The columns follow kubectl's usual output for the kinds the migrations look at; any other
 * kind gets NAME and AGE, as a real server does for custom resources without printer columns.
 */
import type { KObject, ResourceType } from './types.js';

type Col = { name: string; type: string; format?: string; priority?: number; fn: (o: KObject) => string | number };
const S = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

export function age(ts: string | undefined): string {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 3600 * 2) return `${Math.floor(s / 60)}m`;
  if (s < 86400 * 2) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

const NAME: Col = { name: 'Name', type: 'string', format: 'name', fn: (o) => o.metadata.name ?? '' };
const AGE: Col = { name: 'Age', type: 'string', fn: (o) => age(o.metadata.creationTimestamp) };

function podReady(o: KObject): string {
  const cs = (S(o['status']).containerStatuses ?? []) as Array<{ ready: boolean }>;
  const total = ((S(o['spec']).containers ?? []) as unknown[]).length;
  return `${cs.filter((c) => c.ready).length}/${total}`;
}
function podStatus(o: KObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  if (S(o['status']).phase === 'Pending' && S(o['spec']).nodeName) return 'ContainerCreating';
  return String(S(o['status']).phase ?? 'Pending');
}
function nodeStatus(o: KObject): string {
  const ready = ((S(o['status']).conditions ?? []) as Array<{ type: string; status: string }>).find((c) => c.type === 'Ready');
  const s = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
  return S(o['spec']).unschedulable ? `${s},SchedulingDisabled` : s;
}
function roles(o: KObject): string {
  const r = Object.keys(o.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice('node-role.kubernetes.io/'.length));
  return r.length ? r.sort().join(',') : '<none>';
}
const addr = (o: KObject, t: string): string => ((S(o['status']).addresses ?? []) as Array<{ type: string; address: string }>).find((a) => a.type === t)?.address ?? '<none>';

const COLUMNS: Record<string, Col[]> = {
  Pod: [
    NAME,
    { name: 'Ready', type: 'string', fn: podReady },
    { name: 'Status', type: 'string', fn: podStatus },
    { name: 'Restarts', type: 'string', fn: (o) => String(((S(o['status']).containerStatuses ?? []) as Array<{ restartCount?: number }>).reduce((a, c) => a + (c.restartCount ?? 0), 0)) },
    AGE,
    { name: 'IP', type: 'string', priority: 1, fn: (o) => String(S(o['status']).podIP ?? '<none>') },
    { name: 'Node', type: 'string', priority: 1, fn: (o) => String(S(o['spec']).nodeName ?? '<none>') },
    { name: 'Nominated Node', type: 'string', priority: 1, fn: () => '<none>' },
    { name: 'Readiness Gates', type: 'string', priority: 1, fn: () => '<none>' },
  ],
  Node: [
    NAME,
    { name: 'Status', type: 'string', fn: nodeStatus },
    { name: 'Roles', type: 'string', fn: roles },
    AGE,
    { name: 'Version', type: 'string', fn: (o) => String(S(S(o['status']).nodeInfo).kubeletVersion ?? '') },
    { name: 'Internal-IP', type: 'string', priority: 1, fn: (o) => addr(o, 'InternalIP') },
    { name: 'External-IP', type: 'string', priority: 1, fn: (o) => addr(o, 'ExternalIP') },
    { name: 'OS-Image', type: 'string', priority: 1, fn: (o) => String(S(S(o['status']).nodeInfo).osImage ?? '') },
    { name: 'Kernel-Version', type: 'string', priority: 1, fn: (o) => String(S(S(o['status']).nodeInfo).kernelVersion ?? '') },
    { name: 'Container-Runtime', type: 'string', priority: 1, fn: (o) => String(S(S(o['status']).nodeInfo).containerRuntimeVersion ?? '') },
  ],
  Deployment: [
    NAME,
    { name: 'Ready', type: 'string', fn: (o) => `${S(o['status']).readyReplicas ?? 0}/${S(o['spec']).replicas ?? 0}` },
    { name: 'Up-to-date', type: 'integer', fn: (o) => Number(S(o['status']).updatedReplicas ?? 0) },
    { name: 'Available', type: 'integer', fn: (o) => Number(S(o['status']).availableReplicas ?? 0) },
    AGE,
  ],
  DaemonSet: [
    NAME,
    { name: 'Desired', type: 'integer', fn: (o) => Number(S(o['status']).desiredNumberScheduled ?? 0) },
    { name: 'Current', type: 'integer', fn: (o) => Number(S(o['status']).currentNumberScheduled ?? 0) },
    { name: 'Ready', type: 'integer', fn: (o) => Number(S(o['status']).numberReady ?? 0) },
    { name: 'Up-to-date', type: 'integer', fn: (o) => Number(S(o['status']).updatedNumberScheduled ?? 0) },
    { name: 'Available', type: 'integer', fn: (o) => Number(S(o['status']).numberAvailable ?? 0) },
    AGE,
  ],
  Namespace: [NAME, { name: 'Status', type: 'string', fn: (o) => String(S(o['status']).phase ?? 'Active') }, AGE],
  PodDisruptionBudget: [
    NAME,
    { name: 'Min Available', type: 'string', fn: (o) => String(S(o['spec']).minAvailable ?? 'N/A') },
    { name: 'Max Unavailable', type: 'string', fn: (o) => String(S(o['spec']).maxUnavailable ?? 'N/A') },
    { name: 'Allowed Disruptions', type: 'integer', fn: (o) => Number(S(o['status']).disruptionsAllowed ?? 0) },
    AGE,
  ],
  Service: [
    NAME,
    { name: 'Type', type: 'string', fn: (o) => String(S(o['spec']).type ?? 'ClusterIP') },
    { name: 'Cluster-IP', type: 'string', fn: (o) => String(S(o['spec']).clusterIP ?? '<none>') },
    { name: 'External-IP', type: 'string', fn: () => '<none>' },
    { name: 'Port(s)', type: 'string', fn: (o) => ((S(o['spec']).ports ?? []) as Array<{ port: number; nodePort?: number; protocol?: string }>).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',') || '<none>' },
    AGE,
  ],
  Endpoints: [
    NAME,
    {
      name: 'Endpoints',
      type: 'string',
      fn: (o) => {
        const eps = ((o['subsets'] ?? []) as Array<{ addresses?: Array<{ ip: string }>; ports?: Array<{ port: number }> }>).flatMap((s) => (s.addresses ?? []).flatMap((a) => (s.ports?.length ? s.ports.map((p) => `${a.ip}:${p.port}`) : [a.ip])));
        return eps.length ? eps.slice(0, 3).join(',') + (eps.length > 3 ? ` + ${eps.length - 3} more...` : '') : '<none>';
      },
    },
    AGE,
  ],
  ReplicaSet: [
    NAME,
    { name: 'Desired', type: 'integer', fn: (o) => Number(S(o['spec']).replicas ?? 0) },
    { name: 'Current', type: 'integer', fn: (o) => Number(S(o['status']).replicas ?? 0) },
    { name: 'Ready', type: 'integer', fn: (o) => Number(S(o['status']).readyReplicas ?? 0) },
    AGE,
  ],
  StatefulSet: [NAME, { name: 'Ready', type: 'string', fn: (o) => `${S(o['status']).readyReplicas ?? 0}/${S(o['spec']).replicas ?? 0}` }, AGE],
  CustomResourceDefinition: [NAME, { name: 'Created At', type: 'date', fn: (o) => o.metadata.creationTimestamp ?? '' }],
  Event: [
    { name: 'Last Seen', type: 'string', fn: (o) => age(String(o['lastTimestamp'] ?? o.metadata.creationTimestamp)) },
    { name: 'Type', type: 'string', fn: (o) => String(o['type'] ?? '') },
    { name: 'Reason', type: 'string', fn: (o) => String(o['reason'] ?? '') },
    { name: 'Object', type: 'string', fn: (o) => `${String(S(o['involvedObject']).kind ?? '').toLowerCase()}/${String(S(o['involvedObject']).name ?? '')}` },
    { name: 'Message', type: 'string', fn: (o) => String(o['message'] ?? '') },
  ],
  ConfigMap: [NAME, { name: 'Data', type: 'integer', fn: (o) => Object.keys(S(o['data'])).length }, AGE],
};

export function toTable(rt: ResourceType, items: KObject[], listMeta: Record<string, unknown>, includeObject: 'Object' | 'Metadata' | 'None' = 'Metadata'): object {
  const cols = (rt.builtin && COLUMNS[rt.kind]) || [NAME, AGE];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.name, priority: c.priority ?? 0 })),
    rows: items.map((o) => ({
      cells: cols.map((c) => c.fn(o)),
      object:
        includeObject === 'None'
          ? undefined
          : includeObject === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
