import { readFileSync } from 'node:fs';
import { connect, type NatsConnection, type Status } from '@nats-io/transport-node';
import type { NatsConfig } from '../config/schema.js';
import type { ReadinessCheck } from '../health/readiness.js';
import type { Logger } from '../logging/logger.js';
import type { ServiceMetrics } from '../metrics/registry.js';
import { natsConnectionOptions } from './options.js';

const STILL_CONNECTING_LOG_INTERVAL_MS = 10_000;

export interface NatsClient {
  readonly connection: NatsConnection;
  /** Passes while connected; fails with the reason while disconnected or closed. */
  readonly readinessCheck: ReadinessCheck;
  /**
   * Settles when the connection is closed for good: undefined after drain(), an Error when it
   * closed by itself (the service cannot work any more and should exit).
   */
  readonly closed: Promise<Error | undefined>;
  /** Flushes pending publishes, lets subscriptions finish, then closes. */
  drain(): Promise<void>;
}

export interface ConnectNatsOptions {
  /** Client name shown in NATS monitoring. */
  name: string;
  /** The prefix of every reply subject; the user's permissions allow subscribing to it only. */
  inboxPrefix?: string;
  logger: Logger;
  metrics: ServiceMetrics;
  /** Reads a .creds file; the real file system by default. */
  readFile?: (path: string) => Uint8Array;
}

/**
 * Connects to NATS, waiting (and retrying) until the first connection succeeds, and keeps the
 * connection's state in logs, metrics (mgw_nats_connected, mgw_nats_reconnects_total) and a
 * readiness check.
 */
export async function connectNats(config: NatsConfig, options: ConnectNatsOptions): Promise<NatsClient> {
  const { logger, metrics } = options;
  const connectedGauge = metrics.gauge('nats_connected', '1 while the NATS connection is up, else 0.');
  const reconnects = metrics.counter('nats_reconnects_total', 'Reconnections to NATS after a lost connection.');
  connectedGauge.set(0);

  logger.info({ servers: config.servers, name: options.name, inboxPrefix: options.inboxPrefix }, 'connecting to NATS');
  // The client retries silently until the first connection; say so now and then, or a wrong URL
  // or password looks like a hang.
  const startedAt = Date.now();
  const waiting = setInterval(
    () => logger.warn({ servers: config.servers, waitingMs: Date.now() - startedAt }, 'still connecting to NATS'),
    STILL_CONNECTING_LOG_INTERVAL_MS,
  );
  let connection: NatsConnection;
  try {
    connection = await connect(natsConnectionOptions(config, { name: options.name, ...(options.inboxPrefix === undefined ? {} : { inboxPrefix: options.inboxPrefix }) }, options.readFile ?? readFileSync));
  } finally {
    clearInterval(waiting);
  }
  const state = { connected: true, since: new Date(), draining: false };
  connectedGauge.set(1);
  logger.info({ server: connection.getServer() }, 'connected to NATS');

  const onStatus = (status: Status): void => {
    if (status.type === 'disconnect' || status.type === 'reconnect') {
      state.connected = status.type === 'reconnect';
      state.since = new Date();
      connectedGauge.set(state.connected ? 1 : 0);
      if (state.connected) reconnects.inc();
    }
    logStatus(logger, status);
  };
  void watchStatus(connection, onStatus, logger);

  const closed = connection.closed().then((error) => {
    connectedGauge.set(0);
    state.connected = false;
    if (error) return error;
    return state.draining ? undefined : new Error('NATS connection closed unexpectedly');
  });

  return {
    connection,
    closed,
    readinessCheck: () => natsReadiness(connection, state),
    drain: async () => {
      state.draining = true;
      if (!connection.isClosed()) await connection.drain();
    },
  };
}

function natsReadiness(connection: NatsConnection, state: { connected: boolean; since: Date }): ReturnType<ReadinessCheck> {
  if (connection.isClosed()) return { ready: false, reason: 'NATS connection is closed' };
  if (!state.connected) return { ready: false, reason: `disconnected from NATS since ${state.since.toISOString()}, reconnecting` };
  return { ready: true };
}

async function watchStatus(connection: NatsConnection, onStatus: (status: Status) => void, logger: Logger): Promise<void> {
  try {
    for await (const status of connection.status()) onStatus(status);
  } catch (error) {
    // The iterator only ends with the connection; a failure here must not take the service down.
    logger.warn({ err: error }, 'stopped watching NATS connection status');
  }
}

function logStatus(logger: Logger, status: Status): void {
  switch (status.type) {
    case 'disconnect':
      logger.warn({ server: status.server }, 'disconnected from NATS; reconnecting');
      return;
    case 'reconnect':
      logger.info({ server: status.server }, 'reconnected to NATS');
      return;
    case 'ldm':
      logger.warn({ server: status.server }, 'NATS server entered lame duck mode; will move to another server');
      return;
    case 'error':
      logger.warn({ err: status.error }, 'NATS reported an error');
      return;
    case 'staleConnection':
      logger.warn('NATS connection is stale (no PONG); reconnecting');
      return;
    case 'slowConsumer':
      logger.warn({ subject: status.sub.getSubject(), pending: status.pending }, 'slow NATS consumer: messages are piling up');
      return;
    case 'reconnecting':
    case 'update':
    case 'forceReconnect':
      logger.debug({ status: status.type }, 'NATS connection status');
      return;
    case 'ping':
    case 'close':
      return;
  }
}
