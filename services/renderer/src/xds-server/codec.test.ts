import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ADS_SERVICE, adsPackageDefinition, createXdsCodec, XdsCodecError, type XdsCodec } from './codec.js';

const testdata = fileURLToPath(new URL('../translate/testdata/', import.meta.url));
const KINDS = ['listeners', 'routes', 'clusters', 'endpoints', 'secrets'] as const;
const T = 'type.googleapis.com/';

type Json = Record<string, unknown>;
interface GoldenFile {
  gateways?: { xds?: Partial<Record<(typeof KINDS)[number], Json[]>> }[];
}

/** Every Envoy resource of every golden output, labelled `<file> <kind>[i]`. */
function goldenResources(): [string, Json][] {
  const out: [string, Json][] = [];
  for (const file of readdirSync(testdata).filter((f) => f.endsWith('.out.yaml')).sort()) {
    const golden = parse(readFileSync(`${testdata}${file}`, 'utf8')) as GoldenFile;
    for (const gateway of golden.gateways ?? []) {
      for (const kind of KINDS) (gateway.xds?.[kind] ?? []).forEach((r, i) => out.push([`${file} ${kind}[${i}]`, r]));
    }
  }
  return out;
}

/**
 * The normalization decode(encode(r)) applies: fields that are absent on the wire come back
 * absent, so empty repeated fields/maps and nulls are dropped; key order follows field numbers
 * (toEqual ignores order). Values written explicitly, zeros included, survive, and Durations
 * print canonically ("1.5s" → "1.500s"; the goldens already use canonical forms).
 */
function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalized);
  if (typeof value !== 'object' || value === null) return value;
  const kept = Object.entries(value).filter(([, v]) => v !== null && !(Array.isArray(v) && v.length === 0));
  return Object.fromEntries(kept.map(([k, v]) => [k, normalized(v)]));
}

function listener(fields: Json): Json {
  return { '@type': `${T}envoy.config.listener.v3.Listener`, name: 'l', ...fields };
}

/** A listener whose single network filter has the given HttpConnectionManager fields. */
function hcmListener(hcm: Json): Json {
  const typedConfig = { '@type': `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`, stat_prefix: 's', ...hcm };
  return listener({ filter_chains: [{ filters: [{ name: 'hcm', typed_config: typedConfig }] }] });
}

function errorOf(fn: () => unknown): XdsCodecError {
  try {
    fn();
  } catch (e) {
    if (e instanceof XdsCodecError) return e;
    throw e;
  }
  throw new Error('expected an XdsCodecError');
}

let codec: XdsCodec;
beforeAll(() => {
  codec = createXdsCodec();
});

describe('xDS codec: golden outputs', () => {
  const resources = goldenResources();

  it('finds resources of every served type in the goldens', () => {
    const types = new Set(resources.map(([, r]) => r['@type']));
    expect([...types].sort()).toEqual([
      `${T}envoy.config.cluster.v3.Cluster`,
      `${T}envoy.config.endpoint.v3.ClusterLoadAssignment`,
      `${T}envoy.config.listener.v3.Listener`,
      `${T}envoy.config.route.v3.RouteConfiguration`,
      `${T}envoy.extensions.transport_sockets.tls.v3.Secret`,
    ]);
  });

  it.each(resources)('%s round-trips', (_label, resource) => {
    const any = codec.encode(resource);
    expect(any.type_url).toBe(resource['@type']);
    expect(codec.decode(any)).toEqual(normalized(resource));
  });
});

describe('xDS codec: routes encoded one by one and remembered', () => {
  const routeConfiguration = (paths: string[]): Json => ({
    '@type': `${T}envoy.config.route.v3.RouteConfiguration`,
    name: 'rc',
    virtual_hosts: [
      { name: 'a', domains: ['a.example'], routes: paths.map((p) => ({ match: { prefix: p }, route: { cluster: 'c', timeout: '5s' } })) },
      { name: 'b', domains: ['*'], routes: [{ match: { prefix: '/' }, direct_response: { status: 404 } }] },
    ],
  });

  it('decodes to the same configuration when one route changes among remembered ones', () => {
    codec.encode(routeConfiguration(['/x', '/y', '/z']));
    const changed = routeConfiguration(['/x', '/changed', '/z']);
    expect(codec.decode(codec.encode(changed))).toEqual(normalized(changed));
  });

  it('names the path of a mistake inside a route', () => {
    const bad = routeConfiguration(['/x']);
    ((bad['virtual_hosts'] as Json[])[0]!['routes'] as Json[]).push({ match: { prefix: '/' }, route: { clustr: 'c' } });
    expect(errorOf(() => codec.encode(bad)).path).toBe('RouteConfiguration.virtual_hosts[0].routes[1].route.clustr');
  });
});

