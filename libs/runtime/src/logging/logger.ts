import { hostname } from 'node:os';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/schema.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: string;
  /** Absent only while the config (which names the instance) is not loaded yet. */
  instance?: string;
  level: LogLevel;
  /** Where JSON lines go; stdout by default (tests pass a stream to read them back). */
  destination?: DestinationStream;
}

// Secrets never reach the logs even when an object carrying them is logged whole (a config, an
// error with request options). Paths are pino redact paths: one level of nesting is enough for
// what services log, two for configs (`config.nats.password`).
// Deliberately not `key`: KV keys are logged all the time and are not secret.
const SECRET_KEYS = ['password', 'pass', 'token', 'authorization', 'privateKey', 'privateKeyPem', 'keyPem', 'seed', 'creds', 'credentials'];
export const REDACTED_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/** A pino logger writing one JSON object per line with service, instance, pid and hostname on each. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service, ...(options.instance === undefined ? {} : { instance: options.instance }), pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"info" rather than 30: readable by people and by log pipelines without a mapping.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    },
    options.destination,
  );
}
