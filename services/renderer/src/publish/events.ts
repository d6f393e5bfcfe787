import { randomUUID } from 'node:crypto';
import type { EventData, InputRevisions, InstanceName } from '@microgateway/contracts';
import { buildEvent, eventNatsSubject, eventsStreamName, eventsSubjectFilter } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { JetStreamApiError } from '@nats-io/jetstream';

const STREAM_NOT_FOUND = 10059;
/** Seconds of message ids JetStream remembers to drop duplicate events; the watcher uses the same. */
const DUPLICATE_WINDOW_NS = 2 * 60 * 1e9;

/**
 * Creates the events stream unless it exists, with the configuration the watcher gives it
 * (subjects `mgw.<i>.events.>`, age-based retention). Whichever service starts first creates it;
 * an existing stream is left as the operator configured it.
 */
export async function ensureEventsStream(jsm: JetStreamManager, instance: InstanceName, maxAgeMs: number): Promise<void> {
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
      max_age: maxAgeMs * 1e6,
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

type RenderedData = EventData<'dev.microgateway.config.rendered'>;

/** Publishes `config.rendered`; a lost event is reported, never undoes or retries the render. */
export class RenderEvents {
  constructor(
    private readonly js: JetStreamClient,
    private readonly instance: InstanceName,
    private readonly logger: Logger,
    private readonly onFailure: () => void,
  ) {}

  /** `inputs` tells a redelivered job's event (same config, same inputs: dropped) from a new one. */
  async rendered(data: RenderedData, inputs: InputRevisions): Promise<void> {
    try {
      const event = buildEvent('dev.microgateway.config.rendered', data, { instance: this.instance, source: 'renderer', id: randomUUID(), time: new Date() });
      const msgID = `config.rendered/${data.gateway.namespace}/${data.gateway.name}/${data.version}/${inputs.resources}/${inputs.secrets}`;
      await this.js.publish(eventNatsSubject(this.instance, event), JSON.stringify(event), { msgID });
    } catch (error) {
      this.onFailure();
      this.logger.warn({ err: error, gateway: data.gateway, version: data.version }, 'could not publish config.rendered');
    }
  }
}
