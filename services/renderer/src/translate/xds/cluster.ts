import type { IrCluster } from '@microgateway/contracts';
import { XDS_TYPE_URLS } from '@microgateway/contracts';
import type { EnvoyResource } from './types.js';
import { ADS_CONFIG_SOURCE, typed } from './types.js';

/**
 * One EDS cluster per Service port (name `<namespace>/<service>/<port>`), with its endpoints as a
 * ClusterLoadAssignment of the same name. A Service port with appProtocol `kubernetes.io/h2c` is
 * spoken to in HTTP/2.
 */

export const CONNECT_TIMEOUT = '10s';

export function buildCluster(cluster: IrCluster): EnvoyResource {
  const out: EnvoyResource = {
    '@type': XDS_TYPE_URLS.cluster,
    name: cluster.name,
    type: 'EDS',
    eds_cluster_config: { service_name: cluster.name, eds_config: ADS_CONFIG_SOURCE },
    connect_timeout: CONNECT_TIMEOUT,
    lb_policy: 'ROUND_ROBIN',
    per_connection_buffer_limit_bytes: 32768,
  };
  if (cluster.http2) {
    out['typed_extension_protocol_options'] = {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': typed('envoy.extensions.upstreams.http.v3.HttpProtocolOptions', {
        explicit_http_config: { http2_protocol_options: {} },
      }),
    };
  }
  return out;
}

export function buildEndpoints(cluster: IrCluster): EnvoyResource {
  const lbEndpoints = cluster.endpoints.map((e) => ({ endpoint: { address: { socket_address: { address: e.address, port_value: e.port } } } }));
  return {
    '@type': XDS_TYPE_URLS.endpoint,
    cluster_name: cluster.name,
    endpoints: lbEndpoints.length === 0 ? [] : [{ lb_endpoints: lbEndpoints }],
  };
}

/**
 * Where the share of traffic meant for unresolved backends goes when other backends of the rule are
 * valid: a cluster without endpoints. Envoy answers 503 there (a per-cluster 500 is not expressible in
 * weighted_clusters); a rule whose backends are all unresolved answers the spec's 500 directly.
 * The name cannot collide with a Service cluster (those have three segments).
 */
export const INVALID_BACKEND_CLUSTER = 'mgw/invalid-backend';

export function invalidBackendCluster(): EnvoyResource {
  return {
    '@type': XDS_TYPE_URLS.cluster,
    name: INVALID_BACKEND_CLUSTER,
    type: 'STATIC',
    connect_timeout: CONNECT_TIMEOUT,
    load_assignment: { cluster_name: INVALID_BACKEND_CLUSTER, endpoints: [] },
  };
}
