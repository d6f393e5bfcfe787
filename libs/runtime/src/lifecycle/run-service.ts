import type { NatsServiceRole } from '@microgateway/contracts';
import { natsInboxPrefix, natsUserName } from '@microgateway/contracts';
import type { z } from 'zod';
import { UsageError } from '../config/argv.js';
import { ConfigError, loadServiceConfig, type ConfigSources, type LoadedConfig } from '../config/load.js';
import type { BaseServiceConfig } from '../config/schema.js';
import { Readiness, type ReadinessCheck } from '../health/readiness.js';
import { startHealthServer, type HealthServer } from '../health/server.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { createServiceMetrics, type ServiceMetrics } from '../metrics/registry.js';
import { connectNats, type NatsClient } from '../nats/connect.js';
import { within } from './timeout.js';

/** What a service's start() gets: everything the common composition already built. */
export interface ServiceContext<C extends BaseServiceConfig> {
  readonly name: string;
  readonly config: C;
  readonly logger: Logger;
  readonly metrics: ServiceMetrics;
  readonly nats: NatsClient;
  /** Aborted when shutdown begins, so a slow start() can give up early. */
  readonly signal: AbortSignal;
}

/** A started service: how to stop it, and what its readiness depends on besides NATS. */
export interface StartedService {
  /** Stop taking work and finish what is in flight; bounded by shutdownTimeoutMs. */
  stop(): Promise<void>;
  readinessChecks?: Record<string, ReadinessCheck>;
}

export interface ServiceDefinition<S extends z.ZodObject> {
  /** Also the service's NATS role: its client name and inbox prefix follow from it. */
  name: NatsServiceRole;
  version: string;
  /** baseServiceConfigSchema or an extension of it. */
  configSchema: S;
  start(context: ServiceContext<z.output<S> & BaseServiceConfig>): Promise<StartedService>;
}

export interface ProcessHooks {
  /** Ends the process; process.exit by default. */
  exit?: (code: number) => void;
}

interface RunState {
  nats?: NatsClient;
  service?: StartedService;
  health?: HealthServer;
  stopping: boolean;
}

/**
 * The composition every service shares: load the config, create logger and metrics, serve
 * /healthz, /readyz and /metrics, connect to NATS, start the service, and on SIGTERM/SIGINT mark
 * the process not ready, stop the service, drain NATS and exit 0 (1 if draining overran
 * shutdownTimeoutMs). Uncaught errors and a NATS connection lost for good are logged and exit 1.
 */
export async function runService<S extends z.ZodObject>(
  definition: ServiceDefinition<S>,
  sources: ConfigSources,
  hooks: ProcessHooks = {},
): Promise<void> {
  const exit = hooks.exit ?? ((code: number) => process.exit(code));
  let loaded: LoadedConfig<z.output<S>>;
  try {
    loaded = loadServiceConfig(definition.configSchema, sources);
  } catch (error) {
    // No config means no log level or instance yet: report with defaults and stop. A config or
    // usage error is the operator's to fix, so its message is the whole story (no stack).
    const bootLogger = createLogger({ service: definition.name, level: 'info' });
    if (error instanceof ConfigError || error instanceof UsageError) bootLogger.fatal(error.message);
    else bootLogger.fatal({ err: error }, 'cannot load configuration');
    exit(1);
    return;
  }
  // The schema extends baseServiceConfigSchema, so the base fields are there.
  const config = loaded.config as z.output<S> & BaseServiceConfig;
  const logger = createLogger({ service: definition.name, instance: config.instance, level: config.logLevel });
  const state: RunState = { stopping: false };
  const fail = (message: string, error: unknown): void => {
    logger.fatal({ err: error }, message);
    exit(1);
  };
  process.on('uncaughtException', (error) => fail('uncaught exception', error));
  process.on('unhandledRejection', (reason) => fail('unhandled promise rejection', reason));

  try {
    logger.info(
      {
        version: definition.version,
        configFile: loaded.file,
        envOverrides: loaded.overrides.map((o) => o.variable),
        http: config.http,
        nats: { servers: config.nats.servers },
        shutdownTimeoutMs: config.shutdownTimeoutMs,
      },
      `starting ${definition.name}`,
    );
    await compose(definition, config, logger, state, exit);
  } catch (error) {
    if (!state.stopping) fail(`${definition.name} failed to start`, error);
  }
}

async function compose<S extends z.ZodObject>(
  definition: ServiceDefinition<S>,
  config: z.output<S> & BaseServiceConfig,
  logger: Logger,
  state: RunState,
  exit: (code: number) => void,
): Promise<void> {
  const metrics = createServiceMetrics({ service: definition.name, instance: config.instance, version: definition.version });
  const readiness = new Readiness();
  let started = false;
  readiness.add('started', () => (started ? { ready: true } : { ready: false, reason: 'service is starting' }));
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    void shutdown({ signal, config, logger, readiness, state, abort, exit });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  state.health = await startHealthServer({ host: config.http.host, port: config.http.port, registry: metrics.registry, readiness });
  logger.info({ host: config.http.host, port: state.health.port }, 'serving /healthz, /readyz and /metrics');

  let natsCheck: ReadinessCheck = () => ({ ready: false, reason: `connecting to NATS (${config.nats.servers.join(', ')})` });
  readiness.add('nats', () => natsCheck());
  const nats = await connectNats(config.nats, {
    name: config.nats.name ?? natsUserName(config.instance, definition.name),
    inboxPrefix: natsInboxPrefix(config.instance, definition.name),
    logger,
    metrics,
  });
  state.nats = nats;
  if (state.stopping) {
    // The signal came while connecting: the drain ran without this connection, so close it here.
    await nats.drain();
    return;
  }
  natsCheck = nats.readinessCheck;
  void nats.closed.then((error) => {
    if (error && !state.stopping) {
      logger.fatal({ err: error }, 'NATS connection lost for good; exiting so the service is restarted');
      exit(1);
    }
  });

  const service = await definition.start({ name: definition.name, config, logger, metrics, nats, signal: abort.signal });
  state.service = service;
  for (const [name, check] of Object.entries(service.readinessChecks ?? {})) readiness.add(name, check);
  started = true;
  logger.info(`${definition.name} started`);
}

interface ShutdownInput {
  signal: NodeJS.Signals;
  config: BaseServiceConfig;
  logger: Logger;
  readiness: Readiness;
  state: RunState;
  abort: AbortController;
  exit: (code: number) => void;
}

async function shutdown(input: ShutdownInput): Promise<void> {
  const { signal, config, logger, state, exit } = input;
  if (state.stopping) {
    logger.warn({ signal }, 'second signal while draining; exiting now');
    exit(1);
    return;
  }
  state.stopping = true;
  input.readiness.markDraining();
  input.abort.abort();
  logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'draining: reporting not ready, stopping the service, draining NATS');
  const startedAt = Date.now();
  try {
    const outcome = await within(drain(state), config.shutdownTimeoutMs);
    if (outcome === 'timeout') {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'drain did not finish in time; exiting anyway');
      exit(1);
      return;
    }
    logger.info({ durationMs: Date.now() - startedAt }, 'drained; exiting');
    exit(0);
  } catch (error) {
    logger.error({ err: error }, 'drain failed; exiting');
    exit(1);
  }
}

/** In order: the service stops taking work, NATS delivers what it buffered, the probes go last. */
async function drain(state: RunState): Promise<void> {
  if (state.service) await state.service.stop();
  if (state.nats) await state.nats.drain();
  if (state.health) await state.health.close();
}
