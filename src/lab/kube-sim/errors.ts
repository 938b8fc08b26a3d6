/**
 * metav1.Status errors with the reasons, codes and messages a real API server uses, because
 * clients branch on them (kubectl drain retries on 429, kubernetes.core on 404/409...).
 */
import type { ResourceType } from './types.js';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: Array<{ reason: string; message: string; field?: string }>;
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** "pods" / "deployments.apps" as the server names a resource in messages. */
export const qualified = (rt: ResourceType): string => (rt.group ? `${rt.plural}.${rt.group}` : rt.plural);
const det = (rt: ResourceType, name?: string): StatusDetails => ({ ...(name !== undefined ? { name } : {}), group: rt.group, kind: rt.plural });

export const notFound = (rt: ResourceType, name: string): ApiError => new ApiError(404, 'NotFound', `${qualified(rt)} "${name}" not found`, det(rt, name));
export const alreadyExists = (rt: ResourceType, name: string): ApiError =>
  new ApiError(409, 'AlreadyExists', `${qualified(rt)} "${name}" already exists`, det(rt, name));
export const conflict = (rt: ResourceType, name: string): ApiError =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(rt)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, det(rt, name));
export const invalid = (rt: ResourceType, name: string, causes: Array<{ field: string; message: string; reason?: string }>): ApiError =>
  new ApiError(
    422,
    'Invalid',
    `${rt.kind} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
    { name, group: rt.group, kind: rt.kind, causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })) },
  );
export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);
export const methodNotAllowed = (message = 'the server does not allow this method on the requested resource'): ApiError => new ApiError(405, 'MethodNotAllowed', message);
export const unsupportedMediaType = (ct: string): ApiError => new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${ct})`);
export const gone = (message: string): ApiError => new ApiError(410, 'Expired', message);
export const pageNotFound = (): ApiError => new ApiError(404, 'NotFound', 'the server could not find the requested resource');
