// An Envoy that uses a bootstrap Secret the way an Engine does (client certificate and CA bundle
// through the Secret's SDS files, TLS 1.3, the xDS server's name checked), dialing a stand-in xDS
// server: a Node HTTPS server with the renderer's serving certificate that requires a client
// certificate from the CA and answers with the identity it saw.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { BOOTSTRAP_CA_SDS_KEY, BOOTSTRAP_TLS_SDS_KEY, ENGINE_CA_SDS_SECRET, ENGINE_TLS_SDS_SECRET } from '@microgateway/contracts';

export interface PeerSeen {
  san: string | undefined;
  serial: string;
}

export interface StandInXdsServer {
  port: number;
  /** TLS handshakes the server refused, with the reason (for failure messages). */
  readonly tlsErrors: string[];
  /** Swaps in a new version of the serving Secret (as the renderer reloads its mounted files): later handshakes use it. */
  update(serving: Record<string, string>): void;
  close(): Promise<void>;
}

/** `tls.crt`/`tls.key`/`ca.crt` of the renderer's serving Secret. */
export async function startStandInXdsServer(serving: Record<string, string>): Promise<StandInXdsServer> {
  const server: Server = createServer(
    { cert: serving['tls.crt'], key: serving['tls.key'], ca: serving['ca.crt'], requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const seen: PeerSeen = { san: peer.subjectaltname, serial: peer.serialNumber.toLowerCase() };
      // A new TLS handshake per request, so a renewed client certificate shows at once.
      res.setHeader('connection', 'close');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(seen));
    },
  );
  const tlsErrors: string[] = [];
  server.on('tlsClientError', (error) => tlsErrors.push(error.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    tlsErrors,
    update: (next) => server.setSecureContext({ cert: next['tls.crt'], key: next['tls.key'], ca: next['ca.crt'], minVersion: 'TLSv1.3' }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function sdsConfig(dir: string, file: string): object {
  return { path_config_source: { path: join(dir, file), watched_directory: { path: dir } }, resource_api_version: 'V3' };
}

/** A listener on `listenerPort` that proxies to the stand-in xDS server over the Engine's mTLS. */
export function engineProbeBootstrap(options: { secretDir: string; listenerPort: number; upstreamPort: number; serverName: string }): object {
  const { secretDir } = options;
  return {
    node: { id: 'ca-itest', cluster: 'ca-itest' },
    static_resources: {
      listeners: [
        {
          name: 'probe',
          address: { socket_address: { address: '127.0.0.1', port_value: options.listenerPort } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
                    stat_prefix: 'probe',
                    route_config: { virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'xds' } }] }] },
                    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [
        {
          name: 'xds',
          type: 'STATIC',
          connect_timeout: '2s',
          load_assignment: {
            cluster_name: 'xds',
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: options.upstreamPort } } } }] }],
          },
          transport_socket: {
            name: 'envoy.transport_sockets.tls',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
              sni: options.serverName,
              common_tls_context: {
                // Envoy's client default tops out at TLS 1.2: 1.3 only needs both bounds.
                tls_params: { tls_minimum_protocol_version: 'TLSv1_3', tls_maximum_protocol_version: 'TLSv1_3' },
                tls_certificate_sds_secret_configs: [{ name: ENGINE_TLS_SDS_SECRET, sds_config: sdsConfig(secretDir, BOOTSTRAP_TLS_SDS_KEY) }],
                validation_context_sds_secret_config: { name: ENGINE_CA_SDS_SECRET, sds_config: sdsConfig(secretDir, BOOTSTRAP_CA_SDS_KEY) },
              },
            },
          },
        },
      ],
    },
  };
}

/** The serial numbers (lower-case hex) of the client certificates Envoy has loaded (admin /certs). */
export async function loadedCertificateSerials(adminUrl: string): Promise<string[]> {
  const body = (await (await fetch(`${adminUrl}/certs`)).json()) as { certificates?: { cert_chain?: { serial_number?: string }[] }[] };
  return (body.certificates ?? []).flatMap((c) => (c.cert_chain ?? []).map((cert) => (cert.serial_number ?? '').toLowerCase()));
}
