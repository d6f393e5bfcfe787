import type { IrChain, IrPort } from '@microgateway/contracts';
import { XDS_TYPE_URLS } from '@microgateway/contracts';
import type { EnvoyResource } from './types.js';
import { ADS_CONFIG_SOURCE, typed } from './types.js';

/**
 * One Envoy Listener per Gateway port, bound to the container port (port + 10000, DESIGN §5).
 * Each chain's HttpConnectionManager takes its routes over RDS; HTTPS chains are selected by SNI
 * and present their certificates through SDS.
 */

export function listenerName(port: number): string {
  return `port-${port}`;
}

function httpConnectionManager(chain: IrChain, statPrefix: string): Record<string, unknown> {
  return {
    name: 'envoy.filters.network.http_connection_manager',
    typed_config: typed('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', {
      stat_prefix: statPrefix,
      rds: { route_config_name: chain.routeConfigName, config_source: ADS_CONFIG_SOURCE },
      http_filters: [{ name: 'envoy.filters.http.router', typed_config: typed('envoy.extensions.filters.http.router.v3.Router', {}) }],
      // Edge hardening from Envoy's "Configuring Envoy as an edge proxy" guide.
      use_remote_address: true,
      normalize_path: true,
      merge_slashes: true,
      path_with_escaped_slashes_action: 'UNESCAPE_AND_REDIRECT',
      common_http_protocol_options: { headers_with_underscores_action: 'REJECT_REQUEST', idle_timeout: '3600s' },
      http2_protocol_options: { max_concurrent_streams: 100, initial_stream_window_size: 65536, initial_connection_window_size: 1048576 },
      stream_idle_timeout: '300s',
      request_timeout: '300s',
    }),
  };
}

function tlsTransportSocket(chain: IrChain): Record<string, unknown> {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: typed('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', {
      common_tls_context: {
        alpn_protocols: ['h2', 'http/1.1'],
        tls_certificate_sds_secret_configs: (chain.secretNames ?? []).map((name) => ({ name, sds_config: ADS_CONFIG_SOURCE })),
      },
    }),
  };
}

function filterChain(port: IrPort, chain: IrChain): Record<string, unknown> {
  const out: Record<string, unknown> = { name: chain.routeConfigName, filters: [httpConnectionManager(chain, chain.routeConfigName.replaceAll('/', '_'))] };
  if (port.protocol === 'HTTPS') {
    if (chain.serverNames !== undefined) out['filter_chain_match'] = { server_names: chain.serverNames };
    out['transport_socket'] = tlsTransportSocket(chain);
  }
  return out;
}

export function buildListener(port: IrPort): EnvoyResource {
  const listener: EnvoyResource = {
    '@type': XDS_TYPE_URLS.listener,
    name: listenerName(port.port),
    address: { socket_address: { address: '0.0.0.0', port_value: port.containerPort } },
    per_connection_buffer_limit_bytes: 32768,
    filter_chains: port.chains.map((chain) => filterChain(port, chain)),
  };
  if (port.protocol === 'HTTPS') {
    listener['listener_filters'] = [
      { name: 'envoy.filters.listener.tls_inspector', typed_config: typed('envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector', {}) },
    ];
  }
  return listener;
}
