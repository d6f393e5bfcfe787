import type { ServerDuplexStream, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { Server } from '@grpc/grpc-js';
import type { InstanceName } from '@microgateway/contracts';
import type { KvWatch, Logger } from '@microgateway/runtime';
import { startKvWatch } from '@microgateway/runtime';
import type { KV } from '@nats-io/kv';
import type { ReloadingMtlsCredentials } from './credentials.js';
import type { XdsMetrics } from './metrics.js';
import type { OutcomeReporter } from './outcomes.js';
import type { DeltaRequest, DeltaResponse, SotwRequest, SotwResponse } from './protocol/index.js';
import { DeltaSession, SotwSession } from './protocol/index.js';
import type { EncodedAny, XdsStore } from './store.js';
import { serveStream, type StreamContext } from './stream.js';

/**
 * The ADS gRPC server of one renderer replica. Every replica serves any Engine (DESIGN §4) from
 * its own watch of the `xds` bucket. Connections are recycled after a maximum age (grpc-js adds
 * ±10 % jitter), so Engines spread over replicas as replicas come and go; an Engine whose replica
 * disappears reconnects to another and keeps its config meanwhile.
 */

export interface XdsServerOptions {
  host: string;
  port: number;
  maxConnectionAgeMs: number;
  maxConnectionAgeGraceMs: number;
  keepaliveTimeMs: number;
}

export interface XdsServerDeps {
  instance: InstanceName;
  service: ServiceDefinition;
  credentials: ReloadingMtlsCredentials;
  store: XdsStore;
  reporter: OutcomeReporter;
  metrics: XdsMetrics;
  logger: Logger;
}

export interface RunningXdsServer {
  port: number;
  /** Stops accepting streams, then closes those open (Engines reconnect to another replica). */
  stop(graceMs: number): Promise<void>;
}

let nonceCounter = 0;
/** Nonces only need to be unique per stream; a process-wide counter in base 36 keeps them short. */
function nextNonce(): string {
  nonceCounter += 1;
  return nonceCounter.toString(36);
}

export async function startXdsServer(options: XdsServerOptions, deps: XdsServerDeps): Promise<RunningXdsServer> {
  const server = new Server({
    'grpc.max_connection_age_ms': options.maxConnectionAgeMs,
    'grpc.max_connection_age_grace_ms': options.maxConnectionAgeGraceMs,
    'grpc.keepalive_time_ms': options.keepaliveTimeMs,
    'grpc.keepalive_timeout_ms': 20_000,
    // Envoy's initial config of a large Gateway can exceed the 4 MiB default.
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    'grpc.max_receive_message_length': 4 * 1024 * 1024,
  });
  const context: StreamContext = { instance: deps.instance, store: deps.store, reporter: deps.reporter, metrics: deps.metrics, logger: deps.logger };
  const implementation: UntypedServiceImplementation = {
    StreamAggregatedResources: (call: ServerDuplexStream<SotwRequest, SotwResponse<EncodedAny>>) =>
      serveStream(call, 'sotw', () => new SotwSession<EncodedAny>({ nextNonce }), context),
    DeltaAggregatedResources: (call: ServerDuplexStream<DeltaRequest, DeltaResponse<EncodedAny>>) =>
      serveStream(call, 'delta', () => new DeltaSession<EncodedAny>({ nextNonce }), context),
  };
  server.addService(deps.service, implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, deps.credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  deps.logger.info({ port }, 'xDS server listening (mutual TLS 1.3)');
  return {
    port,
    stop: async (graceMs) => {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}

/** Feeds the store from one watch of the whole `xds` bucket; `synced` settles once the initial values are in. */
export async function watchXdsBucket(kv: KV, store: XdsStore, logger: Logger): Promise<KvWatch> {
  const watch = await startKvWatch(kv, (entry) => store.apply({ key: entry.key, operation: entry.operation, value: entry.value }));
  void watch.done.then(() => logger.debug('xds KV watch ended'));
  return watch;
}
