// The events stream is written by every service and read by auditors; whichever service starts
// first creates it, so its configuration lives here, once.
import type { InstanceName } from '@microgateway/contracts';
import { eventsStreamName, eventsSubjectFilter } from '@microgateway/contracts';
import type { JetStreamManager } from '@nats-io/jetstream';
import { JetStreamApiError } from '@nats-io/jetstream';

const STREAM_NOT_FOUND = 10059;
/** How long JetStream remembers message ids to drop duplicate events (a leader failover fits). */
const DUPLICATE_WINDOW_NS = 2 * 60 * 1e9;

export interface EventsStreamOptions {
  /** How long events are kept (age-based retention). */
  maxAgeMs: number;
}

/**
 * Creates the events stream (subjects `mgw.<i>.events.>`, age-based retention) unless it exists.
 * An existing stream is left as the operator configured it.
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