describe('xDS codec: strict proto3 JSON', () => {
  it('names the path of an unknown field, inside nested Any', () => {
    const error = errorOf(() => codec.encode(hcmListener({ bogus_field: true })));
    expect(error.path).toBe('Listener.filter_chains[0].filters[0].typed_config.bogus_field');
    expect(error.message).toMatch(/^Listener\.filter_chains\[0\]\.filters\[0\]\.typed_config\.bogus_field: unknown field/);
  });

  it('refuses a typo in a top-level field', () => {
    expect(() => codec.encode(listener({ per_connection_buffer_limit: 1 }))).toThrow('Listener.per_connection_buffer_limit: unknown field');
  });

  it('refuses an unknown enum name and lists the valid ones', () => {
    const error = errorOf(() => codec.encode(hcmListener({ path_with_escaped_slashes_action: 'UNESCAPE_AND_REDIRECTT' })));
    expect(error.path).toBe('Listener.filter_chains[0].filters[0].typed_config.path_with_escaped_slashes_action');
    expect(error.message).toContain('UNESCAPE_AND_REDIRECT');
  });

  it.each([
    ['a string for a bool', { use_remote_address: 'true' }, 'use_remote_address'],
    ['a fraction for a uint32', { http2_protocol_options: { max_concurrent_streams: 1.5 } }, 'http2_protocol_options.max_concurrent_streams'],
    ['a negative uint32', { http2_protocol_options: { max_concurrent_streams: -1 } }, 'http2_protocol_options.max_concurrent_streams'],
    ['a number for a Duration', { stream_idle_timeout: 300 }, 'stream_idle_timeout'],
    ['a Duration without unit', { stream_idle_timeout: '300' }, 'stream_idle_timeout'],
    ['an object for a string', { stat_prefix: { a: 1 } }, 'stat_prefix'],
    ['a scalar for a message', { rds: 'port-80' }, 'rds'],
    ['an object for a repeated field', { http_filters: {} }, 'http_filters'],
    ['two members of one oneof', { rds: { route_config_name: 'a' }, route_config: { name: 'b' } }, 'route_config'],
  ])('refuses %s', (_what, hcm, field) => {
    expect(errorOf(() => codec.encode(hcmListener(hcm))).path).toBe(`Listener.filter_chains[0].filters[0].typed_config.${field}`);
  });

  it('refuses a type that is not loaded, and a missing "@type"', () => {
    expect(() => codec.encode({ '@type': `${T}envoy.config.nothing.v3.Nope` })).toThrow(/unknown type .*Nope/);
    expect(() => codec.encode({ name: 'x' })).toThrow('"@type"');
    const inner = hcmListener({ http_filters: [{ name: 'x', typed_config: { '@type': `${T}acme.Unknown` } }] });
    expect(errorOf(() => codec.encode(inner)).path).toBe('Listener.filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.@type');
  });

  it('refuses a field that only a newer Envoy knows (the bundled envoy-api is too old)', () => {
    // SocketAddress.network_namespace_filepath is in Envoy's API since 1.35 and absent from the
    // envoy-api that @grpc/grpc-js-xds bundles. If this test starts failing, the bundle got newer:
    // pick another field.
    const resource = listener({ address: { socket_address: { address: '0.0.0.0', port_value: 1, network_namespace_filepath: '/var/run/netns/x' } } });
    const error = errorOf(() => codec.encode(resource));
    expect(error.path).toBe('Listener.address.socket_address.network_namespace_filepath');
    expect(error.message).toMatch(/unknown field \(not in envoy\.config\.core\.v3\.SocketAddress; the bundled Envoy protos may predate it\)/);
  });
});

