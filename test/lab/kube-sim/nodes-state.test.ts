// Node readiness follows the lab's probe, and the state file replays a cluster across restarts.
import * as k8s from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSim, waitFor } from './helpers.js';

const readyOf = (n: k8s.V1Node | undefined) => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status;

describe('nodes and state', () => {
  it('a node is NotReady while its probe fails: pods there lose Ready, nothing is scheduled there, it recovers', async () => {
    let up = true;
    const sim = await startSim({ seed: 'k3s-calico', nodes: [{ name: 'cp', internalIP: '10.99.1.1' }, { name: 'w1', internalIP: '10.99.1.2', isReachable: async () => up }] });
    try {
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(sim.kubeconfigPath);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const cp = await core.readNode({ name: 'cp' });
      expect(cp.metadata?.labels).toMatchObject({ 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true', 'kubernetes.io/hostname': 'cp' });
      expect(cp.status?.addresses).toContainEqual({ type: 'InternalIP', address: '10.99.1.1' });
      up = false;
      await waitFor('w1 NotReady', async () => readyOf(await core.readNode({ name: 'w1' })) === 'Unknown', 5000);
      const w1 = await core.readNode({ name: 'w1' });
      expect(w1.spec?.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual(['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
      await waitFor('pods on w1 unready', async () => {
        const pods = (await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=w1' })).items;
        return pods.length > 0 && pods.every((p) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False');
      });
      await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'late' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
      const late = await waitFor('late scheduled', async () => (await core.readNamespacedPod({ name: 'late', namespace: 'default' })).spec?.nodeName);
      expect(late).toBe('cp');
      up = true;
      await waitFor('w1 Ready again', async () => readyOf(await core.readNode({ name: 'w1' })) === 'True', 5000);
      expect((await core.readNode({ name: 'w1' })).spec?.taints).toBeUndefined();
    } finally {
      await sim.close();
    }
  });

  it('pods terminate gracefully: Terminating while their node is down, gone when it returns or on a forced delete', async () => {
    let up = true;
    const sim = await startSim({ seed: 'empty', nodes: [{ name: 'n1', internalIP: '10.99.2.1', isReachable: () => up }] });
    try {
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(sim.kubeconfigPath);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      for (const name of ['a', 'b']) await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
      await waitFor('pods running', async () => (await core.listNamespacedPod({ namespace: 'default' })).items.every((p) => p.status?.phase === 'Running'));
      up = false;
      await waitFor('n1 NotReady', async () => readyOf(await core.readNode({ name: 'n1' })) === 'Unknown', 5000);
      const deleted = await core.deleteNamespacedPod({ name: 'a', namespace: 'default' });
      expect(deleted.metadata?.deletionGracePeriodSeconds).toBe(30);
      await new Promise((r) => setTimeout(r, 500));
      expect((await core.readNamespacedPod({ name: 'a', namespace: 'default' })).metadata?.deletionTimestamp).toBeInstanceOf(Date);
      await core.deleteNamespacedPod({ name: 'b', namespace: 'default', gracePeriodSeconds: 0 }); // kubectl delete --force --grace-period=0
      await core.deleteNamespacedPod({ name: 'b', namespace: 'default', gracePeriodSeconds: 0 }).catch(() => undefined);
      expect((await core.listNamespacedPod({ namespace: 'default', fieldSelector: 'metadata.name=b' })).items).toEqual([]);
      up = true;
      await waitFor('a gone once n1 is back', async () => (await core.listNamespacedPod({ namespace: 'default', fieldSelector: 'metadata.name=a' })).items.length === 0, 5000);
    } finally {
      await sim.close();
    }
  });

  it('the state file is written on change and loaded on the next start', async () => {
    const first = await startSim({ seed: 'empty' });
    const stateFile = join(first.dir, 'state.json');
    await first.close();
    const a = await startSim({ seed: 'empty', stateFile, dir: first.dir });
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(a.kubeconfigPath);
    const made = await kc.makeApiClient(k8s.CoreV1Api).createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'kept' }, data: { x: '1' } } });
    await a.close();
    expect(existsSync(stateFile)).toBe(true);
    const b = await startSim({ seed: 'empty', stateFile, dir: first.dir });
    try {
      const kc2 = new k8s.KubeConfig();
      kc2.loadFromFile(b.kubeconfigPath);
      const back = await kc2.makeApiClient(k8s.CoreV1Api).readNamespacedConfigMap({ name: 'kept', namespace: 'default' });
      expect(back.metadata?.uid).toBe(made.metadata?.uid);
      expect(back.data).toEqual({ x: '1' });
      expect(Number(back.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(made.metadata?.resourceVersion));
      expect(b.store.get('v1', 'ConfigMap', 'default', 'kept')?.data).toEqual({ x: '1' });
    } finally {
      await b.close();
    }
  });

  it('numeric seeds give identical clusters (same uids and pod names)', async () => {
    const a = await startSim({ seed: 7 });
    const b = await startSim({ seed: 7 });
    try {
      const names = (s: typeof a) => s.store.list('v1', 'Pod').map((p) => `${p.metadata.namespace}/${p.metadata.name} ${p.metadata.uid}`);
      expect(names(a).length).toBeGreaterThan(10);
      expect(names(a)).toEqual(names(b));
    } finally {
      await a.close();
      await b.close();
    }
  });
});
