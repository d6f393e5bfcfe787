import type { JetStreamManager } from '@nats-io/jetstream';
import { JetStreamApiError } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from '../logging/logger.js';

const STREAM_NOT_FOUND = 10059;
const POLL_MS = 1_000;

/**
 * Opens a KV bucket another service creates (its one writer), waiting until it exists: a reader
 * with read-only permissions must not create it with settings of its own, and a reader started
 * before the writer simply waits.
 */
export async function awaitBucket(js: JetStreamClient, jsm: JetStreamManager, name: string, options: { signal: AbortSignal; logger: Logger; creator: string }): Promise<KV> {
  let logged = false;
  for (;;) {
    try {
      await jsm.streams.info(`KV_${name}`);
      return await new Kvm(js).open(name);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND)) throw error;
    }
    if (!logged) options.logger.info({ bucket: name }, `waiting for the ${options.creator} to create the bucket`);
    logged = true;
    if (options.signal.aborted) throw new Error(`stopped while waiting for the bucket ${name}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
