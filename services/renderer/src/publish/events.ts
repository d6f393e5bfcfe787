import { randomUUID } from 'node:crypto';
import type { EventData, InputRevisions, InstanceName } from '@microgateway/contracts';
import { buildEvent, eventNatsSubject } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import type { JetStreamClient } from '@nats-io/jetstream';

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
      // As bytes: nats.js sends a large Uint8Array faster than a string (10,000 inputs make ~0.8 MB).
      await this.js.publish(eventNatsSubject(this.instance, event), Buffer.from(JSON.stringify(event), 'utf8'), { msgID });
    } catch (error) {
      this.onFailure();
      this.logger.warn({ err: error, gateway: data.gateway, version: data.version }, 'could not publish config.rendered');
    }
  }
}
