/**
 * kubernetes.core.k8s lookup: read objects from a Kubernetes API server while templating.
 *
 *   lookup('kubernetes.core.k8s', kind='Deployment', namespace='ns', resource_name='web')
 *   query('kubernetes.core.k8s', kind='Pod', namespace='kube-system', label_selector='k8s-app=kube-dns')
 *   lookup('kubernetes.core.k8s', cluster_info='version')
 *
 * Arguments as kubernetes.core: kind, api_version (v1), resource_name, namespace, label_selector,
 * field_selector, resource_definition, src, cluster_info (version | api_groups) and the auth
 * arguments of the k8s modules (kubeconfig, context, host, api_key, validate_certs, ca_cert,
 * client_cert, client_key, K8S_AUTH_* variables). A name returns [object]; otherwise the list's
 * items; an object or namespace not found returns [].
 *
 * Why a child process: the template engine is synchronous (Jinja2 semantics, lazy variables) and
 * Node's HTTP is not. The lookup resolves the kubeconfig here (the same code as the k8s modules)
 * and hands server, TLS material and credentials to a short `node` child ON STDIN (never on its
 * command line), which does discovery and the GET with Node's own http/https and prints JSON.
 * Users authenticated by an exec plugin or auth-provider are refused with a message.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { LookupFn } from './index.js';
import { PythonClassError, TemplateRuntimeError } from '../runtime/env.js';
import { isDict, pyStr, type Dict } from '../runtime/values.js';
import { buildKubeConfig, resolveAuthSpec, type AuthArgs } from '../../modules/k8s/client/auth.js';
import { PhiloteError } from '../../errors.js';

interface Request {
  server: string;
  tls: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  headers: Record<string, string>;
  op: { clusterInfo?: string; kind?: string; apiVersion: string; name?: string; namespace?: string; labelSelector?: string; fieldSelector?: string };
}

/** Runs in the child (plain JavaScript, Node built-ins only). Prints {ok: value} or {error: text}. */
const CHILD = String.raw`
let input = '';
process.stdin.on('data', (d) => (input += d)).on('end', async () => {
  const r = JSON.parse(input);
  const url = new URL(r.server.replace(/\/+$/, ''));
  const lib = url.protocol === 'https:' ? require('node:https') : require('node:http');
  const get = (path) => new Promise((resolve, reject) => {
    const req = lib.request(new URL(url.pathname.replace(/\/$/, '') + path, url), { method: 'GET', headers: { Accept: 'application/json', ...r.headers }, ...r.tls, timeout: 30000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d)).on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out after 30 s')));
    req.on('error', reject);
    req.end();
  });
  const json = async (path) => {
    const res = await get(path);
    if (res.status === 404) return undefined;
    if (res.status < 200 || res.status > 299) {
      let m = res.body; try { m = JSON.parse(res.body).message || m; } catch {}
      throw new Error(res.status + ': ' + m);
    }
    return JSON.parse(res.body);
  };
  try {
    const o = r.op;
    let out;
    if (o.clusterInfo === 'version') out = [await json('/version')];
    else if (o.clusterInfo === 'api_groups') out = [((await json('/apis')) || { groups: [] }).groups.map((g) => g.name)];
    else {
      const base = o.apiVersion.includes('/') ? '/apis/' + o.apiVersion : '/api/' + o.apiVersion;
      const list = await json(base);
      const res = list && list.resources.find((x) => !x.name.includes('/') && x.kind === o.kind);
      if (!res) { process.stdout.write(JSON.stringify({ error: "No matches found for {'prefix': None, 'api_version': '" + o.apiVersion + "', 'short_names': ['" + o.kind + "']}" })); return; }
      let path = base + (res.namespaced && o.namespace ? '/namespaces/' + encodeURIComponent(o.namespace) : '') + '/' + res.name;
      if (o.name) path += '/' + encodeURIComponent(o.name);
      const q = new URLSearchParams();
      if (!o.name && o.labelSelector) q.set('labelSelector', o.labelSelector);
      if (!o.name && o.fieldSelector) q.set('fieldSelector', o.fieldSelector);
      const got = await json(path + (q.toString() ? '?' + q : ''));
      out = got === undefined ? [] : o.name ? [got] : got.items || [];
    }
    process.stdout.write(JSON.stringify({ ok: out }));
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: String(e && e.message || e) }));
  }
});
`;

const AUTH_KEYS = ['kubeconfig', 'context', 'host', 'api_key', 'username', 'password', 'validate_certs', 'verify_ssl', 'ca_cert', 'ssl_ca_cert', 'client_cert', 'cert_file', 'client_key', 'key_file', 'impersonate_user'];

function fileOrData(data: string | undefined, file: string | undefined, what: string): string | undefined {
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new TemplateRuntimeError(`k8s lookup: cannot read the ${what} file ${file}: ${(e as Error).message}`);
  }
}

