/** The few validations clients observe (422 Invalid with field causes), checked on create/update. */
import { invalid } from './errors.js';
import { matchesSelector, type LabelSelector } from './selectors.js';
import type { KObject, ResourceType } from './types.js';
import { jobCauses } from './validate-job.js';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/** Kinds whose names must be DNS labels rather than subdomains. */
const LABEL_NAMED = new Set(['Namespace', 'Service']);

export function validate(rt: ResourceType, o: KObject): void {
  const name = o.metadata.name ?? '';
  const causes: Array<{ field: string; message: string; reason?: string }> = [];
  if (!name) causes.push({ field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' });
  else if (LABEL_NAMED.has(rt.kind) && rt.builtin ? !LABEL.test(name) || name.length > 63 : !SUBDOMAIN.test(name) || name.length > 253) {
    causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": ${LABEL_NAMED.has(rt.kind) ? LABEL_MSG : SUBDOMAIN_MSG}` });
  }
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (typeof v !== 'string' || v.length > 63 || (v !== '' && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(v))) {
      causes.push({ field: 'metadata.labels', message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` });
    }
    if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(k)) causes.push({ field: 'metadata.labels', message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'` });
  }
  if (rt.builtin && ['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet'].includes(rt.kind)) {
    const spec = (o['spec'] ?? {}) as { selector?: LabelSelector; template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: unknown[] } } };
    if (!spec.selector) causes.push({ field: 'spec.selector', message: 'Required value', reason: 'FieldValueRequired' });
    else if (!matchesSelector(spec.selector, spec.template?.metadata?.labels)) {
      causes.push({ field: 'spec.template.metadata.labels', message: `Invalid value: ${JSON.stringify(spec.template?.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\`` });
    }
    if (!spec.template?.spec?.containers?.length) causes.push({ field: 'spec.template.spec.containers', message: 'Required value', reason: 'FieldValueRequired' });
  }
  if (rt.builtin && rt.kind === 'Pod') {
    const spec = (o['spec'] ?? {}) as { containers?: unknown[] };
    if (!spec.containers?.length) causes.push({ field: 'spec.containers', message: 'Required value', reason: 'FieldValueRequired' });
  }
  if (rt.builtin && rt.kind === 'Job') causes.push(...jobCauses(o));
  if (causes.length) throw invalid(rt, name, causes);
}
