// An Engine outside Kubernetes: the bootstrap the deployer renders for a Gateway, pointed at local
// renderer replicas and a local bootstrap directory, run as a real Envoy process.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayInfra, GatewayRef, InstanceName } from '@microgateway/contracts';
import { XDS_CLUSTER_NAME, containerPortOf, engineNodeId } from '@microgateway/contracts';
import { renderBootstrap, renderSettings } from '@microgateway/deployer/render';
import { freePorts, startEnvoy } from '../harness/index.js';
import type { EnvoyHandle } from '../harness/index.js';

type Json = Record<string, unknown>;

export function testInfra(gateway: GatewayRef, ports: number[]): GatewayInfra {
  return {
    gateway,
    observedGeneration: 1,
    replicas: 1,
    ports: ports.map((port) => ({ name: `port-${port}`, port, containerPort: containerPortOf(port), protocol: 'TCP' as const })),
    service: { type: 'ClusterIP', annotations: {}, labels: {}, },
    labels: {},
    annotations: {},
    resources: {},
    logLevel: 'info',
  };
}

export interface LocalEngineOptions {
  instance: InstanceName;
  gateway: GatewayRef;
  /** The node id's Gateway; the certificate's Gateway when absent (a different one must be refused). */
  nodeGateway?: GatewayRef;
  /** Renderer replicas' xDS ports on 127.0.0.1. */
  xdsPorts: number[];
  /** The xDS server name (SNI and the SAN the Engine requires). */
  xdsServerName: string;
  bootstrapDir: string;
  workDir: string;
  name: string;
  /** Wait for Envoy's initial config (admin /ready); false for Engines expected never to get one. */
  waitReady?: boolean;
  /** The xDS flavour: delta (what the deployer renders) or state of the world. */
  apiType?: 'DELTA_GRPC' | 'GRPC';
}

/**
 * The deployer's bootstrap, changed only where a Pod and a host differ: the xDS cluster lists the
 * local replicas, and the admin, ready and metrics ports are free ports instead of 19000-19002 so
 * several Engines run side by side on one host.
 */
export async function localBootstrap(o: LocalEngineOptions): Promise<Json> {
  const settings = renderSettings({ instance: o.instance, xdsServerHost: o.xdsServerName, bootstrapMountPath: o.bootstrapDir });
  const bootstrap = renderBootstrap(testInfra(o.gateway, [80]), settings) as Json;
  const [ready, metrics] = await freePorts(2);
  const statics = bootstrap['static_resources'] as { listeners: Json[]; clusters: Json[] };
  (bootstrap['admin'] as { address: { socket_address: Json } }).address.socket_address['port_value'] = 0;
  const [readyListener, metricsListener] = statics.listeners;
  ((readyListener?.['address'] as { socket_address: Json }).socket_address)['port_value'] = ready;
  ((metricsListener?.['address'] as { socket_address: Json }).socket_address)['port_value'] = metrics;
  const xds = statics.clusters.find((c) => c['name'] === XDS_CLUSTER_NAME);
  if (xds === undefined) throw new Error('the bootstrap has no xDS cluster');
  xds['type'] = 'STATIC';
  xds['load_assignment'] = {
    cluster_name: XDS_CLUSTER_NAME,
    endpoints: [{ lb_endpoints: o.xdsPorts.map((port) => ({ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } })) }],
  };
  delete xds['dns_lookup_family'];
  if (o.apiType !== undefined) ((bootstrap['dynamic_resources'] as { ads_config: Json }).ads_config)['api_type'] = o.apiType;
  return bootstrap;
}

export async function startLocalEngine(o: LocalEngineOptions): Promise<EnvoyHandle> {
  const bootstrap = await localBootstrap(o);
  const node = engineNodeId(o.nodeGateway ?? o.gateway, o.name);
  return startEnvoy({
    name: o.name,
    bootstrap,
    workDir: `${o.workDir}/${o.name}`,
    args: ['--service-node', node, '--drain-time-s', '1'],
    ...(o.waitReady === false ? { waitReady: false } : {}),
  });
}

/** A backend that answers every request with its name (and counts what it served). */
export class NamedBackend {
  private constructor(
    readonly name: string,
    private readonly server: Server,
    readonly port: number,
    private readonly counter: { served: number },
  ) {}

  static async start(name: string): Promise<NamedBackend> {
    const counter = { served: 0 };
    const server = createServer((req, res) => {
      counter.served += 1;
      res.setHeader('content-type', 'text/plain');
      res.end(`${name} ${req.url ?? ''}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new NamedBackend(name, server, (server.address() as AddressInfo).port, counter);
  }

  get served(): number {
    return this.counter.served;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
