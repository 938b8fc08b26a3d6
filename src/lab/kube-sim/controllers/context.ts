/** What every controller gets: the API (writes as the system), the built-in types, the lab. */
import { createHash } from 'node:crypto';
import type { Api } from '../api.js';
import type { BaseCni, CiliumAgentHook } from '../cni.js';
import type { KObject, OwnerReference, ResourceType } from '../types.js';

export interface LabNode {
  name: string;
  internalIP: string;
  roles: string[];
  labels: Record<string, string>;
  /** Last probe answer (true until a probe says otherwise). */
  reachable: boolean;
}

export interface Ctx {
  api: Api;
  t: Record<'pods' | 'nodes' | 'namespaces' | 'deployments' | 'replicasets' | 'daemonsets' | 'statefulsets' | 'pdbs' | 'configmaps' | 'jobs', ResourceType>;
  nodes: LabNode[];
  baseCni: BaseCni;
  /** Deterministic name suffixes ("7x2kq") for generated pods/ReplicaSets. */
  suffix(): string;
  /** Milliseconds a pod takes from scheduled to Running/Ready. */
  startDelayMs: number;
  /** Nodes whose kubelet just came back (NotReady → Ready): their pods restart (controllers/pods.ts). */
  restarted: Set<string>;
  /** The lab's side of a starting Cilium agent (writes the node's CNI config). */
  onCiliumAgent?: CiliumAgentHook;
  /** The lab's K3s on a node still runs its embedded Flannel (a Calico agent there cannot take over, ../cni.ts). */
  flannelActive?: (nodeName: string) => boolean;
}

export const SYS = { system: true, fieldManager: 'k3s' } as const;

export function ownerRef(o: KObject): OwnerReference {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name!, uid: o.metadata.uid!, controller: true, blockOwnerDeletion: true };
}
export const ownedBy = (o: KObject, uid: string): boolean => (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.controller);
export const hashOf = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 10).replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)]!);

export const nodeReady = (n: KObject | undefined): boolean =>
  !!n && ((n['status'] as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export const spec = <T = Record<string, unknown>>(o: KObject): T => (o['spec'] ?? {}) as T;
export const status = <T = Record<string, unknown>>(o: KObject): T => (o['status'] ?? {}) as T;

/** Writes status only when it changed (no-op writes would spam watches). */
export function setStatus(ctx: Ctx, rt: ResourceType, o: KObject, next: Record<string, unknown>): void {
  if (JSON.stringify(o['status'] ?? {}) === JSON.stringify(next)) return;
  ctx.api.update(rt, o.metadata.namespace, o.metadata.name!, { ...o, status: next }, { ...SYS, subresource: 'status' });
}

/** A pod from a template, owned by `owner`. */
export function podFrom(owner: KObject, template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> }, name: string, extraLabels: Record<string, string>, nodeName?: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), ...extraLabels },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [ownerRef(owner)],
    },
    spec: { ...structuredClone(template.spec ?? {}), ...(nodeName ? { nodeName } : {}) },
    status: { phase: 'Pending' },
  };
}

export const alive = (p: KObject): boolean => !p.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(status<{ phase?: string }>(p).phase ?? '');
