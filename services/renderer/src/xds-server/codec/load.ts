import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import protobuf from 'protobufjs';

/**
 * Loads the Envoy protos bundled with @grpc/grpc-js-xds into one protobufjs Root. That package
 * ships the envoy-api, xds (cncf), googleapis and protoc-gen-validate trees under `deps/`; the
 * google/protobuf well-known types come from protobufjs itself (bundled JSON for any, duration,
 * struct, …; descriptor.proto as a file, because Envoy's annotations extend its options).
 */

const require = createRequire(import.meta.url);
const xdsPackageDir = dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
const protobufjsDir = dirname(require.resolve('protobufjs/package.json'));

/** The proto include directories, in lookup order. Also used for the ADS service definition. */
export const protoIncludeDirs: readonly string[] = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) =>
  join(xdsPackageDir, 'deps', d),
);

/** Where protobufjs keeps the .proto files it does not bundle as JSON (descriptor.proto). */
const wellKnownDir = protobufjsDir;

/** The resources the xDS server serves (SotW and delta). */
const servedResources = [
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
];

/** Every `typed_config` the translation emits today (see translate/testdata/*.out.yaml). */
const emittedExtensions = [
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
];

/** Extensions the WAF features are built from (native filters first, see DESIGN §5). */
const wafExtensions = [
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto',
  'envoy/extensions/filters/http/header_mutation/v3/header_mutation.proto',
  'envoy/extensions/filters/http/ext_proc/v3/ext_proc.proto',
  'envoy/extensions/filters/http/ext_authz/v3/ext_authz.proto',
  'envoy/extensions/filters/http/lua/v3/lua.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/filters/http/custom_response/v3/custom_response.proto',
  'envoy/extensions/http/custom_response/local_response_policy/v3/local_response_policy.proto',
  'envoy/extensions/http/custom_response/redirect_policy/v3/redirect_policy.proto',
  'envoy/extensions/filters/http/set_filter_state/v3/set_filter_state.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'envoy/extensions/regex_engines/v3/google_re2.proto',
  'envoy/type/matcher/v3/regex.proto',
  'envoy/type/matcher/v3/http_inputs.proto',
  'envoy/type/matcher/v3/status_code_input.proto',
];

/** The ADS service; loaded into the same Root so DiscoveryRequest/Response are available too. */
export const discoveryProtos: readonly string[] = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/discovery/v3/discovery.proto',
];

export const defaultProtoFiles: readonly string[] = [...servedResources, ...emittedExtensions, ...wafExtensions, ...discoveryProtos];

/**
 * Finds an imported file in the include directories. protobufjs consults its bundled
 * well-known types (google/protobuf/{any,duration,…}.proto) before calling this.
 */
export function resolveProtoPath(origin: string, target: string): string {
  if (isAbsolute(target)) return target;
  for (const dir of [...protoIncludeDirs, wellKnownDir]) {
    const candidate = join(dir, target);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`proto import "${target}" (from ${origin || 'the codec'}) not found in ${protoIncludeDirs.join(', ')}`);
}

/** A resolved Root holding the default protos plus `extraProtoFiles` (paths relative to the include dirs). */
export function loadEnvoyRoot(extraProtoFiles: readonly string[] = []): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = resolveProtoPath;
  // keepCase: reflection field names stay snake_case, as Envoy's protos and our JSON spell them.
  root.loadSync([...defaultProtoFiles, ...extraProtoFiles], { keepCase: true });
  root.resolveAll();
  return root;
}
