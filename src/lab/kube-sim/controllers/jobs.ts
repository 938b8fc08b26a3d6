/**
 * The Job controller, Indexed mode first: one pod per completion index (up to parallelism at
 * once), named <job>-<index>-<suffix>, carrying the index as the annotation and label
 * batch.kubernetes.io/job-completion-index and as JOB_COMPLETION_INDEX in every container's
 * environment (from that annotation, as the real controller injects it). NonIndexed Jobs get
 * `parallelism` unnumbered pods. Status counts active, succeeded and failed pods; pods here run
 * no program, so a test ends them by setting their phase.
 */
import type { KObject } from '../types.js';
import { ownedBy, podFrom, setStatus, spec, status, SYS, type Ctx } from './context.js';
import { recordEvent } from './events.js';

const INDEX_KEY = 'batch.kubernetes.io/job-completion-index';

type JobSpec = {
  completions?: number;
  parallelism?: number;
  completionMode?: string;
  suspend?: boolean;
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
};
type Container = { env?: Array<Record<string, unknown>> };

function indexedPod(job: KObject, s: JobSpec, index: number, suffix: string): KObject {
  const tmpl = structuredClone(s.template ?? {});
  tmpl.metadata = { ...(tmpl.metadata ?? {}), annotations: { ...(tmpl.metadata?.annotations ?? {}), [INDEX_KEY]: String(index) }, labels: { ...(tmpl.metadata?.labels ?? {}), [INDEX_KEY]: String(index) } };
  const pod = podFrom(job, tmpl, `${job.metadata.name}-${index}-${suffix}`, {});
  const podSpec = pod['spec'] as { hostname?: string; containers?: Container[]; initContainers?: Container[] };
  podSpec.hostname ??= `${job.metadata.name}-${index}`;
  for (const c of [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])]) {
    c.env = [...(c.env ?? []), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${INDEX_KEY}']` } } }];
  }
  return pod;
}

const phaseOf = (p: KObject): string => status<{ phase?: string }>(p).phase ?? 'Pending';

export function syncJobs(ctx: Ctx): void {
  const pods = ctx.api.store.list(ctx.t.pods);
  for (const job of ctx.api.store.list(ctx.t.jobs)) {
    if (job.metadata.deletionTimestamp) continue;
    const s = spec<JobSpec>(job);
    const mine = pods.filter((p) => p.metadata.namespace === job.metadata.namespace && ownedBy(p, job.metadata.uid!) && !p.metadata.deletionTimestamp);
    const active = mine.filter((p) => !['Succeeded', 'Failed'].includes(phaseOf(p)));
    const succeeded = mine.filter((p) => phaseOf(p) === 'Succeeded');
    const failed = mine.filter((p) => phaseOf(p) === 'Failed');
    const completions = s.completions ?? 1;
    const room = s.suspend ? 0 : Math.max(0, (s.parallelism ?? 1) - active.length);
    const created: KObject[] = [];
    if (s.completionMode === 'Indexed') {
      // Every index that has no pod yet (a failed index is not retried here: backoff is not simulated).
      const taken = new Set(mine.map((p) => p.metadata.annotations?.[INDEX_KEY]));
      for (let i = 0; i < completions && created.length < room; i++) if (!taken.has(String(i))) created.push(indexedPod(job, s, i, ctx.suffix()));
    } else {
      const left = completions - succeeded.length - active.length;
      for (let i = 0; i < Math.min(room, left); i++) created.push(podFrom(job, s.template ?? {}, `${job.metadata.name}-${ctx.suffix()}`, {}));
    }
    for (const pod of created) {
      ctx.api.create(ctx.t.pods, job.metadata.namespace, pod, { ...SYS, fieldManager: 'kube-controller-manager' });
      recordEvent(ctx, job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, 'job-controller');
    }
    const indexes = (ps: KObject[]) => ps.map((p) => Number(p.metadata.annotations?.[INDEX_KEY])).filter((n) => Number.isInteger(n)).sort((a, b) => a - b).join(',');
    const next: Record<string, unknown> = { active: active.length + created.length, succeeded: succeeded.length, failed: failed.length, ready: 0, terminating: 0 };
    if (s.completionMode === 'Indexed') {
      next['completedIndexes'] = indexes(succeeded);
      if (failed.length) next['failedIndexes'] = indexes(failed);
    }
    if (succeeded.length + failed.length >= completions && active.length + created.length === 0) {
      const ok = failed.length === 0;
      next['conditions'] = [{ type: ok ? 'Complete' : 'Failed', status: 'True', reason: ok ? 'CompletionsReached' : 'FailedIndexes' }];
    }
    const cur = status<Record<string, unknown>>(job);
    next['startTime'] = cur['startTime'] ?? job.metadata.creationTimestamp;
    setStatus(ctx, ctx.t.jobs, job, next);
  }
}
