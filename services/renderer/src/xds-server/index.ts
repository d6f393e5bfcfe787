import type { GrpcObject, ServiceClientConstructor, ServiceDefinition } from '@grpc/grpc-js';
import { loadPackageDefinition } from '@grpc/grpc-js';
import type { InstanceName } from '@microgateway/contracts';
import type { Logger, ReadinessCheck, ServiceMetrics } from '@microgateway/runtime';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { ADS_SERVICE, adsPackageDefinition, createXdsCodec } from './codec.js';
import { ReloadingMtlsCredentials } from './credentials.js';
import { createXdsMetrics } from './metrics.js';
import { OutcomeReporter } from './outcomes.js';
import { startXdsServer, watchXdsBucket } from './server.js';
import { XdsStore } from './store.js';
import { withFastResponses } from './wire.js';

export { ADS_SERVICE, adsPackageDefinition, createXdsCodec, type XdsCodec } from './codec.js';
export { DeltaSession, SotwSession } from './protocol/index.js';

/** The part of the renderer's configuration the xDS server reads (see xdsServerConfigSchema). */
export interface XdsServiceConfig {
  tlsDir: string;
  host: string;
  port: number;
  maxConnectionAgeSeconds: number;
  maxConnectionAgeGraceSeconds: number;
  keepaliveSeconds: number;
  certificateReloadSeconds: number;
  shutdownGraceSeconds: number;
}

export interface XdsServiceDeps {
  instance: InstanceName;
  js: JetStreamClient;
  xds: KV;
  status: KV;
  metrics: ServiceMetrics;
  logger: Logger;
}

export interface XdsService {
  port: number;
  readiness: ReadinessCheck;
  stop(): Promise<void>;
}

/** The ADS service definition from Envoy's protos. */
export function adsServiceDefinition(): ServiceDefinition {
  const root = loadPackageDefinition(adsPackageDefinition());
  const path = ADS_SERVICE.split('.');
  let node: GrpcObject | ServiceClientConstructor = root;
  for (const part of path) node = (node as GrpcObject)[part] as GrpcObject | ServiceClientConstructor;
  return (node as ServiceClientConstructor).service;
}

/** Starts serving Engines: the store fed by the `xds` bucket, the mTLS credentials, the gRPC server. */
export async function startXdsService(config: XdsServiceConfig, deps: XdsServiceDeps): Promise<XdsService> {
  const logger = deps.logger.child({ component: 'xds' });
  const metrics = createXdsMetrics(deps.metrics);
  const codec = createXdsCodec();
  const store = new XdsStore((resource) => codec.encode(resource), logger, (failure) => {
    metrics.encodeFailures.inc();
    logger.error({ gateway: failure.gateway, version: failure.version, problem: failure.message }, 'cannot encode a Gateway config; its Engines keep the last good one');
    void reporter.rejected({ gateway: failure.gateway, node: 'xds-server', version: failure.version, typeUrl: 'encode', message: `the xDS server could not encode the config: ${failure.message}` });
  });
  const reporter = new OutcomeReporter({ instance: deps.instance, js: deps.js, status: deps.status, logger, onFailure: () => metrics.outcomeFailures.inc() });
  const feed = await watchXdsBucket(deps.xds, store, logger);
  const credentials = await ReloadingMtlsCredentials.load(config.tlsDir, logger);
  credentials.watch(config.certificateReloadSeconds * 1_000, () => undefined);
  const server = await startXdsServer(
    {
      host: config.host,
      port: config.port,
      maxConnectionAgeMs: config.maxConnectionAgeSeconds * 1_000,
      maxConnectionAgeGraceMs: config.maxConnectionAgeGraceSeconds * 1_000,
      keepaliveTimeMs: config.keepaliveSeconds * 1_000,
    },
    { instance: deps.instance, service: withFastResponses(adsServiceDefinition()), credentials, store, reporter, metrics, logger },
  );
  let synced = false;
  void feed.synced.then(() => (synced = true));
  const gaugeTimer = setInterval(() => metrics.gateways.set(store.gatewayCount), 5_000);
  gaugeTimer.unref();
  return {
    port: server.port,
    readiness: () => (synced ? { ready: true } : { ready: false, reason: 'the xds bucket is still loading' }),
    stop: async () => {
      clearInterval(gaugeTimer);
      credentials.stop();
      await server.stop(config.shutdownGraceSeconds * 1_000);
      feed.stop();
    },
  };
}
