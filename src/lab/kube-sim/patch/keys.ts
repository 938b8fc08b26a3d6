/**
 * patchMergeKey / patchStrategy of the built-in types, as declared in k8s.io/api (the Go struct
 * tags). Lists not named here are atomic: a patch replaces them whole (tolerations, args...).
 */
export type ListStrategy = { kind: 'map'; key: string } | { kind: 'set' } | { kind: 'atomic' };

const BY_FIELD: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  conditions: 'type',
  addresses: 'type', // node status addresses
  hostAliases: 'ip',
  ownerReferences: 'uid',
  taints: 'key',
  topologySpreadConstraints: 'topologyKey',
  containerStatuses: 'name',
  initContainerStatuses: 'name',
};

const SETS = new Set(['finalizers']);

/** Strategy for list `field`, given the path of keys above it (ports depend on where they live). */
export function listStrategy(path: readonly string[], field: string): ListStrategy {
  if (SETS.has(field)) return { kind: 'set' };
  if (field === 'ports') {
    const inContainer = path.some((p) => p === 'containers' || p === 'initContainers' || p === 'ephemeralContainers');
    return { kind: 'map', key: inContainer ? 'containerPort' : 'port' };
  }
  const key = BY_FIELD[field];
  return key ? { kind: 'map', key } : { kind: 'atomic' };
}
