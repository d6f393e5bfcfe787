import { z } from 'zod';
import {
  certificateDataSchema,
  certificateFailedDataSchema,
  certificateRepairedDataSchema,
  configAcceptedDataSchema,
  configRejectedDataSchema,
  configRenderedDataSchema,
  infraAppliedDataSchema,
  resourceChangedDataSchema,
  resourceDeletedDataSchema,
  resourceRejectedDataSchema,
} from './data.js';
import { cloudEventSchema } from './envelope.js';

export const EVENT_TYPE_PREFIX = 'dev.microgateway.';

/** Every event type and the schema of its data. */
export const eventDataSchemas = {
  'dev.microgateway.resource.changed': resourceChangedDataSchema,
  'dev.microgateway.resource.deleted': resourceDeletedDataSchema,
  'dev.microgateway.resource.rejected': resourceRejectedDataSchema,
  'dev.microgateway.config.rendered': configRenderedDataSchema,
  'dev.microgateway.config.accepted': configAcceptedDataSchema,
  'dev.microgateway.config.rejected': configRejectedDataSchema,
  'dev.microgateway.infra.applied': infraAppliedDataSchema,
  'dev.microgateway.certificate.issued': certificateDataSchema,
  'dev.microgateway.certificate.renewed': certificateDataSchema,
  'dev.microgateway.certificate.repaired': certificateRepairedDataSchema,
  'dev.microgateway.certificate.failed': certificateFailedDataSchema,
} as const;

export type EventDataSchemas = typeof eventDataSchemas;
export type EventType = keyof EventDataSchemas;
export type EventData<T extends EventType> = z.infer<EventDataSchemas[T]>;

export const EVENT_TYPES = Object.keys(eventDataSchemas) as EventType[];

export const resourceChangedEventSchema = cloudEventSchema('dev.microgateway.resource.changed', resourceChangedDataSchema);
export const resourceDeletedEventSchema = cloudEventSchema('dev.microgateway.resource.deleted', resourceDeletedDataSchema);
export const resourceRejectedEventSchema = cloudEventSchema('dev.microgateway.resource.rejected', resourceRejectedDataSchema);
export const configRenderedEventSchema = cloudEventSchema('dev.microgateway.config.rendered', configRenderedDataSchema);
export const configAcceptedEventSchema = cloudEventSchema('dev.microgateway.config.accepted', configAcceptedDataSchema);
export const configRejectedEventSchema = cloudEventSchema('dev.microgateway.config.rejected', configRejectedDataSchema);
export const infraAppliedEventSchema = cloudEventSchema('dev.microgateway.infra.applied', infraAppliedDataSchema);
export const certificateIssuedEventSchema = cloudEventSchema('dev.microgateway.certificate.issued', certificateDataSchema);
export const certificateRenewedEventSchema = cloudEventSchema('dev.microgateway.certificate.renewed', certificateDataSchema);
export const certificateRepairedEventSchema = cloudEventSchema('dev.microgateway.certificate.repaired', certificateRepairedDataSchema);
export const certificateFailedEventSchema = cloudEventSchema('dev.microgateway.certificate.failed', certificateFailedDataSchema);

/** The envelope schema of each event type. */
export const eventSchemas = {
  'dev.microgateway.resource.changed': resourceChangedEventSchema,
  'dev.microgateway.resource.deleted': resourceDeletedEventSchema,
  'dev.microgateway.resource.rejected': resourceRejectedEventSchema,
  'dev.microgateway.config.rendered': configRenderedEventSchema,
  'dev.microgateway.config.accepted': configAcceptedEventSchema,
  'dev.microgateway.config.rejected': configRejectedEventSchema,
  'dev.microgateway.infra.applied': infraAppliedEventSchema,
  'dev.microgateway.certificate.issued': certificateIssuedEventSchema,
  'dev.microgateway.certificate.renewed': certificateRenewedEventSchema,
  'dev.microgateway.certificate.repaired': certificateRepairedEventSchema,
  'dev.microgateway.certificate.failed': certificateFailedEventSchema,
} as const satisfies { [T in EventType]: unknown };

/** Any Microgateway event, discriminated by `type`. Parse every consumed event with this. */
export const microgatewayEventSchema = z.discriminatedUnion('type', [
  resourceChangedEventSchema,
  resourceDeletedEventSchema,
  resourceRejectedEventSchema,
  configRenderedEventSchema,
  configAcceptedEventSchema,
  configRejectedEventSchema,
  infraAppliedEventSchema,
  certificateIssuedEventSchema,
  certificateRenewedEventSchema,
  certificateRepairedEventSchema,
  certificateFailedEventSchema,
]);

export type MicrogatewayEvent = z.infer<typeof microgatewayEventSchema>;
export type EventOf<T extends EventType> = Extract<MicrogatewayEvent, { type: T }>;
