/**
 * Scheduler and kubelet in one: binds pending pods to Ready, schedulable nodes that match their
 * nodeSelector / required node affinity (cordoned nodes are skipped unless the pod tolerates
 * node.kubernetes.io/unschedulable, as DaemonSet pods do), then after startDelayMs on a Ready
 * node marks them Running/Ready with an IP (see ../cni.ts). Pods on a node that went NotReady
 * keep running but lose Ready, as the node lifecycle controller would report them.
 */
import { agentConfig, allocateIp, ANNOTATION, isCiliumAgent, nodeCni, nodePodCidr } from '../cni.js';
import { matchesSelector, type LabelSelector } from '../selectors.js';
import type { KObject } from '../types.js';
import { alive, nodeReady, spec, status, SYS, type Ctx } from './context.js';
import { recordEvent } from './events.js';

type PodSpec = {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  hostNetwork?: boolean;
  tolerations?: Array<{ key?: string; operator?: string; effect?: string }>;
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: Array<{ matchExpressions?: LabelSelector['matchExpressions']; matchFields?: Array<{ key: string; operator: string; values?: string[] }> }> } } };
  containers?: Array<{ name: string; image?: string }>;
};

export function nodeMatches(pod: PodSpec, node: KObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms?.length) {
    const ok = terms.some((t) => {
      const exprOk = !t.matchExpressions?.length || matchesSelector({ matchExpressions: t.matchExpressions }, labels);
      const fieldsOk = (t.matchFields ?? []).every((f) => f.key !== 'metadata.name' || (f.operator === 'In' ? (f.values ?? []).includes(node.metadata.name!) : !(f.values ?? []).includes(node.metadata.name!)));
      return exprOk && fieldsOk;
    });
    if (!ok) return false;
  }
  return true;
}

const tolerates = (pod: PodSpec, key: string): boolean => (pod.tolerations ?? []).some((t) => (t.operator === 'Exists' && !t.key) || t.key === key);

export function schedulable(pod: PodSpec, node: KObject): boolean {
  if (!nodeReady(node) && !tolerates(pod, 'node.kubernetes.io/unreachable')) return false;
  if (spec<{ unschedulable?: boolean }>(node).unschedulable && !tolerates(pod, 'node.kubernetes.io/unschedulable')) return false;
  return nodeMatches(pod, node);
}

