/**
 * Starting states. 'k3s-calico': a K3s cluster running Calico through the Tigera operator —
 * kube-system (coredns, metrics-server, local-path-provisioner), tigera-operator,
 * calico-system (calico-node and csi-node-driver DaemonSets, calico-kube-controllers), the
 * Calico/Tigera CRDs with the default Installation and IPPool (10.42.0.0/16, K3s' default
 * cluster CIDR), and an `apps` namespace with two Deployments guarded by PodDisruptionBudgets.
 * Controllers then create the ReplicaSets and pods. 'k3s-flannel': the same without Calico
 * (K3s' built-in Flannel, start with cni: 'flannel'). 'empty': only the namespaces K3s creates.
 */
import type { Api } from './api.js';
import type { KObject } from './types.js';

export type SeedName = 'k3s-calico' | 'k3s-flannel' | 'empty';
export const CALICO_POOL = '10.42.0.0/16';

const ns = (name: string): KObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

function crd(group: string, kind: string, plural: string, scope: 'Namespaced' | 'Cluster', version = 'v1', extra: { shortNames?: string[]; status?: boolean } = {}): KObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List`, ...(extra.shortNames ? { shortNames: extra.shortNames } : {}) },
      versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }, ...(extra.status ? { subresources: { status: {} } } : {}) }],
    },
  };
}

function workload(kind: 'Deployment' | 'DaemonSet', namespace: string, name: string, labels: Record<string, string>, image: string, o: { replicas?: number; hostNetwork?: boolean; nodeSelector?: Record<string, string> } = {}): KObject {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name, namespace, labels },
    spec: {
      ...(kind === 'Deployment' ? { replicas: o.replicas ?? 1 } : {}),
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: name.replace(/^calico-|-provisioner$/, ''), image }],
          ...(o.hostNetwork ? { hostNetwork: true } : {}),
          ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
          ...(kind === 'DaemonSet' ? { tolerations: [{ operator: 'Exists' }] } : {}),
          ...(namespace === 'kube-system' ? { priorityClassName: 'system-cluster-critical' } : {}),
        },
      },
    },
  };
}

export function seedObjects(seed: SeedName): KObject[] {
  const base: KObject[] = [
    ...['default', 'kube-system', 'kube-public', 'kube-node-lease'].map(ns),
    // The apiserver's own Service (K3s: first address of the 10.43.0.0/16 service CIDR).
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } }, spec: { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] } },
  ];
  if (seed === 'empty') return base;
  const linux = { 'kubernetes.io/os': 'linux' };
  const all: KObject[] = [
    ...base,
    ns('tigera-operator'),
    ns('calico-system'),
    ns('apps'),
    crd('operator.tigera.io', 'Installation', 'installations', 'Cluster', 'v1', { status: true }),
    crd('operator.tigera.io', 'TigeraStatus', 'tigerastatuses', 'Cluster', 'v1', { status: true }),
    crd('crd.projectcalico.org', 'IPPool', 'ippools', 'Cluster'),
    crd('crd.projectcalico.org', 'IPAMBlock', 'ipamblocks', 'Cluster'),
    crd('crd.projectcalico.org', 'BlockAffinity', 'blockaffinities', 'Cluster'),
    crd('crd.projectcalico.org', 'FelixConfiguration', 'felixconfigurations', 'Cluster'),
    crd('crd.projectcalico.org', 'BGPConfiguration', 'bgpconfigurations', 'Cluster'),
    {
      apiVersion: 'operator.tigera.io/v1',
      kind: 'Installation',
      metadata: { name: 'default' },
      spec: { calicoNetwork: { bgp: 'Disabled', ipPools: [{ name: 'default-ipv4-ippool', cidr: CALICO_POOL, blockSize: 26, encapsulation: 'VXLANCrossSubnet', natOutgoing: 'Enabled', nodeSelector: 'all()' }] }, cni: { type: 'Calico', ipam: { type: 'Calico' } } },
    },
    {
      apiVersion: 'crd.projectcalico.org/v1',
      kind: 'IPPool',
      metadata: { name: 'default-ipv4-ippool' },
      spec: { cidr: CALICO_POOL, blockSize: 26, vxlanMode: 'CrossSubnet', ipipMode: 'Never', natOutgoing: true, nodeSelector: 'all()', allowedUses: ['Workload', 'Tunnel'] },
    },
    { apiVersion: 'crd.projectcalico.org/v1', kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { bpfEnabled: false, logSeverityScreen: 'Info', reportingInterval: '0s' } },
    workload('Deployment', 'kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, 'rancher/mirrored-coredns-coredns:1.12.0'),
    workload('Deployment', 'kube-system', 'metrics-server', { 'k8s-app': 'metrics-server' }, 'rancher/mirrored-metrics-server:v0.7.2'),
    workload('Deployment', 'kube-system', 'local-path-provisioner', { app: 'local-path-provisioner' }, 'rancher/local-path-provisioner:v0.0.31'),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, spec: { clusterIP: '10.43.0.10', selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: '.:53 {\n    errors\n    health\n    kubernetes cluster.local in-addr.arpa ip6.arpa\n    forward . /etc/resolv.conf\n    cache 30\n}\n' } },
    workload('Deployment', 'tigera-operator', 'tigera-operator', { name: 'tigera-operator', 'k8s-app': 'tigera-operator' }, 'quay.io/tigera/operator:v1.36.2', { hostNetwork: true, nodeSelector: linux }),
    workload('DaemonSet', 'calico-system', 'calico-node', { 'k8s-app': 'calico-node' }, 'docker.io/calico/node:v3.29.1', { hostNetwork: true, nodeSelector: linux }),
    workload('DaemonSet', 'calico-system', 'csi-node-driver', { 'k8s-app': 'csi-node-driver' }, 'docker.io/calico/csi:v3.29.1', { nodeSelector: linux }),
    workload('Deployment', 'calico-system', 'calico-kube-controllers', { 'k8s-app': 'calico-kube-controllers' }, 'docker.io/calico/kube-controllers:v3.29.1', { nodeSelector: linux }),
    workload('Deployment', 'apps', 'web', { app: 'web' }, 'nginx:1.27', { replicas: 3 }),
    workload('Deployment', 'apps', 'api', { app: 'api' }, 'ghcr.io/example/api:1.4.2', { replicas: 2 }),
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'apps' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } },
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'api', namespace: 'apps' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'api' } } } },
  ];
  if (seed === 'k3s-calico') return all;
  const calico = (o: KObject): boolean =>
    ['tigera-operator', 'calico-system'].includes(o.metadata.namespace ?? o.metadata.name ?? '') || /tigera|projectcalico/.test(`${o.apiVersion} ${o.metadata.name}`);
  return all.filter((o) => !calico(o));
}

export function applySeed(api: Api, seed: SeedName): void {
  for (const o of seedObjects(seed)) {
    const rt = api.registry.byKind(o.apiVersion, o.kind);
    if (!rt) throw new Error(`seed: no resource for ${o.apiVersion} ${o.kind}`);
    api.create(rt, o.metadata.namespace, o, { fieldManager: 'k3s' });
  }
}
