/**
 * A small REST client over KubeConfig's authentication (tokens, client certs, exec plugins,
 * CA/TLS settings and the undici dispatcher all come from @kubernetes/client-node), speaking
 * plain JSON so results are the API's objects as kubernetes.core returns them (no typed
 * model classes, no Date objects, unknown fields kept).
 *
 * Discovery (which resource serves a kind, whether it is namespaced) is cached per client and
 * refreshed for a group/version when a kind is not found, so a CRD created earlier in the same
 * run is served to the next task.
 *
 * One client per auth spec for the whole run: getClient(args, env).
 */
import type { HttpMethod, IsomorphicFetchHttpLibrary, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { clientNode } from './client-node.js';
import { statSync } from 'node:fs';
import { PhiloteError } from '../../../errors.js';
import { buildKubeConfig, resolveAuthSpec, type AuthArgs } from './auth.js';
import { requestSignal, requestTimeoutMs } from './request-timeout.js';

export type KubeObject = Record<string, any> & {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, any> & { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

export interface ApiResource {
  /** Plural name used in URLs, e.g. "deployments". */
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames: string[];
  /** "v1" or "group/version". */
  groupVersion: string;
}

/** What a call was for, so errors name the verb and resource like kubectl does. */
export interface CallInfo {
  verb: string;
  resource: string;
  name?: string;
  namespace?: string;
}

/** A non-2xx answer from the API server. */
export class KubeApiError extends PhiloteError {
  readonly status: number;
  readonly reason: string;
  readonly body: unknown;
  constructor(message: string, status: number, reason: string, body: unknown) {
    super('kube', message);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
    this.body = body;
  }
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** Return the body as text (pod logs). */
  text?: boolean;
  signal?: AbortSignal;
}

let httpLibrary: IsomorphicFetchHttpLibrary | undefined;
const http = (): IsomorphicFetchHttpLibrary => (httpLibrary ??= new (clientNode().IsomorphicFetchHttpLibrary)());

export class KubeClient {
  readonly kc: KubeConfig;
  readonly server: string;
  private readonly gvCache = new Map<string, ApiResource[] | null>();
  private groupsCache: string[] | undefined;
  private agent: ReturnType<RequestContext['getAgent']>;

  constructor(kc: KubeConfig) {
    this.kc = kc;
    this.server = (kc.getCurrentCluster()?.server ?? '').replace(/\/+$/, '');
  }

  async request<T = any>(method: HttpMethod | string, path: string, info: CallInfo, opts: RequestOptions = {}): Promise<T> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const rc = new (clientNode().RequestContext)(url.toString(), method as HttpMethod);
    rc.setHeaderParam('Accept', opts.text ? '*/*' : 'application/json');
    // The API server names the field manager of updates after the user agent's first word.
    rc.setHeaderParam('User-Agent', 'philote/0.1 (kubernetes.core compatible)');
    if (opts.body !== undefined) {
      rc.setHeaderParam('Content-Type', opts.contentType ?? 'application/json');
      rc.setBody(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
    }
    const timeoutMs = requestTimeoutMs();
    const signal = requestSignal(opts.signal, timeoutMs);
    if (signal) rc.setSignal(signal);
    let status: number;
    let text: string;
    try {
      await this.kc.applySecurityAuthentication(rc);
      // client-node builds a fresh agent per request; reuse the first one with keep-alive so
      // a run talks to the API over a few warm connections (idle sockets are unref'd by Node).
      if (!this.agent) {
        this.agent = rc.getAgent();
        if (this.agent) (this.agent as { keepAlive?: boolean }).keepAlive = true;
      }
      if (this.agent) rc.setAgent(this.agent);
      let resp;
      try {
        resp = await http().send(rc).toPromise();
      } catch (e) {
        // A kept-alive socket the server closed meanwhile: a GET is safe to send again.
        const code = (e as { code?: string }).code;
        if (method !== 'GET' || (code !== 'ECONNRESET' && code !== 'EPIPE')) throw e;
        resp = await http().send(rc).toPromise();
      }
      status = resp.httpStatusCode;
      text = await resp.body.text();
    } catch (e) {
      if (e instanceof PhiloteError) throw e;
      // node-fetch's FetchError carries the system error code (ECONNREFUSED, ENOTFOUND, ...)
      const err = e as { code?: string; cause?: { code?: string }; message?: string };
      const timedOut = signal?.aborted && !opts.signal?.aborted;
      const detail = timedOut ? `no answer within ${timeoutMs! / 1000} s; PHILOTE_K8S_REQUEST_TIMEOUT sets the limit` : (err.code ?? err.cause?.code ?? err.message ?? String(e));
      throw new PhiloteError('kube', `cannot reach the Kubernetes API at ${this.server} (${detail}) while trying to ${describe(info)}`, { cause: e });
    }
    if (status >= 200 && status < 300) {
      if (opts.text) return text as T;
      return (text ? JSON.parse(text) : {}) as T;
    }
    throw apiError(status, text, info);
  }

  // ---- discovery ----

  /** Resources of one group/version; null when the API server does not serve it. */
  async resourcesOf(groupVersion: string, refresh = false): Promise<ApiResource[] | null> {
    if (!refresh && this.gvCache.has(groupVersion)) return this.gvCache.get(groupVersion)!;
    const path = groupVersion === 'v1' ? '/api/v1' : `/apis/${groupVersion}`;
    let list: ApiResource[] | null;
    try {
      const r = await this.request<{ resources?: Array<Partial<ApiResource>> }>('GET', path, { verb: 'discover', resource: groupVersion });
      list = (r.resources ?? [])
        .filter((x) => x.name && !x.name.includes('/'))
        .map((x) => ({
          name: x.name!,
          singularName: x.singularName || '',
          kind: x.kind!,
          namespaced: Boolean(x.namespaced),
          verbs: x.verbs ?? [],
          shortNames: x.shortNames ?? [],
          groupVersion,
        }));
    } catch (e) {
      if (e instanceof KubeApiError && (e.status === 404 || e.status === 503)) list = null;
      else throw e;
    }
    this.gvCache.set(groupVersion, list);
    return list;
  }

  /** Every group/version the server serves, preferred version first within a group. */
  async groupVersions(refresh = false): Promise<string[]> {
    if (this.groupsCache && !refresh) return this.groupsCache;
    const core = await this.request<{ versions?: string[] }>('GET', '/api', { verb: 'discover', resource: 'core API' });
    const groups = await this.request<{ groups?: Array<{ name: string; versions: Array<{ groupVersion: string }>; preferredVersion?: { groupVersion: string } }> }>(
      'GET',
      '/apis',
      { verb: 'discover', resource: 'API groups' },
    );
    const out = [...(core.versions ?? ['v1'])];
    for (const g of groups.groups ?? []) {
      const pref = g.preferredVersion?.groupVersion;
      if (pref) out.push(pref);
      for (const v of g.versions) if (v.groupVersion !== pref) out.push(v.groupVersion);
    }
    this.groupsCache = out;
    return out;
  }

  /**
   * The resource serving `kind` (matched against kind, plural name, singular name and short
   * names, as kubernetes.core does) in `apiVersion`; searched in every group when apiVersion
   * is omitted. Re-discovers once before giving up, for CRDs created since the last look.
   */
  async findResource(kind: string, apiVersion?: string): Promise<ApiResource | undefined> {
    const lookIn = async (refresh: boolean): Promise<ApiResource | undefined> => {
      const gvs = apiVersion ? [apiVersion] : await this.groupVersions(refresh);
      for (const matcher of MATCHERS) {
        for (const gv of gvs) {
          const list = await this.resourcesOf(gv, refresh);
          const hit = list?.find((r) => matcher(r, kind));
          if (hit) return hit;
        }
      }
      return undefined;
    };
    return (await lookIn(false)) ?? (await lookIn(true));
  }

  /** Like findResource, but fails with kubernetes.core's message. */
  async requireResource(kind: string, apiVersion: string | undefined): Promise<ApiResource> {
    const r = await this.findResource(kind, apiVersion);
    if (!r) throw new PhiloteError('kube', `Failed to find exact match for ${apiVersion ?? ''}.${kind} by [kind, name, singularName, shortNames]`);
    return r;
  }

  // ---- paths and verbs ----

  path(res: ApiResource, namespace?: string, name?: string, sub?: string): string {
    const base = res.groupVersion === 'v1' ? '/api/v1' : `/apis/${res.groupVersion}`;
    const ns = res.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${ns}/${res.name}${name ? `/${encodeURIComponent(name)}` : ''}${sub ? `/${sub}` : ''}`;
  }

  /** GET one object; undefined on 404. */
  async get(res: ApiResource, name: string, namespace?: string): Promise<KubeObject | undefined> {
    try {
      return await this.request<KubeObject>('GET', this.path(res, namespace, name), { verb: 'get', resource: res.name, name, namespace });
    } catch (e) {
      if (e instanceof KubeApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  async list(res: ApiResource, opts: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {}): Promise<KubeObject & { items: KubeObject[] }> {
    const r = await this.request<KubeObject & { items?: KubeObject[] }>('GET', this.path(res, opts.namespace), { verb: 'list', resource: res.name, namespace: opts.namespace }, {
      query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector },
    });
    // Lists omit each item's apiVersion/kind; kubernetes.core's results carry them.
    const items = (r.items ?? []).map((i) => ({ apiVersion: res.groupVersion, kind: res.kind, ...i }));
    return { ...r, items };
  }

  async create(res: ApiResource, obj: KubeObject, opts: { dryRun?: boolean; fieldManager?: string } = {}): Promise<KubeObject> {
    const namespace = obj.metadata?.namespace;
    return this.request('POST', this.path(res, namespace), { verb: 'create', resource: res.name, name: obj.metadata?.name, namespace }, {
      body: obj,
      query: { dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager },
    });
  }

  async replace(res: ApiResource, obj: KubeObject, opts: { dryRun?: boolean } = {}): Promise<KubeObject> {
    const { name, namespace } = obj.metadata ?? {};
    return this.request('PUT', this.path(res, namespace, name), { verb: 'update', resource: res.name, name, namespace }, {
      body: obj,
      query: { dryRun: opts.dryRun ? 'All' : undefined },
    });
  }

  async patch(
    res: ApiResource,
    name: string,
    namespace: string | undefined,
    body: unknown,
    contentType: string,
    opts: { dryRun?: boolean; fieldManager?: string; force?: boolean; sub?: string } = {},
  ): Promise<KubeObject> {
    return this.request('PATCH', this.path(res, namespace, name, opts.sub), { verb: 'patch', resource: res.name, name, namespace }, {
      body,
      contentType,
      query: { dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager, force: opts.force === undefined ? undefined : opts.force },
    });
  }

  async delete(res: ApiResource, name: string, namespace: string | undefined, opts: { dryRun?: boolean; body?: Record<string, unknown> } = {}): Promise<KubeObject> {
    const body = opts.body || opts.dryRun ? { apiVersion: 'v1', kind: 'DeleteOptions', ...(opts.body ?? {}), ...(opts.dryRun ? { dryRun: ['All'] } : {}) } : undefined;
    return this.request('DELETE', this.path(res, namespace, name), { verb: 'delete', resource: res.name, name, namespace }, {
      body,
      query: { dryRun: opts.dryRun ? 'All' : undefined },
    });
  }
}

const MATCHERS: Array<(r: ApiResource, kind: string) => boolean> = [
  (r, k) => r.kind === k,
  (r, k) => r.name === k,
  (r, k) => r.singularName === k,
  (r, k) => r.shortNames.includes(k),
  (r, k) => r.kind.toLowerCase() === k.toLowerCase() || r.name === k.toLowerCase() || r.singularName === k.toLowerCase(),
];

function describe(info: CallInfo): string {
  const target = info.name ? `${info.resource}/${info.name}` : info.resource;
  return `${info.verb} ${target}${info.namespace ? ` in namespace ${info.namespace}` : ''}`;
}

function apiError(status: number, text: string, info: CallInfo): KubeApiError {
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  const message: string = typeof body === 'object' && body && body.message ? body.message : String(text).trim() || `HTTP ${status}`;
  const reason: string = (typeof body === 'object' && body && body.reason) || REASONS[status] || `HTTP ${status}`;
  let msg: string;
  if (status === 401) msg = `Unauthorized (401): the API server rejected the credentials while trying to ${describe(info)}; check the token or client certificate in the kubeconfig`;
  else if (status === 403) msg = `Forbidden (403): cannot ${describe(info)}: ${message}`;
  else msg = `${reason} (${status}) while trying to ${describe(info)}: ${message}`;
  return new KubeApiError(msg, status, reason, body);
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Gone',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

// ---- one client per auth spec for the whole run ----

const clients = new Map<string, KubeClient>();

/** The cached client for these auth arguments and environment (task env over process env). */
export function getClient(args: AuthArgs, environment?: Record<string, string>): KubeClient {
  const env = { ...process.env, ...(environment ?? {}) };
  const spec = resolveAuthSpec(args, env);
  // A kubeconfig file rewritten during the run (a restarted lab) gets a new client.
  const file = typeof spec.kubeconfig === 'string' ? spec.kubeconfig : spec.kubeconfigEnv;
  let stamp = 0;
  try {
    stamp = file ? statSync(file.split(':')[0]!).mtimeMs : 0;
  } catch {
    /* reported when loading */
  }
  const key = JSON.stringify([spec, stamp]);
  let c = clients.get(key);
  if (!c) {
    c = new KubeClient(buildKubeConfig(spec));
    clients.set(key, c);
  }
  return c;
}

/** Forget cached clients (tests that restart a simulator on the same kubeconfig path). */
export function clearClientCache(): void {
  clients.clear();
}