/** Server, TLS material and headers from the kubeconfig the k8s modules would use. */
function connectionFor(kwargs: Dict): Pick<Request, 'server' | 'tls' | 'headers'> {
  const auth: Record<string, unknown> = {};
  for (const k of AUTH_KEYS) if (kwargs[k] !== undefined && kwargs[k] !== null) auth[k] = kwargs[k];
  let kc;
  try {
    kc = buildKubeConfig(resolveAuthSpec(auth as AuthArgs, process.env));
  } catch (e) {
    if (e instanceof PhiloteError) throw new TemplateRuntimeError(`k8s lookup: ${e.message}`);
    throw e;
  }
  const cluster = kc.getCurrentCluster()!;
  const user = kc.getCurrentUser();
  if (user?.exec || user?.authProvider) {
    throw new TemplateRuntimeError(`k8s lookup: the kubeconfig user '${user.name}' authenticates with an ${user.exec ? 'exec plugin' : 'auth-provider'}, which the lookup does not run yet; use a token (api_key), a client certificate or the k8s_info module`);
  }
  const headers: Record<string, string> = {};
  const token = user?.token ?? (user as { tokenFile?: string } | undefined)?.tokenFile;
  if (user?.token) headers['Authorization'] = `Bearer ${user.token}`;
  else if (token) headers['Authorization'] = `Bearer ${readFileSync(token, 'utf8').trim()}`;
  else if (user?.username) headers['Authorization'] = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
  if (user?.impersonateUser) headers['Impersonate-User'] = user.impersonateUser;
  const ca = fileOrData(cluster.caData, cluster.caFile, 'CA');
  const cert = fileOrData(user?.certData, user?.certFile, 'client certificate');
  const key = fileOrData(user?.keyData, user?.keyFile, 'client key');
  return {
    server: cluster.server,
    headers,
    tls: { rejectUnauthorized: !cluster.skipTLSVerify, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) },
  };
}

function opFor(kwargs: Dict): Request['op'] {
  const s = (k: string): string | undefined => (kwargs[k] === undefined || kwargs[k] === null ? undefined : pyStr(kwargs[k]));
  const op: Request['op'] = { apiVersion: s('api_version') ?? 'v1' };
  const set = (k: keyof Request['op'], v: string | undefined): void => {
    if (v !== undefined) (op as Record<string, string>)[k] = v;
  };
  set('clusterInfo', s('cluster_info'));
  set('kind', s('kind'));
  set('name', s('resource_name'));
  set('namespace', s('namespace'));
  set('labelSelector', s('label_selector'));
  set('fieldSelector', s('field_selector'));
  const src = s('src');
  if (src) {
    const first = parseAllDocuments(readFileSync(src, 'utf8')).map((d) => d.toJS() as unknown).find(isDict);
    if (first) {
      const meta = isDict(first['metadata']) ? first['metadata'] : {};
      set('kind', first['kind'] === undefined ? undefined : pyStr(first['kind']));
      set('name', meta['name'] === undefined ? undefined : pyStr(meta['name']));
      set('namespace', meta['namespace'] === undefined ? undefined : pyStr(meta['namespace']));
      op.apiVersion = first['apiVersion'] === undefined ? 'v1' : pyStr(first['apiVersion']);
    }
  }
  const def = kwargs['resource_definition'];
  if (isDict(def)) {
    const meta = isDict(def['metadata']) ? def['metadata'] : {};
    if (def['kind'] !== undefined) op.kind = pyStr(def['kind']);
    if (def['apiVersion'] !== undefined) op.apiVersion = pyStr(def['apiVersion']);
    if (meta['name'] !== undefined) op.name = pyStr(meta['name']);
    if (meta['namespace'] !== undefined) op.namespace = pyStr(meta['namespace']);
  }
  if (!op.clusterInfo && !op.kind) {
    throw new TemplateRuntimeError("Error: no Kind specified. Use the 'kind' parameter, or provide an object YAML configuration using the 'resource_definition' parameter.");
  }
  return op;
}

export const k8sLookup: LookupFn = (_s, _terms, kwargs) => {
  const request: Request = { ...connectionFor(kwargs), op: opFor(kwargs) };
  let text: string;
  try {
    text = execFileSync(process.execPath, ['-e', CHILD], { input: JSON.stringify(request), encoding: 'utf8', timeout: 60_000, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; signal?: string };
    throw new TemplateRuntimeError(`k8s lookup: the request to ${request.server} did not finish (${err.signal ?? String(err.stderr ?? '').trim().split('\n').pop()})`);
  }
  const res = JSON.parse(text) as { ok?: unknown[]; error?: string };
  // The kubernetes client's own exception when the kind is unknown, as kubernetes.core reports it.
  if (res.error !== undefined) throw /^No matches found for /.test(res.error) ? new PythonClassError(res.error, 'kubernetes.dynamic.exceptions.ResourceNotFoundError') : new TemplateRuntimeError(res.error);
  return res.ok ?? [];
};
