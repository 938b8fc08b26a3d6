/**
 * The resource types the simulator serves: the built-ins the CNI migrations touch, plus
 * whatever served versions the stored CustomResourceDefinitions declare (recomputed on every
 * CRD change, so discovery drops a kind as soon as its CRD is deleted).
 */
import type { KObject, ResourceType } from './types.js';

const b = (group: string, version: string, plural: string, kind: string, namespaced: boolean, extra: Partial<ResourceType> = {}): ResourceType => ({
  group,
  version,
  plural,
  singular: kind.toLowerCase(),
  kind,
  listKind: `${kind}List`,
  namespaced,
  builtin: true,
  ...extra,
});

export const BUILTINS: ResourceType[] = [
  b('', 'v1', 'namespaces', 'Namespace', false, { shortNames: ['ns'], subresources: ['status'] }),
  b('', 'v1', 'nodes', 'Node', false, { shortNames: ['no'], subresources: ['status'] }),
  b('', 'v1', 'pods', 'Pod', true, { shortNames: ['po'], categories: ['all'], subresources: ['status', 'eviction', 'log', 'exec'] }),
  b('', 'v1', 'services', 'Service', true, { shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  b('', 'v1', 'endpoints', 'Endpoints', true, { shortNames: ['ep'], singular: 'endpoints' }),
  b('', 'v1', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  b('', 'v1', 'secrets', 'Secret', true),
  b('', 'v1', 'events', 'Event', true, { shortNames: ['ev'] }),
  b('', 'v1', 'serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  b('apps', 'v1', 'deployments', 'Deployment', true, { shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] }),
  b('apps', 'v1', 'daemonsets', 'DaemonSet', true, { shortNames: ['ds'], categories: ['all'], subresources: ['status'] }),
  b('apps', 'v1', 'statefulsets', 'StatefulSet', true, { shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'] }),
  b('apps', 'v1', 'replicasets', 'ReplicaSet', true, { shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] }),
  b('apps', 'v1', 'controllerrevisions', 'ControllerRevision', true),
  b('batch', 'v1', 'jobs', 'Job', true, { categories: ['all'], subresources: ['status'] }),
  b('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true, { shortNames: ['netpol'] }),
  b('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true, { shortNames: ['pdb'], subresources: ['status'] }),
  b('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, { shortNames: ['crd', 'crds'], subresources: ['status'] }),
];

/** Groups a real server always serves even when empty of our resources, in preference order. */
export const BUILTIN_GROUPS = ['', 'apps', 'batch', 'networking.k8s.io', 'policy', 'apiextensions.k8s.io'];

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: { kind: string; plural: string; singular?: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions: Array<{ name: string; served: boolean; storage?: boolean; subresources?: { status?: object; scale?: object } }>;
}

export function typesFromCrd(crd: KObject): ResourceType[] {
  const spec = crd['spec'] as CrdSpec | undefined;
  if (!spec?.group || !spec.names?.plural || !Array.isArray(spec.versions)) return [];
  return spec.versions
    .filter((v) => v.served)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      kind: spec.names.kind,
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      namespaced: spec.scope !== 'Cluster',
      ...(spec.names.shortNames ? { shortNames: spec.names.shortNames } : {}),
      ...(spec.names.categories ? { categories: spec.names.categories } : {}),
      subresources: [...(v.subresources?.status ? ['status'] : []), ...(v.subresources?.scale ? ['scale'] : [])],
      builtin: false,
    }));
}

export class Registry {
  private types: ResourceType[] = [...BUILTINS];

  setCrds(crds: KObject[]): void {
    // Only Established CRDs are served; we establish them on create, so all stored ones count.
    this.types = [...BUILTINS, ...crds.filter((c) => !c.metadata.deletionTimestamp).flatMap(typesFromCrd)];
  }
  all(): ResourceType[] {
    return this.types;
  }
  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }
  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
    return this.types.find((t) => t.group === group && t.version === version && t.kind === kind);
  }
  /** Group → versions (preferred first), in server order. */
  groups(): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const g of BUILTIN_GROUPS) m.set(g, []);
    for (const t of this.types) {
      const vs = m.get(t.group) ?? [];
      if (!vs.includes(t.version)) vs.push(t.version);
      m.set(t.group, vs);
    }
    for (const [g, vs] of m) m.set(g, vs.sort(versionPriority));
    return m;
  }
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first (v2 > v1 > v1beta1 > v2alpha1). */
export function versionPriority(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    const stage = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [x, y] = [rank(a), rank(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
  return a.localeCompare(b);
}
