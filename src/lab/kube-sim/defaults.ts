/**
 * Defaulting a real API server applies on create, limited to the fields clients read back
 * (kubectl rollout status reads strategy/updateStrategy; drain reads pod ownerReferences...).
 */
import type { KObject, ResourceType } from './types.js';
import { jobDefaults } from './validate-job.js';

type O = Record<string, unknown>;
const obj = (o: O, k: string): O => ((o[k] ??= {}) as O);

export function applyDefaults(rt: ResourceType, o: KObject): void {
  if (!rt.builtin) return;
  const spec = rt.kind === 'Namespace' || rt.kind === 'ConfigMap' || rt.kind === 'Secret' || rt.kind === 'Event' || rt.kind === 'ServiceAccount' || rt.kind === 'Endpoints' ? undefined : obj(o, 'spec');
  switch (rt.kind) {
    case 'Namespace':
      obj(o, 'spec').finalizers ??= ['kubernetes'];
      obj(o, 'status').phase ??= 'Active';
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name ?? '' };
      break;
    case 'Deployment':
      spec!['replicas'] ??= 1;
      spec!['revisionHistoryLimit'] ??= 10;
      spec!['progressDeadlineSeconds'] ??= 600;
      if (!(spec!['strategy'] as O | undefined)?.['type']) spec!['strategy'] = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
      podTemplate(spec!);
      break;
    case 'DaemonSet':
      spec!['revisionHistoryLimit'] ??= 10;
      spec!['updateStrategy'] ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
      podTemplate(spec!);
      break;
    case 'StatefulSet':
      spec!['replicas'] ??= 1;
      spec!['podManagementPolicy'] ??= 'OrderedReady';
      spec!['updateStrategy'] ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
      spec!['revisionHistoryLimit'] ??= 10;
      podTemplate(spec!);
      break;
    case 'ReplicaSet':
      spec!['replicas'] ??= 1;
      podTemplate(spec!);
      break;
    case 'Pod':
      podSpec(spec!);
      obj(o, 'status').phase ??= 'Pending';
      (o['status'] as O)['qosClass'] ??= 'BestEffort';
      break;
    case 'Service':
      spec!['type'] ??= 'ClusterIP';
      spec!['sessionAffinity'] ??= 'None';
      for (const p of (spec!['ports'] as O[] | undefined) ?? []) {
        p['protocol'] ??= 'TCP';
        p['targetPort'] ??= p['port'];
      }
      break;
    case 'Job':
      jobDefaults(o, spec!);
      podTemplate(spec!);
      break;
    case 'PodDisruptionBudget':
      break;
  }
}

function podTemplate(spec: O): void {
  const t = obj(spec, 'template');
  podSpec(obj(t, 'spec'));
}

function podSpec(s: O): void {
  s['restartPolicy'] ??= 'Always';
  s['terminationGracePeriodSeconds'] ??= 30;
  s['dnsPolicy'] ??= 'ClusterFirst';
  s['schedulerName'] ??= 'default-scheduler';
  s['securityContext'] ??= {};
  for (const c of (s['containers'] as O[] | undefined) ?? []) {
    c['imagePullPolicy'] ??= String(c['image'] ?? '').endsWith(':latest') || !String(c['image'] ?? '').includes(':') ? 'Always' : 'IfNotPresent';
    c['terminationMessagePath'] ??= '/dev/termination-log';
    c['terminationMessagePolicy'] ??= 'File';
    c['resources'] ??= {};
    for (const p of (c['ports'] as O[] | undefined) ?? []) p['protocol'] ??= 'TCP';
  }
}
