/**
 * Connection settings shared by every k8s module, as kubernetes.core's AUTH_ARG_SPEC:
 *   kubeconfig (path or dict), context, host, api_key, username, password,
 *   validate_certs (verify_ssl), ca_cert (ssl_ca_cert), client_cert (cert_file),
 *   client_key (key_file), proxy, no_proxy, persist_config, impersonate_user, impersonate_groups.
 * An argument left out is read from K8S_AUTH_<ARG> (or K8S_AUTH_<client name>, e.g.
 * K8S_AUTH_VERIFY_SSL, K8S_AUTH_SSL_CA_CERT) in the task environment, then the controller's.
 *
 * Resolution order, as kubernetes.core's client.py:
 *   1. host with api_key, username+password, or client_cert+client_key: no kubeconfig needed;
 *   2. kubeconfig or context given: that kubeconfig (or the default one) and context;
 *   3. otherwise in-cluster (service account), then the default kubeconfig
 *      (KUBECONFIG, colon-separated, else ~/.kube/config).
 * host/api_key/validate_certs/ca_cert/client_cert/client_key then override what was loaded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Cluster, KubeConfig, User } from '@kubernetes/client-node';
import { clientNode } from './client-node.js';
import { z } from 'zod';
import { parseBoolean } from '../../../values/booleans.js';
import { PhiloteError } from '../../../errors.js';

const boolish = z.preprocess((v) => parseBoolean(v) ?? v, z.boolean());

/** zod fields of the auth arguments; spread into each module's schema. */
export const authFields = {
  kubeconfig: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  context: z.string().optional(),
  host: z.string().optional(),
  api_key: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  validate_certs: boolish.optional(),
  verify_ssl: boolish.optional(),
  ca_cert: z.string().optional(),
  ssl_ca_cert: z.string().optional(),
  client_cert: z.string().optional(),
  cert_file: z.string().optional(),
  client_key: z.string().optional(),
  key_file: z.string().optional(),
  proxy: z.string().optional(),
  no_proxy: z.string().optional(),
  proxy_headers: z.record(z.string(), z.unknown()).optional(),
  persist_config: boolish.optional(),
  impersonate_user: z.string().optional(),
  impersonate_groups: z.array(z.string()).optional(),
};

export type AuthArgs = { [K in keyof typeof authFields]?: z.infer<(typeof authFields)[K]> };