export function syncPods(ctx: Ctx): void {
  for (const n of [...ctx.restarted]) {
    ctx.restarted.delete(n);
    restartPodsOn(ctx, n);
  }
  const nodes = ctx.api.store.list(ctx.t.nodes);
  const pods = ctx.api.store.list(ctx.t.pods);
  const load = new Map<string, number>();
  // Pods of the same owner per node: the default scheduler spreads siblings across nodes.
  const siblings = new Map<string, number>();
  const owner = (p: KObject): string => p.metadata.ownerReferences?.find((r) => r.controller)?.uid ?? `${p.metadata.namespace}/${p.metadata.name}`;
  for (const p of pods) {
    const n = spec<PodSpec>(p).nodeName;
    if (!n || !alive(p)) continue;
    load.set(n, (load.get(n) ?? 0) + 1);
    siblings.set(`${owner(p)}@${n}`, (siblings.get(`${owner(p)}@${n}`) ?? 0) + 1);
  }
  const sib = (p: KObject, n: KObject): number => siblings.get(`${owner(p)}@${n.metadata.name}`) ?? 0;
  const now = Date.now();
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) {
      finishTermination(ctx, pod, nodes, now);
      continue;
    }
    if (!alive(pod)) continue;
    const ps = spec<PodSpec>(pod);
    if (!ps.nodeName) {
      const candidates = nodes.filter((n) => schedulable(ps, n)).sort((a, b) => sib(pod, a) - sib(pod, b) || (load.get(a.metadata.name!) ?? 0) - (load.get(b.metadata.name!) ?? 0) || a.metadata.name!.localeCompare(b.metadata.name!));
      const target = candidates[0];
      if (!target) {
        const st = status<{ conditions?: Array<{ type: string }> }>(pod);
        if (!(st.conditions ?? []).some((c) => c.type === 'PodScheduled')) {
          ctx.api.update(ctx.t.pods, pod.metadata.namespace, pod.metadata.name!, { ...pod, status: { ...st, phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: `0/${nodes.length} nodes are available.`, lastProbeTime: null, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } }, { ...SYS, subresource: 'status' });
        }
        continue;
      }
      load.set(target.metadata.name!, (load.get(target.metadata.name!) ?? 0) + 1);
      siblings.set(`${owner(pod)}@${target.metadata.name}`, sib(pod, target) + 1);
      // Binding: the scheduler sets spec.nodeName through pods/binding; we write it directly.
      const bound = ctx.api.update(ctx.t.pods, pod.metadata.namespace, pod.metadata.name!, { ...pod, spec: { ...ps, nodeName: target.metadata.name } }, { ...SYS, fieldManager: 'default-scheduler' });
      recordEvent(ctx, bound, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${target.metadata.name}`, 'default-scheduler');
      continue;
    }
    const node = nodes.find((n) => n.metadata.name === ps.nodeName);
    const ready = nodeReady(node);
    const st = status<{ phase?: string; conditions?: Array<{ type: string; status: string }> }>(pod);
    if (st.phase === 'Pending' && ready && node && now - Date.parse(pod.metadata.creationTimestamp ?? '') >= ctx.startDelayMs) start(ctx, pod, node, nodes.indexOf(node));
    else if (st.phase === 'Running') {
      const podReady = (st.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      if (podReady !== ready) setReady(ctx, pod, ready);
    }
  }
}

/**
 * The kubelet's side of graceful deletion: once the containers stopped (startDelayMs, or the
 * grace period if shorter) on a Ready node, the pod is deleted for good. A node that is gone
 * counts as done (the pod garbage collector force-deletes such pods).
 */
function finishTermination(ctx: Ctx, pod: KObject, nodes: KObject[], now: number): void {
  const grace = pod.metadata.deletionGracePeriodSeconds ?? 0;
  if (grace <= 0) return; // held by finalizers only
  const node = nodes.find((n) => n.metadata.name === spec<PodSpec>(pod).nodeName);
  if (node && !nodeReady(node)) return;
  const started = Date.parse(pod.metadata.deletionTimestamp!) - grace * 1000;
  if (node && now - started < Math.min(grace * 1000, ctx.startDelayMs)) return;
  for (const c of spec<PodSpec>(pod).containers ?? []) recordEvent(ctx, pod, 'Normal', 'Killing', `Stopping container ${c.name}`, 'kubelet', spec<PodSpec>(pod).nodeName);
  ctx.api.delete(ctx.t.pods, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0 });
}

const ts = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function readyConds(ready: boolean): object[] {
  const s = ready ? 'True' : 'False';
  return [
    { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: ts() },
    { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: ts() },
    { type: 'Ready', status: s, lastProbeTime: null, lastTransitionTime: ts() },
    { type: 'ContainersReady', status: s, lastProbeTime: null, lastTransitionTime: ts() },
    { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: ts() },
  ];
}

/** A Cilium agent (re)starts on `node`: it decides whether it takes over, and tells the lab (ctx.onCiliumAgent). */
function ciliumAgentStarts(ctx: Ctx, node: KObject): boolean {
  const cfg = agentConfig(ctx.api, node);
  const takes = cfg['custom-cni-conf'] !== 'true';
  ctx.onCiliumAgent?.(node.metadata.name!, takes, cfg);
  return takes;
}

function start(ctx: Ctx, pod: KObject, node: KObject, index: number): void {
  const ps = spec<PodSpec>(pod);
  const hostIP = ((node['status'] as { addresses?: Array<{ type: string; address: string }> }).addresses ?? []).find((a) => a.type === 'InternalIP')?.address ?? '';
  let podIP = hostIP;
  if (isCiliumAgent(pod)) {
    // The agent decides at start whether it takes over the node's CNI (../cni.ts).
    const takes = ciliumAgentStarts(ctx, node);
    pod = ctx.api.update(ctx.t.pods, pod.metadata.namespace, pod.metadata.name!, { ...pod, metadata: { ...pod.metadata, annotations: { ...(pod.metadata.annotations ?? {}), [ANNOTATION]: takes ? 'cilium' : 'none' } } }, { ...SYS, fieldManager: 'cilium-agent' });
    if (takes) nodePodCidr(ctx.api, 'cilium', node, index);
  }
  if (!ps.hostNetwork) {
    const cidr = nodePodCidr(ctx.api, nodeCni(ctx.api, node.metadata.name!, ctx.baseCni, ctx.flannelActive), node, index);
    podIP = cidr ? allocateIp(ctx.api, cidr) : '';
  }
  const startedAt = ts();
  for (const c of ps.containers ?? []) {
    recordEvent(ctx, pod, 'Normal', 'Pulled', `Container image "${c.image ?? ''}" already present on machine`, 'kubelet', node.metadata.name);
    recordEvent(ctx, pod, 'Normal', 'Created', `Created container ${c.name}`, 'kubelet', node.metadata.name);
    recordEvent(ctx, pod, 'Normal', 'Started', `Started container ${c.name}`, 'kubelet', node.metadata.name);
  }
  ctx.api.update(
    ctx.t.pods,
    pod.metadata.namespace,
    pod.metadata.name!,
    {
      ...pod,
      status: {
        phase: 'Running',
        conditions: readyConds(true),
        hostIP,
        hostIPs: [{ ip: hostIP }],
        ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
        startTime: startedAt,
        qosClass: 'BestEffort',
        containerStatuses: (ps.containers ?? []).map((c) => ({
          name: c.name,
          image: c.image ?? '',
          imageID: `${c.image ?? ''}@sha256:0`,
          containerID: `containerd://${c.name}${pod.metadata.uid}`.slice(0, 76),
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt } },
        })),
      },
    },
    { ...SYS, subresource: 'status', fieldManager: 'k3s-kubelet' },
  );
}

