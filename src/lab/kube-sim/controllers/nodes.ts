/**
 * One Node per lab node, with K3s' labels and addresses. Ready follows the lab's probe
 * (sshd answering): NotReady with the node lifecycle controller's "Kubelet stopped posting
 * node status" reason, and its pods lose their Ready condition until it comes back.
 */
import { flannelAnnotations } from '../cni.js';
import type { KObject } from '../types.js';
import { SYS, status, type Ctx, type LabNode } from './context.js';
import { recordEvent } from './events.js';

const t0 = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export function nodeObject(n: LabNode, index: number, flannel = false): KObject {
  const roleLabels: Record<string, string> = {};
  for (const r of n.roles) roleLabels[`node-role.kubernetes.io/${r}`] = 'true';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': n.name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'k3s',
        ...roleLabels,
        ...n.labels,
      },
      annotations: {
        'k3s.io/internal-ip': n.internalIP,
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        ...(flannel ? flannelAnnotations(n.internalIP, index) : {}),
      },
    },
    spec: { podCIDR: `10.42.${index}.0/24`, podCIDRs: [`10.42.${index}.0/24`], providerID: `k3s://${n.name}` },
    status: {
      addresses: [
        { type: 'InternalIP', address: n.internalIP },
        { type: 'Hostname', address: n.name },
      ],
      capacity: { cpu: '2', memory: '4026532Ki', pods: '110', 'ephemeral-storage': '20Gi' },
      allocatable: { cpu: '2', memory: '4026532Ki', pods: '110', 'ephemeral-storage': '20Gi' },
      nodeInfo: {
        architecture: 'amd64',
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: '6.1.0-lab',
        kubeletVersion: 'v1.32.4+k3s1',
        kubeProxyVersion: 'v1.32.4+k3s1',
        containerRuntimeVersion: 'containerd://2.0.4-k3s2',
        machineID: n.name,
        systemUUID: n.name,
        bootID: n.name,
      },
      conditions: conditions(n.reachable, undefined),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    },
  };
}

type Cond = { type: string; status: string; reason: string; message: string; lastHeartbeatTime: string; lastTransitionTime: string };
function conditions(ready: boolean, prev: Cond[] | undefined): Cond[] {
  const want: Array<[string, string, string, string]> = ready
    ? [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
      ]
    : ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((t) => [t, 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
  return want.map(([type, st, reason, message]) => {
    const p = prev?.find((c) => c.type === type);
    const same = p && p.status === st;
    return { type, status: st, reason, message, lastHeartbeatTime: same ? p.lastHeartbeatTime : t0(), lastTransitionTime: same ? p.lastTransitionTime : t0() };
  });
}

const UNREACHABLE = 'node.kubernetes.io/unreachable';

export function syncNodes(ctx: Ctx): void {
  ctx.nodes.forEach((n, i) => {
    const cur = ctx.api.store.get(ctx.t.nodes, undefined, n.name);
    if (!cur) {
      ctx.api.create(ctx.t.nodes, undefined, nodeObject(n, i, ctx.baseCni === 'flannel'), SYS);
      return;
    }
    const st = status<{ conditions?: Cond[] }>(cur);
    const next = conditions(n.reachable, st.conditions);
    if (JSON.stringify(next.map((c) => c.status)) !== JSON.stringify((st.conditions ?? []).map((c) => c.status))) {
      if (n.reachable) ctx.restarted.add(n.name);
      ctx.api.update(ctx.t.nodes, undefined, n.name, { ...cur, status: { ...st, conditions: next } }, { ...SYS, subresource: 'status' });
      // The node lifecycle controller taints unreachable nodes and removes the taint on recovery.
      const fresh = ctx.api.store.get(ctx.t.nodes, undefined, n.name)!;
      const spec = (fresh['spec'] ?? {}) as { taints?: Array<{ key: string; effect: string; timeAdded?: string }> };
      const taints = (spec.taints ?? []).filter((t) => t.key !== UNREACHABLE);
      if (!n.reachable) taints.push({ key: UNREACHABLE, effect: 'NoSchedule', timeAdded: t0() }, { key: UNREACHABLE, effect: 'NoExecute', timeAdded: t0() });
      const nextSpec: Record<string, unknown> = { ...spec, taints };
      if (!taints.length) delete nextSpec['taints'];
      const updated = ctx.api.update(ctx.t.nodes, undefined, n.name, { ...fresh, spec: nextSpec }, SYS);
      recordEvent(ctx, updated, n.reachable ? 'Normal' : 'Warning', n.reachable ? 'NodeReady' : 'NodeNotReady', n.reachable ? `Node ${n.name} status is now: NodeReady` : `Node ${n.name} status is now: NodeNotReady`, n.reachable ? 'kubelet' : 'node-controller', n.name);
    }
  });
}