/** The settings after aliases and K8S_AUTH_* were applied. */
export interface AuthSpec {
  kubeconfig?: string | Record<string, unknown>;
  context?: string;
  host?: string;
  api_key?: string;
  username?: string;
  password?: string;
  validate_certs?: boolean;
  ca_cert?: string;
  client_cert?: string;
  client_key?: string;
  impersonate_user?: string;
  /** Where the default kubeconfig is looked for (KUBECONFIG, HOME), for the error message and loading. */
  kubeconfigEnv?: string;
  home?: string;
  inCluster?: { host: string; port: string };
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** [argument, aliases (the kubernetes client's names, also read as K8S_AUTH_<NAME>)] */
const ARGS: Array<[keyof AuthSpec & keyof AuthArgs, Array<keyof AuthArgs | string>]> = [
  ['kubeconfig', []],
  ['context', []],
  ['host', []],
  ['api_key', []],
  ['username', []],
  ['password', []],
  ['validate_certs', ['verify_ssl']],
  ['ca_cert', ['ssl_ca_cert']],
  ['client_cert', ['cert_file']],
  ['client_key', ['key_file']],
  ['impersonate_user', []],
];

/** Merge arguments, aliases and K8S_AUTH_* variables into one AuthSpec. */
export function resolveAuthSpec(args: AuthArgs, env: Record<string, string | undefined>): AuthSpec {
  const spec: AuthSpec = {};
  const a = args as Record<string, unknown>;
  for (const [name, aliases] of ARGS) {
    let v: unknown = a[name];
    for (const al of aliases) if (v === undefined) v = a[al];
    if (v === undefined || v === null || v === '') {
      for (const n of [name, ...aliases]) {
        const e = env[`K8S_AUTH_${n.toUpperCase()}`];
        if (e !== undefined && e !== '') {
          v = e;
          break;
        }
      }
    }
    if (v === undefined || v === null || v === '') continue;
    // kubernetes.core's own rule for K8S_AUTH_* variables (not Ansible's boolean()): only 0/false/no are false.
    if (name === 'validate_certs') v = typeof v === 'boolean' ? v : !['0', 'false', 'no'].includes(String(v).toLowerCase());
    (spec as Record<string, unknown>)[name] = v;
  }
  if (env['KUBECONFIG']) spec.kubeconfigEnv = env['KUBECONFIG'];
  spec.home = env['HOME'] || homedir();
  if (env['KUBERNETES_SERVICE_HOST'] && env['KUBERNETES_SERVICE_PORT']) {
    spec.inCluster = { host: env['KUBERNETES_SERVICE_HOST'], port: env['KUBERNETES_SERVICE_PORT'] };
  }
  return spec;
}

/** Build the KubeConfig for a spec; throws PhiloteError('kube') with what was looked for. */
export function buildKubeConfig(spec: AuthSpec): KubeConfig {
  const kc = new (clientNode().KubeConfig)();
  const has = (...names: Array<keyof AuthSpec>) => names.every((n) => spec[n] !== undefined && spec[n] !== '');
  if (has('host') && (has('api_key') || has('username', 'password') || has('client_cert', 'client_key'))) {
    kc.loadFromClusterAndUser({ name: 'cluster', server: spec.host!.replace(/\/+$/, ''), skipTLSVerify: false }, { name: 'user' });
  } else if (has('kubeconfig') || has('context')) {
    loadKubeconfig(kc, spec);
  } else if (spec.inCluster && existsSync(join(SA_DIR, 'token'))) {
    const { host, port } = spec.inCluster;
    const server = `${['80', '8080', '8001'].includes(port) ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    kc.loadFromClusterAndUser(
      { name: 'inCluster', server, caFile: join(SA_DIR, 'ca.crt'), skipTLSVerify: false },
      { name: 'inClusterUser', token: readFileSync(join(SA_DIR, 'token'), 'utf8').trim() },
    );
  } else {
    loadKubeconfig(kc, spec);
  }
  return applyOverrides(kc, spec);
}

function defaultKubeconfigPaths(spec: AuthSpec): string[] {
  if (spec.kubeconfigEnv) return spec.kubeconfigEnv.split(':').filter(Boolean);
  return [join(spec.home ?? homedir(), '.kube', 'config')];
}

function loadKubeconfig(kc: KubeConfig, spec: AuthSpec): void {
  const k = spec.kubeconfig;
  try {
    if (k !== undefined && typeof k === 'object') {
      kc.loadFromString(JSON.stringify(k));
    } else {
      const paths = typeof k === 'string' ? [k] : defaultKubeconfigPaths(spec);
      const found = paths.filter((p) => existsSync(p));
      if (!found.length) {
        const where = typeof k === 'string' ? `kubeconfig file '${k}' does not exist` : `no kubeconfig found (looked in ${paths.join(', ')})`;
        throw new PhiloteError('kube', `${where}; set kubeconfig, K8S_AUTH_KUBECONFIG or KUBECONFIG`);
      }
      kc.loadFromFile(found[0]!);
      for (const p of found.slice(1)) {
        const more = new (clientNode().KubeConfig)();
        more.loadFromFile(p);
        kc.mergeConfig(more, true);
      }
    }
  } catch (e) {
    if (e instanceof PhiloteError) throw e;
    throw new PhiloteError('kube', `invalid kubeconfig${typeof k === 'string' ? ` '${k}'` : ''}: ${(e as Error).message}`, { cause: e });
  }
  if (spec.context) {
    if (!kc.getContextObject(spec.context)) {
      throw new PhiloteError('kube', `context '${spec.context}' not found in the kubeconfig (contexts: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
    }
    kc.setCurrentContext(spec.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new PhiloteError('kube', `the kubeconfig has no current context or cluster${kc.currentContext ? ` (current-context '${kc.currentContext}')` : ''}; set context`);
  }
}

function applyOverrides(kc: KubeConfig, spec: AuthSpec): KubeConfig {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser() ?? { name: 'user' };
  if (!cluster) throw new PhiloteError('kube', 'no Kubernetes cluster configured');
  const c: Cluster = {
    ...cluster,
    ...(spec.host ? { server: spec.host.replace(/\/+$/, '') } : {}),
    ...(spec.validate_certs !== undefined ? { skipTLSVerify: !spec.validate_certs } : {}),
    ...(spec.ca_cert ? { caFile: spec.ca_cert, caData: undefined } : {}),
  };
  // A plain-http server (a local proxy, the lab simulator) has no TLS to verify; client-node
  // refuses http:// unless skipTLSVerify is set, where kubectl and the Python client accept it.
  const plainHttp = c.server.startsWith('http://') && !c.skipTLSVerify;
  if (plainHttp) (c as { skipTLSVerify: boolean }).skipTLSVerify = true;
  const overridesUser = spec.api_key || spec.username || spec.client_cert || spec.client_key || spec.impersonate_user;
  if (!plainHttp && !overridesUser && c.server === cluster.server && c.skipTLSVerify === cluster.skipTLSVerify && c.caFile === cluster.caFile) return kc;
  const u: User = {
    ...user,
    ...(spec.api_key ? { token: spec.api_key.replace(/^Bearer\s+/i, ''), exec: undefined, authProvider: undefined } : {}),
    ...(spec.username ? { username: spec.username, password: spec.password } : {}),
    ...(spec.client_cert ? { certFile: spec.client_cert, certData: undefined } : {}),
    ...(spec.client_key ? { keyFile: spec.client_key, keyData: undefined } : {}),
    ...(spec.impersonate_user ? { impersonateUser: spec.impersonate_user } : {}),
  };
  const out = new (clientNode().KubeConfig)();
  const ctx = kc.getContextObject(kc.getCurrentContext());
  out.loadFromOptions({
    clusters: [c],
    users: [u],
    contexts: [{ name: 'philote', cluster: c.name, user: u.name, ...(ctx?.namespace ? { namespace: ctx.namespace } : {}) }],
    currentContext: 'philote',
  });
  return out;
}