/**
 * A node came back (the lab cannot tell a reboot from a healed partition; both look like a
 * kubelet returning): its Running pods restart their containers and get new sandboxes, so a
 * Cilium agent decides again whether it takes over (../cni.ts) and the other pods get their IP
 * from the CNI that owns the node now, as after a real reboot.
 */
function restartPodsOn(ctx: Ctx, nodeName: string): void {
  const nodes = ctx.api.store.list(ctx.t.nodes);
  const node = nodes.find((n) => n.metadata.name === nodeName);
  if (!node) return;
  const index = nodes.indexOf(node);
  const onNode = ctx.api.store.list(ctx.t.pods).filter((p) => spec<PodSpec>(p).nodeName === nodeName && alive(p) && status<{ phase?: string }>(p).phase === 'Running');
  // Agents first (they decide the node's CNI), then everybody else.
  const ordered = [...onNode.filter(isCiliumAgent), ...onNode.filter((p) => !isCiliumAgent(p))];
  for (const p of ordered) {
    let pod = ctx.api.store.get(ctx.t.pods, p.metadata.namespace, p.metadata.name!);
    if (!pod) continue;
    const ps = spec<PodSpec>(pod);
    if (isCiliumAgent(pod)) {
      const takes = ciliumAgentStarts(ctx, node);
      pod = ctx.api.update(ctx.t.pods, pod.metadata.namespace, pod.metadata.name!, { ...pod, metadata: { ...pod.metadata, annotations: { ...(pod.metadata.annotations ?? {}), [ANNOTATION]: takes ? 'cilium' : 'none' } } }, { ...SYS, fieldManager: 'cilium-agent' });
      if (takes) nodePodCidr(ctx.api, 'cilium', node, index);
    }
    const st = status<{ podIP?: string; containerStatuses?: Array<{ restartCount?: number; state?: unknown; lastState?: unknown }> }>(pod);
    let podIP = st.podIP;
    if (!ps.hostNetwork) {
      const cidr = nodePodCidr(ctx.api, nodeCni(ctx.api, nodeName, ctx.baseCni, ctx.flannelActive), node, index);
      podIP = cidr ? allocateIp(ctx.api, cidr) : undefined;
    }
    const t = ts();
    const containerStatuses = (st.containerStatuses ?? []).map((c) => ({ ...c, restartCount: (c.restartCount ?? 0) + 1, lastState: { terminated: { exitCode: 255, reason: 'Unknown', finishedAt: t } }, state: { running: { startedAt: t } } }));
    ctx.api.update(ctx.t.pods, pod.metadata.namespace, pod.metadata.name!, { ...pod, status: { ...st, containerStatuses, ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}) } }, { ...SYS, subresource: 'status', fieldManager: 'k3s-kubelet' });
    recordEvent(ctx, pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.', 'kubelet', nodeName);
  }
}

function setReady(ctx: Ctx, pod: KObject, ready: boolean): void {
  const st = status<{ conditions?: Array<{ type: string; status: string }>; containerStatuses?: Array<{ ready: boolean }> }>(pod);
  const conditions = (st.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: ready ? 'True' : 'False', lastTransitionTime: ts() } : c));
  const containerStatuses = (st.containerStatuses ?? []).map((c) => ({ ...c, ready }));
  ctx.api.update(ctx.t.pods, pod.metadata.namespace, pod.metadata.name!, { ...pod, status: { ...st, conditions, containerStatuses } }, { ...SYS, subresource: 'status' });
}
