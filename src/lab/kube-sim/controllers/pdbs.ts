/** The disruption controller: PodDisruptionBudget status (what `kubectl get pdb` shows). */
import { pdbStatus } from '../disruption.js';
import { setStatus, type Ctx } from './context.js';

export function syncPdbs(ctx: Ctx): void {
  for (const pdb of ctx.api.store.list(ctx.t.pdbs)) {
    const st = pdbStatus(pdb, ctx.api.store.list(ctx.t.pods, pdb.metadata.namespace));
    const prev = (pdb['status'] ?? {}) as { conditions?: Array<{ status: string; lastTransitionTime: string }> };
    const ok = st.disruptionsAllowed > 0 ? 'True' : 'False';
    const ltt = prev.conditions?.[0]?.status === ok ? prev.conditions[0].lastTransitionTime : new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    setStatus(ctx, ctx.t.pdbs, pdb, {
      observedGeneration: pdb.metadata.generation ?? 1,
      ...st,
      disruptedPods: {},
      conditions: [{ type: 'DisruptionAllowed', status: ok, reason: ok === 'True' ? 'SufficientPods' : 'InsufficientPods', message: '', observedGeneration: pdb.metadata.generation ?? 1, lastTransitionTime: ltt }],
    });
  }
}
