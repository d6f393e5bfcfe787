import { randomUUID } from 'node:crypto';
import { buildEvent, eventNatsSubject, type EventData, type InstanceName, type MicrogatewayEvent } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Verdict } from '../pki/checks.js';

export type CertificateEventType =
  | 'dev.microgateway.certificate.issued'
  | 'dev.microgateway.certificate.renewed'
  | 'dev.microgateway.certificate.repaired'
  | 'dev.microgateway.certificate.failed';

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

  async publish<T extends CertificateEventType>(type: T, data: EventData<T>): Promise<void> {
    const event: MicrogatewayEvent = buildEvent(type, data, { instance: this.instance, source: 'ca', id: randomUUID(), time: new Date() });
    try {
      await this.js.publish(eventNatsSubject(this.instance, event), JSON.stringify(event), { msgID: event.id });
    } catch (error) {
      // The certificate is in place; a lost event must not undo or retry the issuance.
      this.onFailure();
      this.logger.warn({ err: error, type }, 'could not publish a certificate event');
    }
  }
}

/** What an issuance publishes: a renewal, a repair (naming what was wrong), or a first issue. */
export async function publishCertificateEvent(
  events: CertificateEvents,
  verdict: { action: Exclude<Verdict['action'], 'keep'>; reason: string },
  certificate: EventData<'dev.microgateway.certificate.issued'>,
): Promise<void> {
  switch (verdict.action) {
    case 'renew':
      return events.publish('dev.microgateway.certificate.renewed', certificate);
    case 'repair':
      return events.publish('dev.microgateway.certificate.repaired', { ...certificate, reason: verdict.reason });
    case 'issue':
      return events.publish('dev.microgateway.certificate.issued', certificate);
  }
}
