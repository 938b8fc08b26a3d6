/**
 * Discovery documents in the legacy format (APIVersions, APIGroupList, APIResourceList).
 * Clients asking for aggregated discovery (apidiscovery.k8s.io/v2 via Accept) fall back to
 * these when the response's Content-Type is plain application/json, as with older servers.
 */
import type { Registry } from './resources.js';
import { gvOf, type ResourceType } from './types.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const CLUSTER_VERBS_NO_COLLECTION = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

export function apiVersions(host: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }] };
}

function group(name: string, versions: string[]): object {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(reg: Registry): object {
  const groups = [...reg.groups()].filter(([g, vs]) => g !== '' && vs.length).map(([g, vs]) => group(g, vs));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(reg: Registry, name: string): object | undefined {
  const vs = reg.groups().get(name);
  if (!vs?.length) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...group(name, vs) };
}

export function apiResourceList(reg: Registry, groupName: string, version: string): object | undefined {
  const types = reg.all().filter((t) => t.group === groupName && t.version === version);
  if (!types.length) return undefined;
  const resources: object[] = [];
  for (const t of types) {
    resources.push({
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.kind === 'Event' || t.namespaced || t.kind === 'Node' || !t.builtin ? VERBS : CLUSTER_VERBS_NO_COLLECTION,
      ...(t.shortNames?.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories?.length ? { categories: t.categories } : {}),
      storageVersionHash: hash(`${gvOf(t)}/${t.kind}`),
    });
    for (const sub of t.subresources ?? []) resources.push(subresource(t, sub));
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gvOf({ group: groupName, version }), resources };
}

function subresource(t: ResourceType, sub: string): object {
  if (sub === 'eviction') return { name: `${t.plural}/eviction`, singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
  if (sub === 'scale') return { name: `${t.plural}/scale`, singularName: '', namespaced: t.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
  if (sub === 'exec') return { name: `${t.plural}/exec`, singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] };
  if (sub === 'log') return { name: `${t.plural}/log`, singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] };
  return { name: `${t.plural}/${sub}`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] };
}

function hash(s: string): string {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return Buffer.from(String(h >>> 0)).toString('base64').slice(0, 11);
}

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4+k3s1',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-04-01T00:00:00Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};
