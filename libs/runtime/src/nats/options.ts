import { credsAuthenticator, type ConnectionOptions } from '@nats-io/transport-node';
import type { NatsConfig } from '../config/schema.js';

/**
 * The client options every service uses: reconnect forever (a service outlives NATS restarts and
 * reports not-ready meanwhile), keep trying on the first connect too (a Pod may start before NATS),
 * and authenticate with user/password or a .creds file.
 */
export function natsConnectionOptions(
  config: NatsConfig,
  name: string,
  readFile: (path: string) => Uint8Array,
): ConnectionOptions {
  const options: ConnectionOptions = {
    servers: config.servers,
    name,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    reconnectTimeWait: 1_000,
    // A rotated password or revoked credentials must not make the client stop retrying for good:
    // the operator fixes the Secret and the service recovers without a restart.
    ignoreAuthErrorAbort: true,
  };
  if (config.user !== undefined) {
    options.user = config.user;
    options.pass = config.password;
  }
  if (config.credsFile !== undefined) {
    // Read per authentication, so a rotated creds file is picked up on the next reconnect.
    const file = config.credsFile;
    options.authenticator = credsAuthenticator(() => readFile(file));
  }
  return options;
}
