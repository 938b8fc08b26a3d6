/**
 * Just enough OpenAPI for kubectl. v3: a root listing every group-version, and per
 * group-version documents whose PATCH operations declare the fieldValidation/dryRun/force
 * parameters with x-kubernetes-group-version-kind, so kubectl uses server-side field validation
 * instead of client-side schema checks. v2: kubectl asks for protobuf; an empty (zero-byte)
 * openapi_v2.Document is valid protobuf and means "no schemas", which kubectl tolerates.
 * Schemas are open objects (x-kubernetes-preserve-unknown-fields): the simulator does not
 * publish the full Kubernetes schema.
 */
import type { Registry } from './resources.js';
import { gvOf, type ResourceType } from './types.js';

const gvPath = (group: string, version: string): string => (group ? `apis/${group}/${version}` : `api/${version}`);

export function openapiV3Root(reg: Registry): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [g, vs] of reg.groups()) for (const v of vs) paths[gvPath(g, v)] = { serverRelativeURL: `/openapi/v3/${gvPath(g, v)}?hash=${reg.all().length}` };
  return { paths };
}

const param = (name: string, desc: string): object => ({ name, in: 'query', description: desc, schema: { type: 'string', uniqueItems: true } });
const WRITE_PARAMS = [param('dryRun', 'dry run'), param('fieldManager', 'field manager'), param('fieldValidation', 'field validation')];

export function openapiV3Doc(reg: Registry, path: string): object | undefined {
  const types = reg.all().filter((t) => gvPath(t.group, t.version) === path);
  if (!types.length) return undefined;
  const paths: Record<string, object> = {};
  const schemas: Record<string, object> = {};
  for (const t of types) {
    const gvk = { group: t.group, version: t.version, kind: t.kind };
    const ref = schemaName(t);
    const ok = { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } } };
    const base = `/${path}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
    paths[base] = {
      get: { operationId: `list${t.kind}`, 'x-kubernetes-action': 'list', 'x-kubernetes-group-version-kind': gvk, responses: ok },
      post: { operationId: `create${t.kind}`, parameters: WRITE_PARAMS, 'x-kubernetes-action': 'post', 'x-kubernetes-group-version-kind': gvk, responses: ok },
    };
    paths[`${base}/{name}`] = {
      get: { operationId: `read${t.kind}`, 'x-kubernetes-action': 'get', 'x-kubernetes-group-version-kind': gvk, responses: ok },
      put: { operationId: `replace${t.kind}`, parameters: WRITE_PARAMS, 'x-kubernetes-action': 'put', 'x-kubernetes-group-version-kind': gvk, responses: ok },
      patch: { operationId: `patch${t.kind}`, parameters: [...WRITE_PARAMS, param('force', 'force')], 'x-kubernetes-action': 'patch', 'x-kubernetes-group-version-kind': gvk, responses: ok },
      delete: { operationId: `delete${t.kind}`, parameters: [param('dryRun', 'dry run')], 'x-kubernetes-action': 'delete', 'x-kubernetes-group-version-kind': gvk, responses: ok },
    };
    schemas[ref] = {
      type: 'object',
      description: `${t.kind} (${gvOf(t)}), schema not published by the simulator`,
      'x-kubernetes-preserve-unknown-fields': true,
      'x-kubernetes-group-version-kind': [gvk],
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.4+k3s1' }, paths, components: { schemas } };
}

function schemaName(t: ResourceType): string {
  const g = t.group ? t.group.split('.').reverse().join('.') : 'core';
  return `io.k8s.api.${g}.${t.version}.${t.kind}`;
}
