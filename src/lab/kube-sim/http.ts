/**
 * HTTP front: authentication (bearer token), routing of discovery/OpenAPI/resource URLs,
 * query parameters, content types, and Status error bodies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import type { Api, PatchType, WriteOptions } from './api.js';
import { scaleOf } from './api.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, VERSION_INFO } from './discovery.js';
import { evict } from './disruption.js';
import { execUpgrades, type ExecOptions } from './exec.js';
import { ApiError, badRequest, methodNotAllowed, pageNotFound, unsupportedMediaType } from './errors.js';
import { openapiV3Doc, openapiV3Root } from './openapi.js';
import { decodeProtobuf } from './protobuf.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { toTable } from './table.js';
import type { Json, KObject, ResourceType } from './types.js';
import { serveWatch } from './watch.js';

export interface HttpOptions {
  token: string;
  log?: (line: string) => void;
  /** pods/exec (exec.ts): scratch dir and lab nodes; without it exec answers 404. */
  exec?: Pick<ExecOptions, 'dir' | 'target'>;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  q: URLSearchParams;
  body: string;
  raw: Buffer;
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/merge-patch+json': 'merge',
  'application/json-patch+json': 'json',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export function createApiServer(api: Api, o: HttpOptions): { server: Server; closeWatches(): void } {
  const watches = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const raw = Buffer.concat(chunks);
      const ctx: Ctx = { req, res, url, q: url.searchParams, body: raw.toString('utf8'), raw };
      try {
        route(api, ctx, o, (stop) => {
          watches.add(stop);
          res.on('close', () => watches.delete(stop));
        });
      } catch (e) {
        const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
        if (!(e instanceof ApiError)) o.log?.(`500 ${req.method} ${req.url}: ${(e as Error).stack}`);
        send(res, err.code, err.toStatus());
      }
      o.log?.(`${req.method} ${req.url} ${res.statusCode}`);
    });
  });
  // WebSocket (and kubectl's SPDY fallback) upgrades: only pods/exec answers them.
  const exec = o.exec ? execUpgrades({ api, token: o.token, ...o.exec, ...(o.log ? { log: o.log } : {}) }) : undefined;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    if (exec) return exec.handle(req, socket, head);
    const body = JSON.stringify(pageNotFound().toStatus());
    socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  return {
    server,
    closeWatches: () => {
      [...watches].forEach((s) => s());
      exec?.close();
    },
  };
}

