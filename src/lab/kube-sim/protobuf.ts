/**
 * Decoding of the protobuf request bodies kubectl's typed clients send for built-in kinds
 * (`kubectl create namespace|configmap|secret|deployment|serviceaccount ...`): client-go does
 * not fall back to JSON on 415 for protobuf, so the simulator reads them. The envelope is
 * "k8s\0" + runtime.Unknown; the message is decoded with the field numbers of k8s.io/api's
 * generated.proto for the fields those generators fill. Unknown fields are skipped, so a
 * kind outside this table decodes to its metadata only.
 */
import { badRequest } from './errors.js';
import type { Json } from './types.js';

type Kind = 'string' | 'int' | 'bool' | 'bytes' | 'map' | 'mapBytes' | 'time' | 'intstr' | Schema;
interface Field {
  name: string;
  kind: Kind;
  repeated?: boolean;
}
type Schema = { [no: number]: Field };

const f = (name: string, kind: Kind, repeated = false): Field => ({ name, kind, repeated });

const LabelSelector: Schema = { 1: f('matchLabels', 'map'), 2: f('matchExpressions', { 1: f('key', 'string'), 2: f('operator', 'string'), 3: f('values', 'string', true) }, true) };
const OwnerReference: Schema = { 1: f('kind', 'string'), 3: f('name', 'string'), 4: f('uid', 'string'), 5: f('apiVersion', 'string'), 6: f('controller', 'bool'), 7: f('blockOwnerDeletion', 'bool') };
const ObjectMeta: Schema = {
  1: f('name', 'string'),
  2: f('generateName', 'string'),
  3: f('namespace', 'string'),
  5: f('uid', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('generation', 'int'),
  8: f('creationTimestamp', 'time'),
  11: f('labels', 'map'),
  12: f('annotations', 'map'),
  13: f('ownerReferences', OwnerReference, true),
  14: f('finalizers', 'string', true),
};
const Container: Schema = {
  1: f('name', 'string'),
  2: f('image', 'string'),
  3: f('command', 'string', true),
  4: f('args', 'string', true),
  5: f('workingDir', 'string'),
  6: f('ports', { 1: f('name', 'string'), 2: f('hostPort', 'int'), 3: f('containerPort', 'int'), 4: f('protocol', 'string') }, true),
  7: f('env', { 1: f('name', 'string'), 2: f('value', 'string') }, true),
  8: f('resources', {}),
  13: f('terminationMessagePath', 'string'),
  14: f('imagePullPolicy', 'string'),
  20: f('terminationMessagePolicy', 'string'),
};
const PodSpec: Schema = {
  2: f('containers', Container, true),
  3: f('restartPolicy', 'string'),
  4: f('terminationGracePeriodSeconds', 'int'),
  6: f('dnsPolicy', 'string'),
  7: f('nodeSelector', 'map'),
  8: f('serviceAccountName', 'string'),
  10: f('nodeName', 'string'),
  11: f('hostNetwork', 'bool'),
  19: f('schedulerName', 'string'),
  20: f('initContainers', Container, true),
  22: f('tolerations', { 1: f('key', 'string'), 2: f('operator', 'string'), 3: f('value', 'string'), 4: f('effect', 'string') }, true),
};
const PodTemplateSpec: Schema = { 1: f('metadata', ObjectMeta), 2: f('spec', PodSpec) };
const IntOrStringRolling: Schema = { 1: f('maxUnavailable', 'intstr'), 2: f('maxSurge', 'intstr') };

const KINDS: Record<string, Schema> = {
  Namespace: { 1: f('metadata', ObjectMeta), 2: f('spec', { 1: f('finalizers', 'string', true) }) },
  ConfigMap: { 1: f('metadata', ObjectMeta), 2: f('data', 'map'), 3: f('binaryData', 'mapBytes'), 4: f('immutable', 'bool') },
  Secret: { 1: f('metadata', ObjectMeta), 2: f('data', 'mapBytes'), 3: f('type', 'string'), 4: f('stringData', 'map'), 5: f('immutable', 'bool') },
  ServiceAccount: { 1: f('metadata', ObjectMeta) },
  Pod: { 1: f('metadata', ObjectMeta), 2: f('spec', PodSpec) },
  Deployment: {
    1: f('metadata', ObjectMeta),
    2: f('spec', { 1: f('replicas', 'int'), 2: f('selector', LabelSelector), 3: f('template', PodTemplateSpec), 4: f('strategy', { 1: f('type', 'string'), 2: f('rollingUpdate', IntOrStringRolling) }), 5: f('minReadySeconds', 'int'), 6: f('revisionHistoryLimit', 'int'), 7: f('paused', 'bool'), 9: f('progressDeadlineSeconds', 'int') }),
  },
  PodDisruptionBudget: { 1: f('metadata', ObjectMeta), 2: f('spec', { 1: f('minAvailable', 'intstr'), 2: f('selector', LabelSelector), 3: f('maxUnavailable', 'intstr') }) },
};

/** Pointer fields whose explicit 0 means something. */
const KEEP_ZERO = new Set(['replicas', 'terminationGracePeriodSeconds', 'minAvailable', 'maxUnavailable']);

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw badRequest('truncated protobuf');
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
    }
  }
  bytes(): Buffer {
    const n = this.varint();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw badRequest(`unsupported protobuf wire type ${wire}`);
  }
}

