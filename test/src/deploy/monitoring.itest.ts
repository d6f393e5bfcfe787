// The dashboard's envoy_* metrics and labels exist in the Envoy we ship (the pinned release), as
// an Engine exposes them: a real Envoy with ADS configured (its control-plane and LDS/CDS stats),
// a traffic listener and an upstream cluster that served one proxied request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startEnvoy, type EnvoyHandle } from '../harness/index.js';
import { dashboardQueries } from './dashboard.js';

let envoy: EnvoyHandle;
let listenerPort: number;

const ROUTER = { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } };
const staticEndpoint = (name: string, port: number): object => ({
  cluster_name: name,
  endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } }] }],
});

function bootstrap(port: number, xdsPort: number): object {
  // The xDS server is absent: Envoy gives up waiting after initial_fetch_timeout and serves its static listener.
  const ads = { ads: {}, resource_api_version: 'V3', initial_fetch_timeout: '0.2s' };
  return {
    node: { id: 'team-a/edge/pod', cluster: 'team-a/edge' },
    dynamic_resources: {
      ads_config: { api_type: 'DELTA_GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: 'microgateway-xds' } }] },
      cds_config: ads,
      lds_config: ads,
    },
    static_resources: {
      listeners: [
        {
          name: 'traffic',
          address: { socket_address: { address: '127.0.0.1', port_value: port } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'team-a-edge',
                    route_config: {
                      virtual_hosts: [
                        {
                          name: 'all',
                          domains: ['*'],
                          routes: [
                            { match: { prefix: '/ok' }, direct_response: { status: 200 } },
                            // Through an upstream cluster (Envoy itself), so the cluster stats exist too.
                            { match: { prefix: '/proxied' }, route: { cluster: 'backend', prefix_rewrite: '/ok' } },
                          ],
                        },
                      ],
                    },
                    http_filters: [ROUTER],
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [
        {
          name: 'microgateway-xds',
          type: 'STATIC',
          typed_extension_protocol_options: {
            'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
              '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
              explicit_http_config: { http2_protocol_options: {} },
            },
          },
          load_assignment: staticEndpoint('microgateway-xds', xdsPort),
        },
        { name: 'backend', type: 'STATIC', load_assignment: staticEndpoint('backend', port) },
      ],
    },
  };
}

beforeAll(async () => {
  listenerPort = await freePort();
  envoy = await startEnvoy({ name: 'monitoring-envoy', bootstrap: bootstrap(listenerPort, await freePort()) });
  const response = await fetch(`http://127.0.0.1:${listenerPort}/proxied`);
  expect(response.status).toBe(200);
});

afterAll(async () => {
  await envoy?.stop();
});

describe('the dashboard on a real Envoy', () => {
  it('queries only envoy_* metrics and labels that Envoy exports', async () => {
    const text = await (await fetch(`${envoy.adminUrl}/stats/prometheus`)).text();
    const exported = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/[{ ].*$/, '')));
    const labels = new Set([...text.matchAll(/[{,]([a-z_]+)="/g)].map((m) => m[1]));
    const queries = dashboardQueries();
    const metrics = [...new Set(queries.flatMap((q) => q.metrics).filter((m) => m.startsWith('envoy_')))];
    expect(metrics.length).toBeGreaterThan(5);
    expect(metrics.filter((m) => !exported.has(m))).toEqual([]);
    // Labels in matchers (envoy_x="…") and in grouping clauses (by (envoy_x)).
    const labelsOf = (expr: string): string[] => [
      ...[...expr.matchAll(/\b(envoy_[a-z_]+)\s*(?:=|!=|=~|!~)\s*"/g)].map((m) => m[1] ?? ''),
      ...[...expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((m) => (m[1] ?? '').split(',').map((l) => l.trim()).filter((l) => l.startsWith('envoy_'))),
    ];
    const usedLabels = [...new Set(queries.flatMap((q) => labelsOf(q.expr)))];
    expect(usedLabels.length).toBeGreaterThan(0);
    expect(usedLabels.filter((l) => !labels.has(l))).toEqual([]);
  });
});
