/**
 * Which CNI gives a pod its IP — the one rule the CNI migration demos hinge on.
 *
 * A node's pods get addresses from the CNI that owns the node:
 *  1. Cilium, when the Cilium agent pod running on that node (kube-system, k8s-app=cilium)
 *     started while Cilium was configured to take over the node's CNI: the effective agent
 *     config is the cilium-config ConfigMap overlaid with the `defaults` of every
 *     CiliumNodeConfig (cilium.io, any version) whose nodeSelector matches the node's labels at
 *     that moment; it takes over unless that config says custom-cni-conf: "true". So labeling a
 *     node io.cilium.migration/cilium-default=true does nothing until its agent pod is
 *     recreated (`kubectl delete pod -l k8s-app=cilium --field-selector spec.nodeName=$NODE`).
 *     The agent records that decision on its pod (annotation ANNOTATION below) when it starts.
 *  2. Otherwise Calico, when a calico-node pod (k8s-app=calico-node) is Running on the node
 *     (so installing Calico over Flannel moves recreated pods to Calico, seed 002) and the
 *     node's K3s no longer runs its embedded Flannel (the lab's `flannelActive`, when given: a
 *     K3s agent not restarted with flannel-backend none keeps Flannel, and its pods stay there).
 *  3. Otherwise the base CNI the simulator was started with (assumed installed everywhere):
 *     Calico or Flannel (the node's spec.podCIDR) or none (pods get no IP).
 * Calico's addresses: one /26 block per node (blockSize) of the first enabled IPPool's CIDR, or
 * of the Installation's first ipPools entry when no IPPool exists yet, default 10.42.0.0/16;
 * blocks are recorded as IPAMBlock objects when that CRD exists.
 * Cilium's pool is cilium-config's cluster-pool-ipv4-cidr (default 10.245.0.0/16, the new pod
 * CIDR of seed 003), one /24 (cluster-pool-ipv4-mask-size) per node, recorded in a CiliumNode
 * object when that CRD exists.
 * hostNetwork pods always get the node's InternalIP. Pods keep their IP until they are recreated
 * or their node comes back from NotReady (a reboot: new sandboxes, so the agent decides again
 * and every pod there gets an address from the CNI that owns the node then; the simulator
 * cannot tell a reboot from a healed partition and treats both as a reboot).
 */
import type { Api } from './api.js';
import { matchesSelector, type LabelSelector } from './selectors.js';
import type { KObject, ResourceType } from './types.js';

export const ANNOTATION = 'sim.philote.dev/cni';
export type BaseCni = 'calico' | 'flannel' | 'none';
export const CILIUM_DEFAULT_POOL = '10.245.0.0/16';
export const CALICO_DEFAULT_POOL = '10.42.0.0/16';

const ip2n = (ip: string): number => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const n2ip = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
const cidrOf = (c: string): { base: number; bits: number } => {
  const [ip, bits] = c.split('/');
  return { base: ip2n(ip!), bits: Number(bits) };
};

export const isCiliumAgent = (p: KObject): boolean => p.metadata.namespace === 'kube-system' && p.metadata.labels?.['k8s-app'] === 'cilium';

function find(api: Api, group: string, plural: string): ResourceType | undefined {
  return api.registry.all().find((t) => t.group === group && t.plural === plural);
}

function ciliumConfig(api: Api): Record<string, string> {
  const cm = api.store.get(api.registry.find('', 'v1', 'configmaps')!, 'kube-system', 'cilium-config');
  return (cm?.['data'] as Record<string, string> | undefined) ?? {};
}

/** The agent's configuration on `node`: cilium-config overlaid with every matching CiliumNodeConfig's defaults. */
export function agentConfig(api: Api, node: KObject): Record<string, string> {
  const cfg = { ...ciliumConfig(api) };
  const cncType = find(api, 'cilium.io', 'ciliumnodeconfigs');
  if (cncType) {
    for (const cnc of api.store.list(cncType)) {
      const spec = (cnc['spec'] ?? {}) as { nodeSelector?: LabelSelector; defaults?: Record<string, string> };
      if (matchesSelector(spec.nodeSelector ?? { matchLabels: {} }, node.metadata.labels)) Object.assign(cfg, spec.defaults ?? {});
    }
  }
  return cfg;
}

/** Decided when a Cilium agent pod starts on `node`: does it take over the node's CNI? */
export function agentTakesOver(api: Api, node: KObject): boolean {
  return agentConfig(api, node)['custom-cni-conf'] !== 'true';
}

/**
 * What a starting Cilium agent does on its node besides deciding (the lab's hook writes the CNI
 * config file into the node, see src/lab/netns/cni-agents.ts): called with the agent's effective
 * configuration each time an agent starts or restarts.
 */
export type CiliumAgentHook = (nodeName: string, takesOver: boolean, config: Record<string, string>) => void;

/** Flannel's VXLAN device MAC on the node with this index (the lab's flannel.1 uses the same). */
export const flannelVtepMac = (index: number): string => `0a:58:0a:2a:${(index >> 8).toString(16).padStart(2, '0')}:${(index & 255).toString(16).padStart(2, '0')}`;