function decodeMessage(buf: Buffer, schema: Schema): Record<string, Json> {
  const r = new Reader(buf);
  const out: Record<string, Json> = {};
  while (!r.done) {
    const tag = r.varint();
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    const field = schema[no];
    if (!field) {
      r.skip(wire);
      continue;
    }
    const v = decodeValue(r, wire, field.kind);
    // Go marshals non-pointer fields even when empty; JSON would omit them (omitempty).
    if (v === undefined || v === '' || v === false || (v === 0 && !KEEP_ZERO.has(field.name))) continue;
    if (field.kind === 'map' || field.kind === 'mapBytes') {
      const [k, val] = v as [string, Json];
      out[field.name] = { ...((out[field.name] as Record<string, Json>) ?? {}), [k]: val };
    } else if (field.repeated) out[field.name] = [...((out[field.name] as Json[]) ?? []), v];
    else out[field.name] = v;
  }
  return out;
}

function decodeValue(r: Reader, wire: number, kind: Kind): Json | [string, Json] | undefined {
  if (typeof kind === 'object') return decodeMessage(r.bytes(), kind);
  switch (kind) {
    case 'string':
      return r.bytes().toString('utf8');
    case 'bytes':
      return r.bytes().toString('base64');
    case 'int': {
      const n = r.varint();
      return n >= 2 ** 63 ? n - 2 ** 64 : n;
    }
    case 'bool':
      return r.varint() !== 0;
    case 'time': {
      const t = decodeMessage(r.bytes(), { 1: f('seconds', 'int'), 2: f('nanos', 'int') });
      return t['seconds'] ? new Date(Number(t['seconds']) * 1000).toISOString().replace(/\.\d+Z$/, 'Z') : null;
    }
    case 'intstr': {
      const v = decodeMessage(r.bytes(), { 1: f('type', 'int'), 2: f('intVal', 'int'), 3: f('strVal', 'string') });
      return v['type'] === 1 ? (v['strVal'] as string) : ((v['intVal'] as number) ?? 0);
    }
    case 'map':
    case 'mapBytes': {
      const e = decodeMessage(r.bytes(), { 1: f('k', 'string'), 2: f('v', kind === 'map' ? 'string' : 'bytes') });
      return [String(e['k'] ?? ''), (e['v'] as Json) ?? ''];
    }
  }
  r.skip(wire);
  return undefined;
}

/** Decodes a `application/vnd.kubernetes.protobuf` body into the JSON form of the object. */
export function decodeProtobuf(body: Buffer): Record<string, Json> {
  if (body.subarray(0, 4).toString('latin1') !== 'k8s\0') throw badRequest('protobuf body without the k8s envelope');
  const unknown = decodeMessage(body.subarray(4), { 1: f('typeMeta', { 1: f('apiVersion', 'string'), 2: f('kind', 'string') }), 2: f('raw', 'bytes') });
  const tm = (unknown['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
  const raw = Buffer.from(String(unknown['raw'] ?? ''), 'base64');
  const obj = decodeMessage(raw, KINDS[tm.kind ?? ''] ?? { 1: f('metadata', ObjectMeta) });
  return { apiVersion: tm.apiVersion ?? '', kind: tm.kind ?? '', ...obj };
}
