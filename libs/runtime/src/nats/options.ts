import { credsAuthenticator, type ConnectionOptions } from '@nats-io/transport-node';
import type { NatsConfig } from '../config/schema.js';

/** Who the client is: its name in NATS monitoring and the inbox prefix its user may subscribe to. */
export interface NatsClientIdentity {
  name: string;
  /**
   * Every reply subject (requests, JetStream API calls, pull batches, KV watches) starts with it.
   * A least-privilege user may subscribe only to its own prefix (contracts' natsInboxPrefix), so
   * no other user can read its replies; absent, nats.js uses the shared `_INBOX`.
   */
  inboxPrefix?: string;
}

/**
 * The client options every service uses: reconnect forever (a service outlives NATS restarts and
 * reports not-ready meanwhile), keep trying on the first connect too (a Pod may start before NATS),
 * its own inbox prefix, and authenticate with user/password or a .creds file.
 */
export function natsConnectionOptions(
  config: NatsConfig,
  client: NatsClientIdentity,
  readFile: (path: string) => Uint8Array,
): ConnectionOptions {
  const options: ConnectionOptions = {
    servers: config.servers,
    name: client.name,
    ...(client.inboxPrefix === undefined ? {} : { inboxPrefix: client.inboxPrefix }),
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    reconnectTimeWait: 1_000,
    // A rotated password or revoked credentials must not make the client stop retrying for good:
    // the operator fixes the Secret and the service recovers without a restart.
    ignoreAuthErrorAbort: true,
    // nats.js otherwise captures a stack trace per request to decorate a possible timeout: about
    // half the CPU of a KV put in the renderer's profile (10,000 status writes per full render).
    noAsyncTraces: true,
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
