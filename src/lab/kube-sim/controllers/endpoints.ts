/** Endpoints for Services with a selector: the Ready pods' IPs and the service's target ports. */
import { isPodReady } from '../disruption.js';
import type { KObject } from '../types.js';
import { alive, spec, SYS, type Ctx } from './context.js';

type SvcSpec = { selector?: Record<string, string>; ports?: Array<{ name?: string; port: number; targetPort?: number | string; protocol?: string }> };

export function syncEndpoints(ctx: Ctx): void {
  const epType = ctx.api.registry.find('', 'v1', 'endpoints')!;
  const svcType = ctx.api.registry.find('', 'v1', 'services')!;
  for (const svc of ctx.api.store.list(svcType)) {
    const s = spec<SvcSpec>(svc);
    if (!s.selector || svc.metadata.deletionTimestamp) continue;
    const pods = ctx.api.store.list(ctx.t.pods, svc.metadata.namespace).filter((p) => alive(p) && Object.entries(s.selector!).every(([k, v]) => p.metadata.labels?.[k] === v));
    const addr = (p: KObject) => ({ ip: (p['status'] as { podIP?: string }).podIP ?? '', nodeName: spec<{ nodeName?: string }>(p).nodeName, targetRef: { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid } });
    const withIp = pods.filter((p) => (p['status'] as { podIP?: string } | undefined)?.podIP);
    const ready = withIp.filter(isPodReady).map(addr);
    const notReady = withIp.filter((p) => !isPodReady(p)).map(addr);
    const ports = (s.ports ?? []).map((p) => ({ ...(p.name ? { name: p.name } : {}), port: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol ?? 'TCP' }));
    const subsets = ready.length || notReady.length ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports }] : [];
    const cur = ctx.api.store.get(epType, svc.metadata.namespace, svc.metadata.name!);
    if (!cur) {
      ctx.api.create(epType, svc.metadata.namespace, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, labels: svc.metadata.labels ?? {} }, subsets }, { ...SYS, fieldManager: 'kube-controller-manager' });
    } else if (JSON.stringify(cur['subsets'] ?? []) !== JSON.stringify(subsets)) {
      ctx.api.update(epType, svc.metadata.namespace, svc.metadata.name!, { ...cur, subsets }, { ...SYS, fieldManager: 'kube-controller-manager' });
    }
  }
}
