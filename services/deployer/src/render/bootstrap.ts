import {
  BOOTSTRAP_CA_SDS_KEY,
  BOOTSTRAP_TLS_SDS_KEY,
  ENGINE_CA_SDS_SECRET,
  ENGINE_TLS_SDS_SECRET,
  XDS_CLUSTER_NAME,
  engineNodeCluster,
  type GatewayInfra,
} from '@microgateway/contracts';
import { adminCluster, adminConfig, metricsListener, readyListener } from './bootstrap-local.js';
import type { Json } from './objects.js';
import type { RenderSettings } from './settings.js';

/**
 * The Engine's static Envoy bootstrap (DESIGN §5): everything an Engine knows before it reaches the
 * renderer. Listeners and clusters of the Gateway itself arrive over ADS (delta xDS). The node id
 * is not here: it names the Pod, so the container passes it with `--service-node`.
 */

const HTTP_OPTIONS_KEY = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
const TLS_CONTEXT_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
const CONNECTIONS_MONITOR_TYPE = 'type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig';

const ADS = { ads: {}, resource_api_version: 'V3' };

function joinPath(dir: string, file: string): string {
  return `${dir.replace(/\/+$/, '')}/${file}`;
}

/**
 * An SDS file the ca writes into the bootstrap Secret. Watching the directory (not the file) is what
 * sees the kubelet's atomic `..data` symlink swap when the Secret changes after a renewal.
 */
function sdsFromFile(mountPath: string, file: string): Json {
  return { path_config_source: { path: joinPath(mountPath, file), watched_directory: { path: mountPath.replace(/\/+$/, '') } }, resource_api_version: 'V3' };
}

/** Mutual TLS 1.3 to the renderer, with the certificates of the mounted bootstrap Secret. */
function xdsTransportSocket(settings: RenderSettings): Json {
  const mount = settings.bootstrapMountPath;
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': TLS_CONTEXT_TYPE,
      sni: settings.xdsServerHost,
      common_tls_context: {
        // Envoy's client default tops out at TLS 1.2: 1.3 only needs both bounds.
        tls_params: { tls_minimum_protocol_version: 'TLSv1_3', tls_maximum_protocol_version: 'TLSv1_3' },
        tls_certificate_sds_secret_configs: [{ name: ENGINE_TLS_SDS_SECRET, sds_config: sdsFromFile(mount, BOOTSTRAP_TLS_SDS_KEY) }],
        validation_context_sds_secret_config: { name: ENGINE_CA_SDS_SECRET, sds_config: sdsFromFile(mount, BOOTSTRAP_CA_SDS_KEY) },
      },
    },
  };
}

/**
 * The renderer's Service. STRICT_DNS follows its ClusterIP if the Service is recreated; HTTP/2
 * keepalive pings notice a dead connection (e.g. a renderer Pod gone without a FIN) in seconds
 * rather than after the kernel's TCP timeouts, so the Engine re-subscribes to another replica.
 */
export function xdsCluster(settings: RenderSettings): Json {
  return {
    name: XDS_CLUSTER_NAME,
    type: 'STRICT_DNS',
    dns_lookup_family: 'V4_PREFERRED',
    connect_timeout: '5s',
    load_assignment: {
      cluster_name: XDS_CLUSTER_NAME,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: settings.xdsServerAddress ?? settings.xdsServerHost, port_value: settings.xdsServerPort } } } }] }],
    },
    typed_extension_protocol_options: {
      [HTTP_OPTIONS_KEY]: {
        '@type': `type.googleapis.com/${HTTP_OPTIONS_KEY}`,
        explicit_http_config: { http2_protocol_options: { connection_keepalive: { interval: '30s', timeout: '5s' } } },
      },
    },
    upstream_connection_options: { tcp_keepalive: { keepalive_time: 60, keepalive_interval: 10, keepalive_probes: 3 } },
    transport_socket: xdsTransportSocket(settings),
  };
}

/** Delta ADS: only changed resources travel, so a large Gateway's small change stays small. */
function dynamicResources(): Json {
  return {
    ads_config: {
      api_type: 'DELTA_GRPC',
      transport_api_version: 'V3',
      grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER_NAME } }],
      set_node_on_first_message_only: true,
    },
    lds_config: ADS,
    cds_config: ADS,
  };
}

/**
 * Runtime: a static layer (empty, the place for pinned runtime flags) and an admin layer, so an
 * operator with `kubectl port-forward` to the loopback admin can flip a flag while debugging.
 * The overload manager caps downstream connections per Engine: without a cap a connection flood
 * exhausts memory and file descriptors before any other limit applies (Envoy warns about it).
 */
function runtimeAndOverload(settings: RenderSettings): Json {
  return {
    layered_runtime: { layers: [{ name: 'static', static_layer: {} }, { name: 'admin', admin_layer: {} }] },
    overload_manager: {
      resource_monitors: [
        {
          name: 'envoy.resource_monitors.global_downstream_max_connections',
          typed_config: { '@type': CONNECTIONS_MONITOR_TYPE, max_active_downstream_connections: settings.maxDownstreamConnections },
        },
      ],
    },
  };
}

export function renderBootstrap(infra: GatewayInfra, settings: RenderSettings): Json {
  return {
    node: { cluster: engineNodeCluster(infra.gateway) },
    admin: adminConfig(),
    dynamic_resources: dynamicResources(),
    static_resources: {
      listeners: [readyListener(), metricsListener()],
      clusters: [xdsCluster(settings), adminCluster()],
    },
    ...runtimeAndOverload(settings),
  };
}

/** The bootstrap as the ConfigMap holds it: stable JSON text (same input, same bytes, same checksum). */
export function bootstrapText(infra: GatewayInfra, settings: RenderSettings): string {
  return `${JSON.stringify(renderBootstrap(infra, settings), null, 2)}\n`;
}
