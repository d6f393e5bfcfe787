import { ENGINE_ADMIN_PORT, ENGINE_METRICS_PATH, ENGINE_METRICS_PORT, ENGINE_READY_PATH, ENGINE_READY_PORT } from '@microgateway/contracts';
import type { Json } from './objects.js';

/**
 * The Engine's own endpoints, as static listeners in front of the admin interface. The admin
 * listens on 127.0.0.1 only (it can change and stop the server); these listeners expose exactly
 * two read-only admin pages on all interfaces, for the kubelet's probes and for Prometheus.
 *
 * Readiness proxies to the admin's `/ready` instead of using the health_check filter: `/ready`
 * answers 200 only in the LIVE state, i.e. 503 while the Engine is still initializing (waiting for
 * its first configuration) or draining, and after `/healthcheck/fail`; the health_check filter
 * (pass_through_mode false) reflects only the last of these.
 */

export const ADMIN_CLUSTER_NAME = 'microgateway-admin';
const LOOPBACK = '127.0.0.1';
const ANY = '0.0.0.0';
const HCM_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

export function socketAddress(address: string, port: number): Json {
  return { socket_address: { address, port_value: port } };
}

export function adminConfig(): Json {
  return { address: socketAddress(LOOPBACK, ENGINE_ADMIN_PORT) };
}

/** The admin interface as an upstream, for the two listeners below. */
export function adminCluster(): Json {
  return {
    name: ADMIN_CLUSTER_NAME,
    type: 'STATIC',
    connect_timeout: '1s',
    load_assignment: {
      cluster_name: ADMIN_CLUSTER_NAME,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socketAddress(LOOPBACK, ENGINE_ADMIN_PORT) } }] }],
    },
  };
}

/** One GET route to an admin path; every other request is answered 404 without reaching the admin. */
function adminRouteListener(name: string, port: number, path: string, adminPath: string): Json {
  const route = path === adminPath ? { cluster: ADMIN_CLUSTER_NAME } : { cluster: ADMIN_CLUSTER_NAME, prefix_rewrite: adminPath };
  const onlyGet = [{ name: ':method', string_match: { exact: 'GET' } }];
  return {
    name,
    address: socketAddress(ANY, port),
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': HCM_TYPE,
              stat_prefix: name,
              route_config: {
                name,
                virtual_hosts: [
                  {
                    name,
                    domains: ['*'],
                    routes: [
                      { match: { path, headers: onlyGet }, route },
                      { match: { prefix: '/' }, direct_response: { status: 404 } },
                    ],
                  },
                ],
              },
              http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }],
            },
          },
        ],
      },
    ],
  };
}

/** `GET :19001/ready` → the admin's `/ready` (kubelet readiness). */
export function readyListener(): Json {
  return adminRouteListener('microgateway-ready', ENGINE_READY_PORT, ENGINE_READY_PATH, '/ready');
}

/** `GET :19002/metrics` → the admin's `/stats/prometheus`. */
export function metricsListener(): Json {
  return adminRouteListener('microgateway-metrics', ENGINE_METRICS_PORT, ENGINE_METRICS_PATH, '/stats/prometheus');
}
