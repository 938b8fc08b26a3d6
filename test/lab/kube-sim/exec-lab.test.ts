// pods/exec on a netns lab (`createLab({ kube: true })`): a pod's command runs inside its node's
// namespaces (network, mount, UTS) as the lab login user with PATH as its only variable, through
// kubectl and philote's k8s_exec. Root only (the lab needs it); skipped otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../../src/lab/netns/lab.js';
import { clearClientCache } from '../../../src/modules/k8s/client/client.js';
import { call } from '../../modules/k8s/ctx.js';
import { kubectl, waitFor } from './helpers.js';

const isRoot = process.platform === 'linux' && process.getuid?.() === 0;

describe.skipIf(!isRoot)('pods/exec on a lab node', () => {
  let lab: Lab;
  let k: { kubeconfigPath: string; dir: string };
  beforeAll(async () => {
    lab = await createLab({ name: 'exectest', nodes: 2, kube: true });
    k = { kubeconfigPath: lab.kubeconfigPath!, dir: lab.dir };
    clearClientCache();
    const run = await kubectl(k, ['run', 'box', '--image=busybox', '--restart=Never', '--overrides={"spec":{"nodeName":"node2"}}']);
    expect(run.code).toBe(0);
    await waitFor('box running', async () => (await kubectl(k, ['get', 'pod', 'box', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', 20_000);
  }, 60_000);
  afterAll(async () => {
    await lab?.down();
  });

  it('kubectl exec runs in node2 as the login user with PATH only; the exit code comes back', async () => {
    const node2 = lab.nodes.find((n) => n.name === 'node2')!;
    const r = await kubectl(k, ['exec', 'box', '--', 'sh', '-c', 'id -un; hostname; ip -4 -o addr show dev eth0; pwd; env | grep -v "^PWD=\\|^SHLVL=\\|^_="; exit 4']);
    expect(r.code).toBe(4);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('phl');
    expect(lines[1]).toBe('node2');
    expect(lines[2]).toContain(`inet ${node2.address}/`);
    expect(lines.slice(3)).toEqual(['/', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(r.stderr).toBe('command terminated with exit code 4\n');
  });

  it('kubectl exec -i forwards stdin; the node has its own private files', async () => {
    const r = await kubectl(k, ['exec', '-i', 'box', '--', 'sh', '-c', 'cat; cat /var/lib/lab/boot_id | wc -l'], 'from stdin\n');
    expect(r).toMatchObject({ code: 0, stdout: 'from stdin\n1\n' });
  });

  it('k8s_exec gives the same view', async () => {
    const r = await call('k8s_exec', { kubeconfig: lab.kubeconfigPath, namespace: 'default', pod: 'box', command: 'sh -c "id -un; hostname"' });
    expect(r).toMatchObject({ changed: true, failed: false, rc: 0, stdout_lines: ['phl', 'node2'] });
  });
});