describe('xDS codec: well-known types and scalars', () => {
  /** Encodes an HCM listener and returns its decoded HttpConnectionManager message (raw protobufjs). */
  function rawHcm(hcm: Json): Record<string, unknown> {
    const listenerType = codec.root.lookupType('envoy.config.listener.v3.Listener');
    const decoded = listenerType.toObject(listenerType.decode(codec.encode(hcmListener(hcm)).value), { longs: String });
    const any = (decoded as { filter_chains: { filters: { typed_config: { value: Uint8Array } }[] }[] }).filter_chains[0]!.filters[0]!.typed_config;
    const hcmType = codec.root.lookupType('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
    return hcmType.toObject(hcmType.decode(any.value), { longs: String });
  }

  it('encodes Duration "1.5s" as seconds 1, nanos 500000000', () => {
    expect(rawHcm({ request_timeout: '1.5s' })['request_timeout']).toEqual({ seconds: '1', nanos: 500_000_000 });
    expect(rawHcm({ request_timeout: '0.250s' })['request_timeout']).toEqual({ seconds: '0', nanos: 250_000_000 });
  });

  it('prints Durations canonically and keeps explicit zeros', () => {
    const decoded = codec.decode(codec.encode(hcmListener({ request_timeout: '1.5s', stream_idle_timeout: '0s', drain_timeout: '0.000001s' })));
    expect(JSON.stringify(decoded)).toContain('"request_timeout":"1.500s"');
    expect(JSON.stringify(decoded)).toContain('"stream_idle_timeout":"0s"');
    expect(JSON.stringify(decoded)).toContain('"drain_timeout":"0.000001s"');
  });

  it('takes wrappers as plain values, enums by name or number, lowerCamelCase names', () => {
    const raw = rawHcm({ max_request_headers_kb: 60, useRemoteAddress: true, codec_type: 2, xff_num_trusted_hops: 1 });
    expect(raw['max_request_headers_kb']).toEqual({ value: 60 });
    expect(raw['use_remote_address']).toEqual({ value: true });
    expect(raw['codec_type']).toBe(2);
  });

  it('takes bytes as base64 and Struct as plain JSON', () => {
    const cluster = {
      '@type': `${T}envoy.config.cluster.v3.Cluster`,
      name: 'c',
      metadata: { filter_metadata: { 'acme.waf': { rules: ['a', 1.5, true, null, { nested: ['x'], empty: {} }] } } },
      lb_subset_config: { fallback_policy: 'ANY_ENDPOINT' },
      upstream_connection_options: { tcp_keepalive: { keepalive_probes: 3 } },
      transport_socket_matches: [],
    };
    expect(codec.decode(codec.encode(cluster))).toEqual(normalized(cluster));
    const secret = { '@type': `${T}envoy.extensions.transport_sockets.tls.v3.Secret`, name: 's', generic_secret: { secret: { inline_bytes: 'aGVsbG8=' } } };
    expect(codec.decode(codec.encode(secret))).toEqual(secret);
    expect(() => codec.encode({ ...secret, generic_secret: { secret: { inline_bytes: 'not base64!' } } })).toThrow('inline_bytes: expected base64');
  });

  it('expands nested Any (typed_config inside typed_config) on decode', () => {
    const rbac = {
      '@type': `${T}envoy.extensions.filters.http.rbac.v3.RBAC`,
      rules: {
        action: 'DENY',
        policies: {
          'deny-admin': {
            permissions: [{ url_path: { path: { safe_regex: { regex: '^/admin' } } } }],
            principals: [{ any: true }],
          },
        },
      },
    };
    const resource = hcmListener({ http_filters: [{ name: 'envoy.filters.http.rbac', typed_config: rbac }] });
    const decoded = codec.decode(codec.encode(resource));
    expect(decoded).toEqual(resource);
  });

  it('keeps a map key named "__proto__"', () => {
    const cluster = { '@type': `${T}envoy.config.cluster.v3.Cluster`, name: 'c', metadata: { filter_metadata: JSON.parse('{"__proto__": {"a": 1}}') as Json } };
    expect(JSON.stringify(codec.decode(codec.encode(cluster)))).toContain('"__proto__":{"a":1}');
  });

  it('takes well-known types inside Any under "value"', () => {
    const wrapped = { '@type': `${T}google.protobuf.Duration`, value: '2s' };
    const resource = hcmListener({ http_filters: [{ name: 'x', typed_config: wrapped }] });
    expect(codec.decode(codec.encode(resource))).toEqual(resource);
  });

  it('refuses out-of-range and malformed 64-bit integers', () => {
    // A UInt64Value inside an Any: 64-bit values print as strings, exact beyond 2^53.
    const int64 = (v: unknown): Json => hcmListener({ http_filters: [{ name: 'x', typed_config: { '@type': `${T}google.protobuf.UInt64Value`, value: v } }] });
    expect(codec.decode(codec.encode(int64('18446744073709551615')))).toEqual(int64('18446744073709551615'));
    expect(codec.decode(codec.encode(int64(12)))).toEqual(int64('12'));
    expect(() => codec.encode(int64('18446744073709551616'))).toThrow('typed_config.value: string "18446744073709551616" is not a valid uint64');
    expect(() => codec.encode(int64(-1))).toThrow('is not a valid uint64');
    expect(() => codec.encode(int64(2 ** 60))).toThrow('use a decimal string');
    const cluster = (n: unknown): Json => ({ '@type': `${T}envoy.config.cluster.v3.Cluster`, name: 'c', circuit_breakers: { thresholds: [{ max_connections: n }] } });
    expect(() => codec.encode(cluster(4_294_967_296))).toThrow('Cluster.circuit_breakers.thresholds[0].max_connections');
    expect(() => codec.encode(cluster(12))).not.toThrow();
  });
});

describe('xDS codec: loading', () => {
  it('knows the served resources, the WAF filters and the access loggers', () => {
    const urls = new Set(codec.typeUrls());
    for (const name of [
      'envoy.config.listener.v3.Listener',
      'envoy.config.route.v3.RouteConfiguration',
      'envoy.config.cluster.v3.Cluster',
      'envoy.config.endpoint.v3.ClusterLoadAssignment',
      'envoy.extensions.transport_sockets.tls.v3.Secret',
      'envoy.extensions.filters.http.rbac.v3.RBAC',
      'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
      'envoy.extensions.filters.http.header_mutation.v3.HeaderMutation',
      'envoy.extensions.filters.http.ext_proc.v3.ExternalProcessor',
      'envoy.extensions.filters.http.ext_authz.v3.ExtAuthz',
      'envoy.extensions.filters.http.lua.v3.Lua',
      'envoy.extensions.filters.http.cors.v3.Cors',
      'envoy.extensions.filters.http.custom_response.v3.CustomResponse',
      'envoy.extensions.filters.http.set_filter_state.v3.Config',
      'envoy.extensions.access_loggers.file.v3.FileAccessLog',
      'envoy.extensions.access_loggers.stream.v3.StdoutAccessLog',
      'envoy.extensions.regex_engines.v3.GoogleRE2',
      'envoy.service.discovery.v3.DeltaDiscoveryRequest',
    ]) {
      expect(urls, name).toContain(`${T}${name}`);
    }
  });

  it('loads extra proto files on request', () => {
    const extended = createXdsCodec({ extraProtoFiles: ['envoy/extensions/filters/http/buffer/v3/buffer.proto'] });
    expect(extended.typeUrls()).toContain(`${T}envoy.extensions.filters.http.buffer.v3.Buffer`);
    expect(codec.typeUrls()).not.toContain(`${T}envoy.extensions.filters.http.buffer.v3.Buffer`);
  });

  it('gives the ADS service definition with the xDS server options', () => {
    const definition = adsPackageDefinition();
    const service = definition[ADS_SERVICE] as Record<string, { path: string; requestStream: boolean }>;
    expect(service['DeltaAggregatedResources']?.path).toBe(`/${ADS_SERVICE}/DeltaAggregatedResources`);
    expect(service['StreamAggregatedResources']?.requestStream).toBe(true);
  });

  it('uses the protobufjs build the root was made with', () => {
    expect(codec.root).toBeInstanceOf(protobuf.Root);
  });
});
