/**
 * batch/v1 Job: the API server's validation (pkg/apis/batch/validation, the rules a rendered
 * Job can break) and defaulting (the generated selector and labels, completions/parallelism,
 * completionMode, backoffLimit) for the simulator.
 */
import type { KObject } from './types.js';

type O = Record<string, unknown>;
interface JobSpec {
  completions?: number;
  parallelism?: number;
  completionMode?: string;
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  manualSelector?: boolean;
  selector?: O;
  template?: { metadata?: { labels?: Record<string, string> }; spec?: { restartPolicy?: string; containers?: Array<{ name?: string; image?: string }> } };
}
type Cause = { field: string; message: string; reason?: string };

/** The Indexed mode's ceiling on completions and parallelism. */
const INDEXED_MAX = 100_000;

const nonNegative = (causes: Cause[], field: string, v: unknown) => {
  if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) causes.push({ field, message: `Invalid value: ${JSON.stringify(v)}: must be greater than or equal to 0` });
};

export function jobCauses(o: KObject): Cause[] {
  const s = (o['spec'] ?? {}) as JobSpec;
  const causes: Cause[] = [];
  nonNegative(causes, 'spec.completions', s.completions);
  nonNegative(causes, 'spec.parallelism', s.parallelism);
  nonNegative(causes, 'spec.backoffLimit', s.backoffLimit);
  nonNegative(causes, 'spec.backoffLimitPerIndex', s.backoffLimitPerIndex);
  nonNegative(causes, 'spec.maxFailedIndexes', s.maxFailedIndexes);
  const mode = s.completionMode ?? 'NonIndexed';
  if (mode !== 'NonIndexed' && mode !== 'Indexed') causes.push({ field: 'spec.completionMode', message: `Unsupported value: "${mode}": supported values: "NonIndexed", "Indexed"`, reason: 'FieldValueNotSupported' });
  if (mode === 'Indexed') {
    if (s.completions === undefined) causes.push({ field: 'spec.completions', message: 'Required value: when completion mode is Indexed', reason: 'FieldValueRequired' });
    else if (s.completions > INDEXED_MAX) causes.push({ field: 'spec.completions', message: `Invalid value: ${s.completions}: must be less than or equal to ${INDEXED_MAX} when completion mode is Indexed` });
    if ((s.parallelism ?? 0) > INDEXED_MAX) causes.push({ field: 'spec.parallelism', message: `Invalid value: ${s.parallelism}: must be less than or equal to ${INDEXED_MAX} when completion mode is Indexed` });
  }
  if (s.backoffLimitPerIndex !== undefined && mode !== 'Indexed') causes.push({ field: 'spec.backoffLimitPerIndex', message: `Invalid value: ${s.backoffLimitPerIndex}: requires indexed completion mode` });
  if (s.maxFailedIndexes !== undefined) {
    if (s.backoffLimitPerIndex === undefined) causes.push({ field: 'spec.maxFailedIndexes', message: `Invalid value: ${s.maxFailedIndexes}: requires the backoffLimitPerIndex to be set` });
    else if (s.completions !== undefined && s.maxFailedIndexes > s.completions) causes.push({ field: 'spec.maxFailedIndexes', message: `Invalid value: ${s.maxFailedIndexes}: must be less than or equal to completions` });
  }
  if (s.selector !== undefined && s.manualSelector !== true) causes.push({ field: 'spec.selector', message: `Invalid value: ${JSON.stringify(s.selector)}: \`selector\` will be auto-generated` });
  const restart = s.template?.spec?.restartPolicy;
  if (restart !== 'Never' && restart !== 'OnFailure') {
    causes.push(restart === undefined
      ? { field: 'spec.template.spec.restartPolicy', message: 'Required value: valid values: "OnFailure", "Never"', reason: 'FieldValueRequired' }
      : { field: 'spec.template.spec.restartPolicy', message: `Unsupported value: "${restart}": supported values: "OnFailure", "Never"`, reason: 'FieldValueNotSupported' });
  } else if (s.backoffLimitPerIndex !== undefined && restart !== 'Never') {
    causes.push({ field: 'spec.template.spec.restartPolicy', message: `Invalid value: "${restart}": must be Never when backoffLimitPerIndex is specified` });
  }
  const containers = s.template?.spec?.containers ?? [];
  if (containers.length === 0) causes.push({ field: 'spec.template.spec.containers', message: 'Required value', reason: 'FieldValueRequired' });
  containers.forEach((c, i) => {
    if (!c.name) causes.push({ field: `spec.template.spec.containers[${i}].name`, message: 'Required value', reason: 'FieldValueRequired' });
    if (!c.image) causes.push({ field: `spec.template.spec.containers[${i}].image`, message: 'Required value', reason: 'FieldValueRequired' });
  });
  return causes;
}

/** Defaults as the API server sets them on create (the selector from the Job's uid). */
export function jobDefaults(o: KObject, spec: O): void {
  const uid = o.metadata.uid ?? '';
  const name = o.metadata.name ?? '';
  if (spec['completions'] === undefined && spec['parallelism'] === undefined) {
    spec['completions'] = 1;
    spec['parallelism'] = 1;
  }
  spec['parallelism'] ??= 1;
  spec['completionMode'] ??= 'NonIndexed';
  spec['backoffLimit'] ??= spec['backoffLimitPerIndex'] !== undefined ? 2147483647 : 6;
  spec['suspend'] ??= false;
  spec['podReplacementPolicy'] ??= 'TerminatingOrFailed';
  if (spec['manualSelector'] !== true) {
    const generated = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name };
    spec['selector'] = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
    const t = (spec['template'] ??= {}) as O;
    const meta = (t['metadata'] ??= {}) as O;
    meta['labels'] = { ...((meta['labels'] as Record<string, string> | undefined) ?? {}), ...generated };
  }
}