function send(res: ServerResponse, code: number, body: unknown, type = 'application/json'): void {
  if (res.headersSent) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

function route(api: Api, c: Ctx, o: HttpOptions, onWatch: (stop: () => void) => void): void {
  const path = c.url.pathname.replace(/\/+$/, '') || '/';
  if (['/healthz', '/livez', '/readyz'].includes(path)) return send(c.res, 200, 'ok', 'text/plain');
  // Plain HTTP like the old apiserver --insecure-port: kubectl 1.32 sends no bearer token over
  // http, so requests without credentials are admitted as the admin; a wrong token is a 401.
  const auth = c.req.headers.authorization;
  if (auth !== undefined && auth !== `Bearer ${o.token}`) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
  if (path === '/version') return send(c.res, 200, VERSION_INFO);
  if (path === '/api') return send(c.res, 200, apiVersions(c.req.headers.host ?? '127.0.0.1'));
  if (path === '/apis') return send(c.res, 200, apiGroupList(api.registry));
  if (path === '/openapi/v2') {
    // Zero bytes are an empty, valid openapi_v2.Document in protobuf (see openapi.ts).
    c.res.writeHead(200, { 'Content-Type': 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'Content-Length': 0 });
    return void c.res.end();
  }
  if (path === '/openapi/v3') return send(c.res, 200, openapiV3Root(api.registry));
  if (path.startsWith('/openapi/v3/')) {
    const doc = openapiV3Doc(api.registry, path.slice('/openapi/v3/'.length));
    if (!doc) throw pageNotFound();
    return send(c.res, 200, doc);
  }
  const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (seg[0] === 'api' && seg[1]) [group, version, rest] = ['', seg[1], seg.slice(2)];
  else if (seg[0] === 'apis' && seg[1]) {
    if (!seg[2]) {
      const g = apiGroup(api.registry, seg[1]);
      if (!g) throw pageNotFound();
      return send(c.res, 200, g);
    }
    [group, version, rest] = [seg[1], seg[2], seg.slice(3)];
  } else throw pageNotFound();
  if (!rest.length) {
    const list = apiResourceList(api.registry, group, version);
    if (!list) throw pageNotFound();
    return send(c.res, 200, list);
  }
  // Old-style /watch/ prefix.
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let ns: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const t = api.registry.find(group, version, rest[2]!);
    if (t?.namespaced) {
      ns = rest[1];
      rest = rest.slice(2);
    }
  }
  const [plural, name, sub] = rest as [string, string | undefined, string | undefined];
  const rt = api.registry.find(group, version, plural);
  if (!rt || rest.length > 3) throw pageNotFound();
  if (sub && !(rt.subresources ?? []).includes(sub)) throw pageNotFound();
  const method = c.req.method ?? 'GET';
  const dryRun = c.q.getAll('dryRun').includes('All');
  const fieldManager = c.q.get('fieldManager') ?? defaultManager(c.req.headers['user-agent']);
  const wopts: WriteOptions = { dryRun, fieldManager, ...(sub === 'status' || sub === 'scale' ? { subresource: sub } : {}) };

  if (name === undefined) {
    if (method === 'GET') {
      const labelMatch = parseLabelSelector(c.q.get('labelSelector'));
      const fieldMatch = parseFieldSelector(c.q.get('fieldSelector'));
      const match = (x: KObject): boolean => labelMatch(x.metadata.labels) && fieldMatch(x);
      const watch = watchPath || c.q.get('watch') === 'true' || c.q.get('watch') === '1';
      if (watch) {
        return serveWatch(
          api,
          {
            rt,
            ...(ns !== undefined ? { ns } : {}),
            match,
            ...(c.q.get('resourceVersion') ? { resourceVersion: c.q.get('resourceVersion')! } : {}),
            ...(c.q.get('timeoutSeconds') ? { timeoutSeconds: Number(c.q.get('timeoutSeconds')) } : {}),
            bookmarks: c.q.get('allowWatchBookmarks') === 'true',
            sendInitialEvents: c.q.get('sendInitialEvents') === 'true',
          },
          c.res,
          onWatch,
        );
      }
      return list(api, c, rt, ns, match);
    }
    if (method === 'POST') {
      const obj = decode(c, rt) as KObject;
      return send(c.res, 201, api.create(rt, ns, obj, wopts));
    }
    if (method === 'DELETE') {
      const labelMatch = parseLabelSelector(c.q.get('labelSelector'));
      const fieldMatch = parseFieldSelector(c.q.get('fieldSelector'));
      const items = api.store.list(rt, ns).filter((x) => labelMatch(x.metadata.labels) && fieldMatch(x));
      const opts = deleteOptions(c, dryRun);
      const deleted = items.map((x) => api.delete(rt, x.metadata.namespace, x.metadata.name!, opts).object);
      return send(c.res, 200, { kind: rt.listKind, apiVersion: gv(rt), metadata: { resourceVersion: String(api.store.resourceVersion) }, items: deleted });
    }
    throw methodNotAllowed();
  }

  if (sub === 'eviction') {
    if (method !== 'POST') throw methodNotAllowed();
    evict(api, rt, ns!, name, (c.body ? JSON.parse(c.body) : {}) as KObject, dryRun);
    return send(c.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }
  // A plain request (no Upgrade header) to exec, as a real server answers it.
  if (sub === 'exec') throw badRequest('Upgrade request required');
  if (sub === 'log') {
    if (method !== 'GET') throw methodNotAllowed();
    const pod = api.get(rt, ns, name);
    const container = c.q.get('container') ?? ((pod['spec'] as { containers?: Array<{ name: string }> }).containers ?? [])[0]?.name ?? '';
    const lines = [`simulated log of ${ns}/${name} container ${container}`, `started at ${pod.metadata.creationTimestamp}`, `node ${(pod['spec'] as { nodeName?: string }).nodeName ?? '<none>'}`];
    const tail = c.q.get('tailLines');
    return send(c.res, 200, `${(tail ? lines.slice(-Number(tail)) : lines).join('\n')}\n`, 'text/plain');
  }
  switch (method) {
    case 'GET': {
      const obj = api.get(rt, ns, name);
      return send(c.res, 200, sub === 'scale' ? scaleOf(obj) : wantsTable(c) ? toTable(rt, [obj], { resourceVersion: obj.metadata.resourceVersion }, includeObject(c)) : obj);
    }
    case 'PUT': {
      const obj = decode(c, rt) as KObject;
      if (sub === 'scale') return send(c.res, 200, api.setScale(rt, api.get(rt, ns, name), obj, wopts));
      return send(c.res, 200, api.update(rt, ns, name, obj, wopts));
    }
    case 'PATCH': {
      const ct = (c.req.headers['content-type'] ?? '').split(';')[0]!.trim();
      const type = PATCH_TYPES[ct];
      if (!type) throw unsupportedMediaType(ct);
      const body = type === 'apply' ? (parseYaml(c.body) as Json) : (JSON.parse(c.body || 'null') as Json);
      const existed = api.store.get(rt, ns, name) !== undefined;
      const out = api.patch(rt, ns, name, type, body, { ...wopts, force: c.q.get('force') === 'true' });
      return send(c.res, type === 'apply' && !existed ? 201 : 200, out);
    }
    case 'DELETE': {
      const { object } = api.delete(rt, ns, name, deleteOptions(c, dryRun));
      // A real server answers 200 with the object whether it is gone or still terminating
      // (202 only for orphanDependents=false, which no current client sends).
      return send(c.res, 200, object);
    }
    default:
      throw methodNotAllowed();
  }
}

const gv = (rt: ResourceType): string => (rt.group ? `${rt.group}/${rt.version}` : rt.version);

function list(api: Api, c: Ctx, rt: ResourceType, ns: string | undefined, match: (o: KObject) => boolean): void {
  const all = api.store.list(rt, ns).map((o) => api.present(rt, o)).filter(match);
  const limit = Number(c.q.get('limit') ?? 0);
  const start = c.q.get('continue') ? Number(Buffer.from(c.q.get('continue')!, 'base64url').toString()) : 0;
  const items = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
  const more = limit > 0 && start + limit < all.length;
  const meta: Record<string, unknown> = { resourceVersion: String(api.store.resourceVersion), ...(more ? { continue: Buffer.from(String(start + limit)).toString('base64url'), remainingItemCount: all.length - start - limit } : {}) };
  if (wantsTable(c)) return send(c.res, 200, toTable(rt, items, meta, includeObject(c)));
  // Items in a list carry no kind/apiVersion on a real server; clients fill them from the list.
  const bare = items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
  send(c.res, 200, { kind: rt.listKind, apiVersion: gv(rt), metadata: meta, items: bare });
}

function wantsTable(c: Ctx): boolean {
  const accept = c.req.headers.accept ?? '';
  const first = accept.split(',')[0] ?? '';
  return /as=Table/.test(first) && /g=meta\.k8s\.io/.test(first);
}
function includeObject(c: Ctx): 'Object' | 'Metadata' | 'None' {
  const v = c.q.get('includeObject');
  return v === 'Object' || v === 'None' ? v : 'Metadata';
}

function decode(c: Ctx, rt: ResourceType): unknown {
  if (!c.body) throw badRequest('the request body is empty');
  const ct = c.req.headers['content-type'] ?? 'application/json';
  // Typed clients (kubectl create deployment...) send protobuf, with no JSON fallback on 415.
  if (ct.includes('protobuf')) return decodeProtobuf(c.raw);
  try {
    return ct.includes('yaml') ? parseYaml(c.body) : JSON.parse(c.body);
  } catch (e) {
    throw badRequest(`error decoding ${rt.kind}: ${(e as Error).message}`);
  }
}

function deleteOptions(c: Ctx, dryRun: boolean): Parameters<Api['delete']>[3] {
  const body = (c.body ? JSON.parse(c.body) : {}) as { propagationPolicy?: string; gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: string[]; orphanDependents?: boolean };
  const policy = c.q.get('propagationPolicy') ?? body.propagationPolicy ?? (body.orphanDependents ? 'Orphan' : undefined);
  const grace = c.q.get('gracePeriodSeconds') ?? body.gracePeriodSeconds;
  return {
    dryRun: dryRun || (body.dryRun ?? []).includes('All'),
    ...(policy ? { propagationPolicy: policy as 'Foreground' | 'Background' | 'Orphan' } : {}),
    ...(grace !== undefined && grace !== null ? { gracePeriodSeconds: Number(grace) } : {}),
    ...(body.preconditions ? { preconditions: body.preconditions } : {}),
  };
}

/** Without ?fieldManager the server names the manager after the client's user agent ("kubectl-label"...). */
function defaultManager(ua: string | undefined): string {
  if (!ua) return 'unknown';
  return ua.split('/')[0]!.slice(0, 128) || 'unknown';
}
