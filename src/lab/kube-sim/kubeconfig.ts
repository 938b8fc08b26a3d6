/** The lab's kubeconfig: plain HTTP on loopback with a bearer token. insecure-skip-tls-verify is set because @kubernetes/client-node refuses an http server without it (kubectl and the Python client ignore it for http). */
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export function writeKubeconfig(path: string, url: string, token: string): void {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'philote-lab', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'philote-admin', user: { token } }],
    contexts: [{ name: 'philote-lab', context: { cluster: 'philote-lab', user: 'philote-admin', namespace: 'default' } }],
    'current-context': 'philote-lab',
    preferences: {},
  };
  writeFileSync(path, stringify(doc), { mode: 0o600 });
}
