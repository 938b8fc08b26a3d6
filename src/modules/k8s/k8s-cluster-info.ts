/**
 * k8s_cluster_info (kubernetes.core.k8s_cluster_info): the API server's version and APIs.
 *
 * Arguments: invalidate_cache (default true: rediscover), kubeconfig, context ... (client/auth.ts)
 * Returns: apis {"<group>/<version>" (or "v1"): {Kind: {name, namespaced, preferred,
 *   short_names, singular_name, categories}}}, connection {host, verify_ssl, ...},
 *   version {client, server: /version's answer}, changed false.
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import type { ModuleDefinition } from '../types.js';
import { authFields, bool, clientFor } from './client/common.js';

const schema = z.object({ ...authFields, invalidate_cache: bool.optional() }).strict();
type Args = z.infer<typeof schema>;

function clientVersion(): string {
  try {
    return (createRequire(import.meta.url)('@kubernetes/client-node/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export const k8sClusterInfoModule: ModuleDefinition<Args> = {
  name: 'k8s_cluster_info',
  aliases: ['kubernetes.core.k8s_cluster_info'],
  runsOn: 'controller',
  schema,
  async run(ctx) {
    const client = clientFor(ctx);
    const refresh = ctx.args.invalidate_cache ?? true;
    const gvs = await client.groupVersions(refresh);
    const preferred = new Set<string>();
    const seenGroup = new Set<string>();
    for (const gv of gvs) {
      const group = gv.includes('/') ? gv.split('/')[0]! : '';
      if (!seenGroup.has(group)) {
        seenGroup.add(group);
        preferred.add(gv);
      }
    }
    const apis: Record<string, Record<string, unknown>> = {};
    for (const gv of gvs) {
      const list = await client.resourcesOf(gv, refresh);
      if (!list) continue;
      const entry = (apis[gv] ??= {});
      for (const r of list) {
        entry[r.kind] = { categories: [], name: r.name, namespaced: r.namespaced, preferred: preferred.has(gv), short_names: r.shortNames, singular_name: r.singularName || r.kind.toLowerCase() };
      }
    }
    const server = await client.request('GET', '/version', { verb: 'get', resource: 'version' });
    const cluster = client.kc.getCurrentCluster();
    const user = client.kc.getCurrentUser();
    return {
      changed: false,
      apis,
      connection: {
        cert_file: user?.certFile ?? null,
        host: client.server,
        password: null,
        proxy: cluster?.proxyUrl ?? null,
        ssl_ca_cert: cluster?.caFile ?? null,
        username: user?.username ?? null,
        verify_ssl: !cluster?.skipTLSVerify,
      },
      version: { client: clientVersion(), server: { kubernetes: server } },
    };
  },
};
