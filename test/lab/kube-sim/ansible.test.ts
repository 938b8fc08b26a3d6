// ansible-core's kubernetes.core collection (Python kubernetes client) against the simulator:
// ansible-playbook -c local with K8S_AUTH_KUBECONFIG pointing at the simulator's kubeconfig.
// The JSON stdout callback gives each task's result for the assertions.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmd, startSim } from './helpers.js';

type Sim = Awaited<ReturnType<typeof startSim>>;
let sim: Sim;

interface TaskResult {
  changed?: boolean;
  failed?: boolean;
  msg?: string;
  [k: string]: unknown;
}

async function playbook(name: string, tasks: string): Promise<{ code: number; results: Record<string, TaskResult>; raw: string }> {
  const file = join(sim.dir, `${name}.yml`);
  writeFileSync(file, `- hosts: localhost\n  gather_facts: false\n  tasks:\n${tasks}`);
  const r = await cmd('ansible-playbook', ['-c', 'local', '-i', 'localhost,', file], sim, undefined, {
    K8S_AUTH_KUBECONFIG: sim.kubeconfigPath,
    ANSIBLE_STDOUT_CALLBACK: 'json',
    ANSIBLE_LOCAL_TEMP: join(sim.dir, 'ansible-tmp'),
    ANSIBLE_NOCOLOR: '1',
  });
  const out = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { plays: Array<{ tasks: Array<{ task: { name: string }; hosts: Record<string, TaskResult> }> }> };
  const results: Record<string, TaskResult> = {};
  for (const t of out.plays[0]!.tasks) results[t.task.name] = t.hosts['localhost']!;
  return { code: r.code, results, raw: r.stdout };
}

beforeAll(async () => {
  sim = await startSim({ seed: 'k3s-calico' });
});
afterAll(() => sim?.close());

describe('kubernetes.core against the simulator', () => {
  it('k8s create/no-op/update, check mode through dry-run, CRD then CR, server-side apply; k8s_info selectors and wait', async () => {
    const { code, results: r, raw } = await playbook(
      'k8s',
      `
    - name: ns
      kubernetes.core.k8s: {kind: Namespace, name: mig}
    - name: cm create
      kubernetes.core.k8s:
        definition: {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: mig, labels: {app: x}}, data: {a: "1"}}
    - name: cm again
      kubernetes.core.k8s:
        definition: {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: mig, labels: {app: x}}, data: {a: "1"}}
    - name: cm check mode
      check_mode: true
      kubernetes.core.k8s:
        definition: {apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: mig}, data: {a: "dry"}}
    - name: cm read back
      kubernetes.core.k8s_info: {kind: ConfigMap, namespace: mig, name: c}
    - name: crd
      kubernetes.core.k8s:
        wait: true
        wait_condition: {type: Established}
        definition:
          apiVersion: apiextensions.k8s.io/v1
          kind: CustomResourceDefinition
          metadata: {name: ciliumnodeconfigs.cilium.io}
          spec:
            group: cilium.io
            scope: Namespaced
            names: {kind: CiliumNodeConfig, plural: ciliumnodeconfigs, singular: ciliumnodeconfig, listKind: CiliumNodeConfigList}
            versions:
              - {name: v2, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
    - name: cr
      kubernetes.core.k8s:
        definition:
          apiVersion: cilium.io/v2
          kind: CiliumNodeConfig
          metadata: {name: cilium-default, namespace: kube-system}
          spec: {nodeSelector: {matchLabels: {io.cilium.migration/cilium-default: "true"}}, defaults: {custom-cni-conf: "false"}}
    - name: ssa
      kubernetes.core.k8s:
        apply: true
        server_side_apply: {field_manager: ansible, force_conflicts: true}
        definition: {apiVersion: v1, kind: ConfigMap, metadata: {name: applied, namespace: mig}, data: {k: v}}
    - name: calico pods on node2
      kubernetes.core.k8s_info: {kind: Pod, namespace: calico-system, label_selectors: [k8s-app=calico-node], field_selectors: [spec.nodeName=node2]}
    - name: node ready
      kubernetes.core.k8s_info: {kind: Node, name: node1, wait: true, wait_condition: {type: Ready, status: "True"}, wait_timeout: 10}
    - name: ippools
      kubernetes.core.k8s_info: {api_version: crd.projectcalico.org/v1, kind: IPPool}
`,
    );
    expect(code, raw).toBe(0);
    expect(r['ns']).toMatchObject({ changed: true, method: 'create' });
    expect(r['cm create']).toMatchObject({ changed: true, method: 'create' });
    expect(r['cm again']).toMatchObject({ changed: false });
    expect(r['cm check mode']).toMatchObject({ changed: true });
    expect((r['cm read back']!['resources'] as Array<{ data: unknown }>)[0]!.data).toEqual({ a: '1' });
    expect(r['crd']).toMatchObject({ changed: true });
    expect(r['cr']).toMatchObject({ changed: true, method: 'create' });
    expect(r['ssa']).toMatchObject({ changed: true });
    const pods = r['calico pods on node2']!['resources'] as Array<{ spec: { nodeName: string } }>;
    expect(pods.map((p) => p.spec.nodeName)).toEqual(['node2']);
    expect(r['node ready']!['resources']).toHaveLength(1);
    expect((r['ippools']!['resources'] as Array<{ spec: { cidr: string } }>).map((p) => p.spec.cidr)).toEqual(['10.42.0.0/16']);
  }, 90_000);

  it('k8s_drain: cordon, drain with the DaemonSet pods ignored, uncordon; blocked evictions fail after wait_timeout', async () => {
    const { code, results: r, raw } = await playbook(
      'drain',
      `
    - name: tighten
      kubernetes.core.k8s:
        state: patched
        kind: PodDisruptionBudget
        api_version: policy/v1
        namespace: apps
        name: web
        definition: {spec: {minAvailable: 3}}
    - name: pause
      ansible.builtin.pause: {seconds: 1}
    - name: blocked drain
      ignore_errors: true
      kubernetes.core.k8s_drain: {name: node3, delete_options: {ignore_daemonsets: true, wait_timeout: 3, wait_sleep: 1}}
    - name: relax
      kubernetes.core.k8s:
        state: patched
        kind: PodDisruptionBudget
        api_version: policy/v1
        namespace: apps
        name: web
        definition: {spec: {minAvailable: 2}}
    - name: pause again
      ansible.builtin.pause: {seconds: 1}
    - name: drain
      kubernetes.core.k8s_drain: {name: node3, delete_options: {ignore_daemonsets: true, wait_timeout: 30, wait_sleep: 1}}
    - name: left on node3
      kubernetes.core.k8s_info: {kind: Pod, field_selectors: [spec.nodeName=node3]}
    - name: uncordon
      kubernetes.core.k8s_drain: {name: node3, state: uncordon}
`,
    );
    expect(code, raw).toBe(0);
    expect(r['blocked drain']!.failed).toBe(true);
    expect(String(r['blocked drain']!.msg)).toMatch(/Too Many Requests|disruption budget/i);
    expect(r['drain']).toMatchObject({ changed: true });
    expect(String(r['drain']!['result'])).toMatch(/^node node3 already marked unschedulable\. \d+ Pod\(s\) deleted from node\.$/); // the blocked drain left it cordoned;
    const left = r['left on node3']!['resources'] as Array<{ metadata: { ownerReferences?: Array<{ kind: string }> } }>;
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((p) => p.metadata.ownerReferences?.[0]?.kind === 'DaemonSet')).toBe(true);
    expect(r['uncordon']).toMatchObject({ changed: true });
  }, 90_000);
});
