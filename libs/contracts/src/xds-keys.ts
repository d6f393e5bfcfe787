import type { GatewayRef } from './keys.js';
import { decodeToken, encodeToken } from './keys.js';

/**
 * Keys of the `xds` bucket. Each Gateway owns the keys under `<ns>.<gateway>.`:
 *
 * - `<ns>.<gateway>.manifest` — the version of the Gateway's config and the list of its resources;
 * - `<ns>.<gateway>.<type>.<resource name>` — one Envoy resource, so no value approaches the NATS
 *   payload limit and the xDS server can push only what changed.
 */

/** Short names of the xDS resource types, and the type URLs they stand for. */
export const XDS_TYPE_URLS = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  route: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  endpoint: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  secret: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;

export type XdsTypeShort = keyof typeof XDS_TYPE_URLS;
export type XdsTypeUrl = (typeof XDS_TYPE_URLS)[XdsTypeShort];

export const XDS_TYPE_SHORTS = Object.keys(XDS_TYPE_URLS) as XdsTypeShort[];

/** The last token of a Gateway's manifest key; it can never be mistaken for a type (4 vs 3 tokens). */
export const XDS_MANIFEST_TOKEN = 'manifest';

export function isXdsTypeShort(value: string): value is XdsTypeShort {
  return Object.hasOwn(XDS_TYPE_URLS, value);
}

/** The short name of a type URL, or undefined for a type Microgateway does not serve. */
export function xdsTypeShortOf(typeUrl: string): XdsTypeShort | undefined {
  return XDS_TYPE_SHORTS.find((short) => XDS_TYPE_URLS[short] === typeUrl);
}

function gatewayTokens(gateway: GatewayRef): string {
  return `${encodeToken(gateway.namespace)}.${encodeToken(gateway.name)}`;
}

export function xdsManifestKey(gateway: GatewayRef): string {
  return `${gatewayTokens(gateway)}.${XDS_MANIFEST_TOKEN}`;
}

export function xdsResourceKey(gateway: GatewayRef, type: XdsTypeShort, resourceName: string): string {
  return `${gatewayTokens(gateway)}.${type}.${encodeToken(resourceName)}`;
}

/** A KV watch filter for every key of one Gateway (what one Engine's xDS stream needs). */
export function xdsGatewayFilter(gateway: GatewayRef): string {
  return `${gatewayTokens(gateway)}.>`;
}

export type XdsKey =
  | { kind: 'manifest'; gateway: GatewayRef }
  | { kind: 'resource'; gateway: GatewayRef; type: XdsTypeShort; resourceName: string };

/** Inverse of {@link xdsManifestKey} and {@link xdsResourceKey}; throws on anything else. */
export function parseXdsKey(key: string): XdsKey {
  const tokens = key.split('.');
  const [namespace = '', name = '', third = '', fourth] = tokens;
  const gateway = { namespace: decodeToken(namespace), name: decodeToken(name) };
  if (tokens.length === 3 && third === XDS_MANIFEST_TOKEN) return { kind: 'manifest', gateway };
  if (tokens.length === 4 && fourth !== undefined && isXdsTypeShort(third)) {
    return { kind: 'resource', gateway, type: third, resourceName: decodeToken(fourth) };
  }
  throw new Error(`malformed xds key ${JSON.stringify(key)}: expected <ns>.<gateway>.manifest or <ns>.<gateway>.<type>.<name>`);
}
