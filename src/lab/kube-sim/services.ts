/** Service IP and NodePort allocation on create, as the apiserver's allocators do (K3s service CIDR 10.43.0.0/16). */
import type { Store } from './store.js';
import type { KObject, ResourceType } from './types.js';

export function allocateServiceFields(store: Store, rt: ResourceType, svc: KObject): void {
  const spec = (svc['spec'] ??= {}) as { type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: Array<{ nodePort?: number }> };
  const existing = store.list(rt);
  if (spec.type !== 'ExternalName' && !spec.clusterIP) {
    const used = new Set(existing.map((s) => (s['spec'] as { clusterIP?: string }).clusterIP));
    for (let i = 2; i < 65534; i++) {
      const ip = `10.43.${Math.floor(i / 256)}.${i % 256}`;
      if (!used.has(ip) && i % 256 !== 0 && i % 256 !== 255) {
        spec.clusterIP = ip;
        break;
      }
    }
  }
  if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
    const used = new Set(existing.flatMap((s) => ((s['spec'] as { ports?: Array<{ nodePort?: number }> }).ports ?? []).map((p) => p.nodePort)));
    let next = 30000;
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      while (used.has(next)) next++;
      p.nodePort = next;
      used.add(next);
    }
  }
}
