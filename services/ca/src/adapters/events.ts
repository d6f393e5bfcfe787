import { randomUUID } from 'node:crypto';
import { buildEvent, eventNatsSubject, type EventData, type InstanceName } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import type { JetStreamClient } from '@nats-io/jetstream';

export type CertificateEventType = 'dev.microgateway.certificate.issued' | 'dev.microgateway.certificate.renewed';

/**
 * Publishes certificate events to the events stream (the watcher creates it). The data names the
 * certificate (serial, validity, identity) and never carries key material.
 */
export class CertificateEvents {
  constructor(
    private readonly js: JetStreamClient,
    private readonly instance: InstanceName,
    private readonly logger: Logger,
    private readonly onFailure: () => void,
  ) {}

  async publish(type: CertificateEventType, data: EventData<CertificateEventType>): Promise<void> {
    const event = buildEvent(type, data, { instance: this.instance, source: 'ca', id: randomUUID(), time: new Date() });
    try {
      await this.js.publish(eventNatsSubject(this.instance, event), JSON.stringify(event), { msgID: event.id });
    } catch (error) {
      // The certificate is in place; a lost event must not undo or retry the issuance.
      this.onFailure();
      this.logger.warn({ err: error, type, secret: data.secret }, 'could not publish a certificate event');
    }
  }
}
