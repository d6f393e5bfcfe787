import type { ServiceDefinition } from '@grpc/grpc-js';
import type { DeltaResponse, SotwResponse } from './protocol/index.js';
import type { EncodedAny } from './store.js';

/**
 * Hand-written protobuf encoding of the two ADS responses, with each resource's bytes encoded once
 * and shared by every stream: a push to a thousand Engines of one Gateway would otherwise encode
 * the same resources a thousand times. Only these fields exist in what the server sends:
 *
 *   DeltaDiscoveryResponse { system_version_info = 1; repeated Resource resources = 2;
 *                            type_url = 4; nonce = 5; repeated removed_resources = 6 }
 *   Resource               { version = 1; google.protobuf.Any resource = 2; name = 3 }
 *   DiscoveryResponse      { version_info = 1; repeated google.protobuf.Any resources = 2;
 *                            type_url = 4; nonce = 5 }
 *   google.protobuf.Any    { type_url = 1; bytes value = 2 }
 *
 * All are length-delimited (wire type 2). A unit test decodes the output with the real protos.
 */

const LENGTH_DELIMITED = 2;

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function field(number: number, payload: Buffer): Buffer[] {
  return [varint((number << 3) | LENGTH_DELIMITED), varint(payload.length), payload];
}

function text(number: number, value: string): Buffer[] {
  return value === '' ? [] : field(number, Buffer.from(value, 'utf8'));
}

const anyCache = new WeakMap<EncodedAny, Buffer>();

/** `google.protobuf.Any`, encoded once per resource body. */
export function anyBytes(any: EncodedAny): Buffer {
  let bytes = anyCache.get(any);
  if (bytes === undefined) {
    bytes = Buffer.concat([...text(1, any.type_url), ...field(2, any.value)]);
    anyCache.set(any, bytes);
  }
  return bytes;
}

const resourceCache = new WeakMap<EncodedAny, { key: string; bytes: Buffer }>();

/** A delta `Resource`, encoded once per (body, name, version). */
function resourceBytes(resource: { name: string; version: string; resource: EncodedAny }): Buffer {
  const key = `${resource.name}\u0000${resource.version}`;
  const cached = resourceCache.get(resource.resource);
  if (cached?.key === key) return cached.bytes;
  const bytes = Buffer.concat([...text(1, resource.version), ...field(2, anyBytes(resource.resource)), ...text(3, resource.name)]);
  resourceCache.set(resource.resource, { key, bytes });
  return bytes;
}

export function encodeDeltaResponse(response: DeltaResponse<EncodedAny>): Buffer {
  return Buffer.concat([
    ...text(1, response.system_version_info),
    ...response.resources.flatMap((r) => field(2, resourceBytes(r))),
    ...text(4, response.type_url),
    ...text(5, response.nonce),
    ...response.removed_resources.flatMap((name) => field(6, Buffer.from(name, 'utf8'))),
  ]);
}

export function encodeSotwResponse(response: SotwResponse<EncodedAny>): Buffer {
  return Buffer.concat([
    ...text(1, response.version_info),
    ...response.resources.flatMap((r) => field(2, anyBytes(r))),
    ...text(4, response.type_url),
    ...text(5, response.nonce),
  ]);
}

/** The ADS service definition with the two response serializers replaced by the ones above. */
export function withFastResponses(service: ServiceDefinition): ServiceDefinition {
  const delta = service['DeltaAggregatedResources'];
  const sotw = service['StreamAggregatedResources'];
  if (delta === undefined || sotw === undefined) throw new Error('not the ADS service definition');
  return {
    ...service,
    DeltaAggregatedResources: { ...delta, responseSerialize: (value: DeltaResponse<EncodedAny>) => encodeDeltaResponse(value) },
    StreamAggregatedResources: { ...sotw, responseSerialize: (value: SotwResponse<EncodedAny>) => encodeSotwResponse(value) },
  };
}
