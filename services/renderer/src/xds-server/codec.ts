import protobuf from 'protobufjs';
import { describe, XdsCodecError } from './codec/errors.js';
import { isObject, JsonToWire } from './codec/from-json.js';
import { ElementMemo } from './codec/element-memo.js';
import { typeNameOf } from './codec/fields.js';
import { loadEnvoyRoot } from './codec/load.js';
import { WireToJson } from './codec/to-json.js';

/**
 * The xDS resource codec: the translation's Envoy resources (proto3 JSON, snake_case, top-level
 * "@type", stored as JSON in the `xds` KV bucket) ↔ the `google.protobuf.Any` the xDS server
 * sends Envoy. Encoding is strict proto3 JSON: an unknown field, a wrong value type, an unknown
 * enum name or a type that is not loaded throws an XdsCodecError naming the path, because a field
 * silently dropped on the way to Envoy is a protection silently switched off.
 */

export { XdsCodecError } from './codec/errors.js';
export { ADS_SERVICE, adsPackageDefinition } from './codec/ads.js';
export { defaultProtoFiles, protoIncludeDirs } from './codec/load.js';

export interface XdsAny {
  type_url: string;
  value: Buffer;
}

export interface XdsCodecOptions {
  /** More .proto files to load, relative to the include dirs (e.g. another filter's config). */
  extraProtoFiles?: string[];
}

export interface XdsCodec {
  /** Encodes a resource whose top-level "@type" names its message type. */
  encode(resource: Record<string, unknown>): XdsAny;
  /** Decodes an Any back to proto3-JSON-ish snake_case with "@type" (fields on the wire only). */
  decode(any: { type_url: string; value: Uint8Array }): Record<string, unknown>;
  /** The type URLs of every message the codec can encode, sorted. */
  typeUrls(): string[];
  /** The loaded protobufjs Root (includes the discovery service protos). */
  readonly root: protobuf.Root;
}

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** Loads the protos (synchronously, a few hundred ms) and returns a codec over them. */
export function createXdsCodec(options: XdsCodecOptions = {}): XdsCodec {
  const root = loadEnvoyRoot(options.extraProtoFiles);
  const toWire = new JsonToWire(root);
  const toJson = new WireToJson(root);
  // The routes of a RouteConfiguration: thousands per Gateway, one changes at a time.
  const memo = new ElementMemo(toWire, new Map([
    ['envoy.config.route.v3.RouteConfiguration', 'virtual_hosts'],
    ['envoy.config.route.v3.VirtualHost', 'routes'],
  ]));
  let urls: string[] | undefined;
  return {
    root,
    encode(resource) {
      if (!isObject(resource)) throw new XdsCodecError('(resource)', `expected an object, got ${describe(resource)}`);
      const typeUrl = resource['@type'];
      const path = typeof typeUrl === 'string' ? typeNameOf(typeUrl).split('.').pop() ?? '(resource)' : '(resource)';
      const type = toWire.anyType(typeUrl, `${path}.@type`);
      const bytes = memo.handles(type) ? memo.encode(type, resource, path, 1, true) : (toWire.any(resource, path, 0)['value'] as Uint8Array);
      // protobufjs's Node writer already returns a Buffer; wrap (not copy) anything else.
      const value = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return { type_url: typeUrl as string, value };
    },
    decode(any) {
      if (!toJson.typeOf(any.type_url)) throw new XdsCodecError('(resource)', `unknown type ${any.type_url}`);
      return toJson.any(any.type_url, any.value);
    },
    typeUrls() {
      urls ??= messageTypes(root).map((t) => `${TYPE_URL_PREFIX}${t.fullName.slice(1)}`).sort();
      return [...urls];
    },
  };
}

function messageTypes(namespace: protobuf.NamespaceBase): protobuf.Type[] {
  const types: protobuf.Type[] = [];
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) types.push(nested);
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) types.push(...messageTypes(nested));
  }
  return types;
}
