// The NATS objects the watcher writes: the resources and secrets buckets and the events stream.
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { Kvm } from '@nats-io/kv';
import { bucketName, eventsStreamName, eventsSubjectFilter } from '@microgateway/contracts';
import type { InstanceName } from '@microgateway/contracts';
import type { MirrorBucket } from '../core/kinds.js';

/** Seconds of message ids JetStream remembers to drop duplicate events (a leader failover fits). */
const DUPLICATE_WINDOW_NS = 2 * 60 * 1e9;
const STREAM_NOT_FOUND = 10059;

export interface EventsStreamOptions {
  /** How long events are kept (age-based retention). */
  maxAgeMs: number;
}

/**
 * Creates the events stream unless it exists. Other services publish to it too and may have
 * created it first; an existing stream is left as the operator configured it.
 */
export async function ensureEventsStream(jsm: JetStreamManager, instance: InstanceName, options: EventsStreamOptions): Promise<void> {
  const name = eventsStreamName(instance);
  try {
    await jsm.streams.info(name);
    return;
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND)) throw error;
  }
  try {
    await jsm.streams.add({
      name,
      subjects: [eventsSubjectFilter(instance)],
      max_age: options.maxAgeMs * 1e6,
      duplicate_window: DUPLICATE_WINDOW_NS,
      description: `Microgateway instance ${instance}: CloudEvents for users and auditors`,
    });
  } catch (error) {
    // Another service created it between our two calls.
    await jsm.streams.info(name).catch(() => {
      throw error;
    });
  }
}

export type Buckets = Record<MirrorBucket, KV>;

/** Creates (or opens) the resources and secrets buckets; one value per key, no history. */
export async function openBuckets(js: JetStreamClient, instance: InstanceName): Promise<Buckets> {
  const kvm = new Kvm(js);
  const [resources, secrets] = await Promise.all([
    kvm.create(bucketName(instance, 'resources'), { history: 1, description: 'normalized Kubernetes objects (watcher)' }),
    kvm.create(bucketName(instance, 'secrets'), { history: 1, description: 'Secrets referenced by Gateways (watcher)' }),
  ]);
  return { resources, secrets };
}
