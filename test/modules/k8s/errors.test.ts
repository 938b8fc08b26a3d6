// Errors that need no API server: a missing kubeconfig, an API that does not answer (a closed
// port on 127.0.0.1), bad arguments. Kubeconfigs live in temp dirs, never ~/.kube/config.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PhiloteError } from '../../../src/errors.js';
import { call } from './ctx.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir('philote-k8s-err-');

async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function kubeconfigFor(server: string): string {
  const p = join(dir, `kc-${Math.random().toString(36).slice(2)}`);
  writeFileSync(
    p,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
  );
  return p;
}

describe('k8s errors', () => {
  it('a missing kubeconfig file is a kube error naming the file', async () => {
    const err = await call('k8s_info', { kind: 'Pod', kubeconfig: join(dir, 'absent.yaml') }).catch((e) => e);
    expect(err).toBeInstanceOf(PhiloteError);
    expect(err.kind).toBe('kube');
    expect(err.message).toMatch(/kubeconfig file '.*absent\.yaml' does not exist/);
  });

  it('no kubeconfig anywhere says where it looked', async () => {
    const env = { HOME: dir, KUBECONFIG: '', K8S_AUTH_KUBECONFIG: '' };
    const err = await call('k8s', { kind: 'Namespace', name: 'x' }, { environment: env }).catch((e) => e);
    expect(err.kind).toBe('kube');
    expect(err.message).toMatch(/no kubeconfig found \(looked in .*\.kube\/config\)/);
  });

  it('an unreachable API (closed port on 127.0.0.1) names the server and what was tried', async () => {
    const port = await closedPort();
    for (const server of [`http://127.0.0.1:${port}`, `https://127.0.0.1:${port}`]) {
      const kubeconfig = kubeconfigFor(server);
      const err = await call('kubernetes.core.k8s_drain', { name: 'node1', state: 'cordon', kubeconfig }).catch((e) => e);
      expect(err.kind).toBe('kube');
      expect(err.message).toBe(`cannot reach the Kubernetes API at ${server} (ECONNREFUSED) while trying to get nodes/node1`);
    }
    const viaEnv = await call('k8s', { kind: 'ConfigMap', name: 'c', namespace: 'd' }, { environment: { K8S_AUTH_KUBECONFIG: kubeconfigFor(`http://127.0.0.1:${port}`) } }).catch((e) => e);
    expect(viaEnv.message).toMatch(/ECONNREFUSED\) while trying to discover v1/);
  });

  it('bad arguments fail validation before anything runs', async () => {
    expect(await call('k8s', { state: 'gone', kind: 'Pod' })).toMatchObject({ failed: true, invalid: true });
    expect(await call('k8s_drain', { state: 'drain' })).toMatchObject({ failed: true, invalid: true });
    expect(await call('k8s_info', { kind: 'Pod', bogus: 1 })).toMatchObject({ failed: true, invalid: true });
  });
});
