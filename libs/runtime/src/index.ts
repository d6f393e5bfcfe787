// @microgateway/runtime: the service kit every composition root uses.
export * from './config/index.js';
export { REDACTED_PATHS, createLogger, type Logger, type LoggerOptions } from './logging/logger.js';
export { METRIC_PREFIX, createServiceMetrics, type ServiceIdentity, type ServiceMetrics } from './metrics/registry.js';
export { Readiness, type ReadinessCheck, type ReadinessReport, type ReadinessResult } from './health/readiness.js';
export { startHealthServer, type HealthServer, type HealthServerOptions } from './health/server.js';
export { connectNats, type ConnectNatsOptions, type NatsClient } from './nats/connect.js';
export { natsConnectionOptions } from './nats/options.js';
export { ensureEventsStream, type EventsStreamOptions } from './nats/events-stream.js';
export { KubeConfigError, describeKubeConfig, loadKubeConfig, setupKubeConfig } from './kube/config.js';
export { packageVersion } from './lifecycle/version.js';
export { within } from './lifecycle/timeout.js';
export {
  runService,
  type ProcessHooks,
  type ServiceContext,
  type ServiceDefinition,
  type StartedService,
} from './lifecycle/run-service.js';
export {
  WorkQueue,
  type JobHandler,
  type JobOutcome,
  type WorkQueueEvents,
  type WorkQueueOptions,
  type WorkQueueSpec,
} from './nats/work-queue.js';
export { startKvWatch, type KvWatch } from './nats/kv-watch.js';
export { awaitBucket } from './nats/await-bucket.js';
