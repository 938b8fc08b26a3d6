/** application/json-patch+json (RFC 6902) through fast-json-patch; a failed test/path answers 422 as the server does. */
import fjp from 'fast-json-patch';
import { ApiError } from '../errors.js';
import type { Json } from '../types.js';

export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new ApiError(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  try {
    const doc = structuredClone(target);
    return fjp.applyPatch(doc, ops as unknown as fjp.Operation[], true, true).newDocument as Json;
  } catch (e) {
    throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${(e as Error).message.split('\n')[0]}`);
  }
}