/** What K3s' embedded Flannel (vxlan backend, kube subnet manager) writes on its Node. */
export function flannelAnnotations(internalIP: string, index: number): Record<string, string> {
  return {
    'flannel.alpha.coreos.com/backend-data': JSON.stringify({ VNI: 1, VtepMAC: flannelVtepMac(index) }),
    'flannel.alpha.coreos.com/backend-type': 'vxlan',
    'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
    'flannel.alpha.coreos.com/public-ip': internalIP,
  };
}

/** The CNI that owns a node now. */
export function nodeCni(api: Api, nodeName: string, base: BaseCni, flannelActive?: (nodeName: string) => boolean): 'cilium' | BaseCni {
  const pods = api.store.list(api.registry.find('', 'v1', 'pods')!, 'kube-system');
  const agent = pods.find((p) => isCiliumAgent(p) && (p['spec'] as { nodeName?: string }).nodeName === nodeName && !p.metadata.deletionTimestamp);
  if (agent?.metadata.annotations?.[ANNOTATION] === 'cilium') return 'cilium';
  const calicoNode = api.store
    .list(api.registry.find('', 'v1', 'pods')!)
    .some((p) => p.metadata.labels?.['k8s-app'] === 'calico-node' && (p['spec'] as { nodeName?: string }).nodeName === nodeName && (p['status'] as { phase?: string } | undefined)?.phase === 'Running' && !p.metadata.deletionTimestamp);
  if (calicoNode && flannelActive?.(nodeName)) return 'flannel';
  return calicoNode ? 'calico' : base;
}

/** The node's pod CIDR under a CNI (undefined for 'none'). Side effect: IPAMBlock / CiliumNode records. */
export function nodePodCidr(api: Api, cni: 'cilium' | BaseCni, node: KObject, index: number): string | undefined {
  if (cni === 'none') return undefined;
  if (cni === 'flannel') return (node['spec'] as { podCIDR?: string }).podCIDR;
  if (cni === 'cilium') {
    const cfg = ciliumConfig(api);
    const pool = cidrOf((cfg['cluster-pool-ipv4-cidr'] ?? CILIUM_DEFAULT_POOL).split(/[ ,]/)[0]!);
    const mask = Number(cfg['cluster-pool-ipv4-mask-size'] ?? 24);
    const cidr = `${n2ip(pool.base + index * 2 ** (32 - mask))}/${mask}`;
    recordCiliumNode(api, node, cidr);
    return cidr;
  }
  const poolType = find(api, 'crd.projectcalico.org', 'ippools');
  const ippool = poolType ? api.store.list(poolType).find((p) => !(p['spec'] as { disabled?: boolean }).disabled) : undefined;
  const instType = find(api, 'operator.tigera.io', 'installations');
  const inst = instType ? api.store.get(instType, undefined, 'default') : undefined;
  const instPool = (inst?.['spec'] as { calicoNetwork?: { ipPools?: Array<{ cidr?: string; blockSize?: number }> } } | undefined)?.calicoNetwork?.ipPools?.[0];
  const spec = (ippool?.['spec'] ?? instPool ?? {}) as { cidr?: string; blockSize?: number };
  const pool = cidrOf(spec.cidr ?? CALICO_DEFAULT_POOL);
  const block = spec.blockSize ?? 26;
  const cidr = `${n2ip(pool.base + index * 2 ** (32 - block))}/${block}`;
  recordIpamBlock(api, node, cidr);
  return cidr;
}

/** Next free address of the node's CIDR (skipping the network and first address). */
export function allocateIp(api: Api, cidr: string): string {
  const { base, bits } = cidrOf(cidr);
  const used = new Set(api.store.list(api.registry.find('', 'v1', 'pods')!).map((p) => (p['status'] as { podIP?: string } | undefined)?.podIP));
  for (let i = 2; i < 2 ** (32 - bits) - 1; i++) {
    const ip = n2ip(base + i);
    if (!used.has(ip)) return ip;
  }
  return n2ip(base + 1);
}

function recordIpamBlock(api: Api, node: KObject, cidr: string): void {
  const t = find(api, 'crd.projectcalico.org', 'ipamblocks');
  if (!t) return;
  const name = cidr.replace(/[./]/g, '-');
  if (api.store.get(t, undefined, name)) return;
  api.create(t, undefined, { apiVersion: `${t.group}/${t.version}`, kind: t.kind, metadata: { name }, spec: { cidr, affinity: `host:${node.metadata.name}`, allocations: [], unallocated: [], attributes: [], deleted: false } }, { system: true, fieldManager: 'calico-node' });
}

function recordCiliumNode(api: Api, node: KObject, cidr: string): void {
  const t = find(api, 'cilium.io', 'ciliumnodes');
  if (!t) return;
  const name = node.metadata.name!;
  const ip = ((node['status'] as { addresses?: Array<{ type: string; address: string }> }).addresses ?? []).find((a) => a.type === 'InternalIP')?.address;
  const spec = { addresses: ip ? [{ type: 'InternalIP', ip }] : [], ipam: { podCIDRs: [cidr] } };
  const cur = api.store.get(t, undefined, name);
  if (cur && JSON.stringify(cur['spec']) === JSON.stringify(spec)) return;
  if (cur) api.update(t, undefined, name, { ...cur, spec }, { system: true, fieldManager: 'cilium-agent' });
  else api.create(t, undefined, { apiVersion: `${t.group}/${t.version}`, kind: t.kind, metadata: { name }, spec }, { system: true, fieldManager: 'cilium-agent' });
}
