/**
 * kubernetes.core.k8s lookup against the repository's Kubernetes API simulator, differential:
 * the same templates are rendered by ansible-core 2.14's Templar with Debian's kubernetes.core
 * (python3-kubernetes) and by philote, both reading one simulator (the lookups only read), and
 * the results must be equal. Objects are created first with kubectl.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOracle, runPhilote, type Case } from '../conformance/template/harness.js';

const SIM_MAIN = fileURLToPath(new URL('../../src/lab/kube-sim/main.ts', import.meta.url));
const simAvailable = existsSync(SIM_MAIN);

const haveOracle = existsSync('/usr/lib/python3/dist-packages/kubernetes') && existsSync('/usr/lib/python3/dist-packages/ansible_collections/kubernetes');
let sim: { kubeconfigPath: string };
let simProc: ChildProcess | undefined;
const dir = mkdtempSync(join(tmpdir(), 'phl-k8slookup-'));

/**
 * The simulator runs as its own process: the lookup (like ansible-core's) blocks its caller
 * until the API answers, so an API server inside the test's own event loop could never answer.
 */
function startSimProcess(): Promise<{ kubeconfigPath: string }> {
  return new Promise((resolve, reject) => {
    simProc = spawn(process.execPath, ['--import', 'tsx', SIM_MAIN, '--dir', dir, '--nodes', 'n1,n2', '--seed', 'empty', '--cni', 'none'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    simProc.stdout!.on('data', (d) => {
      out += d;
      const m = /export KUBECONFIG=(\S+)/.exec(out);
      if (m) resolve({ kubeconfigPath: m[1]! });
    });
    simProc.on('exit', (code) => reject(new Error(`simulator exited (${code}): ${out}`)));
  });
}

describe.skipIf(!simAvailable || !haveOracle)('kubernetes.core.k8s lookup (differential against ansible-core 2.14, simulator)', () => {
  beforeAll(async () => {
    sim = await startSimProcess();
    const kubectl = (...a: string[]) => execFileSync('kubectl', ['--kubeconfig', sim.kubeconfigPath, ...a], { encoding: 'utf8' });
    kubectl('create', 'namespace', 'lk');
    kubectl('-n', 'lk', 'create', 'configmap', 'alpha', '--from-literal=a=1');
    kubectl('-n', 'lk', 'create', 'configmap', 'beta', '--from-literal=b=2');
    kubectl('-n', 'lk', 'label', 'configmap', 'beta', 'tier=db');
  }, 60_000);
  afterAll(async () => {
    if (simProc?.pid) process.kill(simProc.pid, 'SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets one object, lists with selectors, finds nothing, and fails on an unknown kind as kubernetes.core does', () => {
    const kc = sim.kubeconfigPath;
    const L = (args: string) => `lookup('kubernetes.core.k8s', kubeconfig='${kc}', ${args})`;
    const Q = (args: string) => `query('kubernetes.core.k8s', kubeconfig='${kc}', ${args})`;
    const templates = [
      `{{ ${L("kind='ConfigMap', namespace='lk', resource_name='alpha'")}.data }}`,
      `{{ ${L("kind='ConfigMap', namespace='lk', resource_name='alpha'")}.metadata.name }}`,
      `{{ ${Q("kind='ConfigMap', namespace='lk'")} | map(attribute='metadata.name') | sort }}`,
      `{{ ${Q("kind='ConfigMap', namespace='lk', label_selector='tier=db'")} | map(attribute='data') | list }}`,
      `{{ ${Q("kind='ConfigMap', namespace='lk', field_selector='metadata.name=alpha'")} | length }}`,
      `{{ ${Q("kind='ConfigMap', namespace='lk', resource_name='missing'")} }}`,
      `{{ ${Q("kind='Namespace', resource_name='lk'")} | map(attribute='metadata.name') | list }}`,
      `{{ ${Q("resource_definition={'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'beta', 'namespace': 'lk'}}")} | map(attribute='metadata.labels') | list }}`,
      `{{ ${Q("kind='Node'")} | map(attribute='metadata.name') | sort }}`,
      `{{ ${Q("kind='Deployment', api_version='apps/v1', namespace='lk'")} }}`,
      `{{ ${Q("kind='NoSuchKind', namespace='lk'")} }}`,
      `{{ ${Q("namespace='lk'")} }}`,
    ];
    const cases: Case[] = templates.map((t) => ({ t, v: {}, mode: 'render' }));
    const want = runOracle(cases);
    const got = runPhilote(cases);
    const wrong: string[] = [];
    cases.forEach((c, i) => {
      const w = want[i]!;
      const g = got[i]!;
      if ('error' in w) {
        const core = (g as { message?: string }).message?.split('\n')[0]?.replace(/\. String: .*$/, '') ?? '';
        if (!('error' in g) || g.error === 'crash' || !w.message.includes(core)) wrong.push(`${c.t}: ansible failed (${w.message}), philote ${JSON.stringify(g)}`);
      } else if (JSON.stringify(g) !== JSON.stringify(w)) wrong.push(`${c.t}:\n ansible ${JSON.stringify(w)}\n philote ${JSON.stringify(g)}`);
    });
    expect(wrong).toEqual([]);
    expect(got[0]).toEqual({ kind: 'dict', value: { a: '1' } });
    expect(want.filter((r) => 'error' in r)).toHaveLength(2);
  }, 120_000);
});
