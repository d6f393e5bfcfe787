import { z } from 'zod';

/**
 * CloudEvents 1.0, structured content mode, JSON. The envelope is loose: CloudEvents extension
 * attributes (e.g. `traceparent`) pass through.
 */

export const CLOUDEVENTS_SPEC_VERSION = '1.0';
export const EVENT_CONTENT_TYPE = 'application/json';

export type CloudEventShape<T extends string, D extends z.ZodType> = {
  specversion: z.ZodLiteral<typeof CLOUDEVENTS_SPEC_VERSION>;
  id: z.ZodString;
  source: z.ZodString;
  type: z.ZodLiteral<T>;
  subject: z.ZodString;
  time: z.ZodISODateTime;
  datacontenttype: z.ZodLiteral<typeof EVENT_CONTENT_TYPE>;
  dataschema: z.ZodOptional<z.ZodString>;
  data: D;
};

export type CloudEventSchema<T extends string, D extends z.ZodType> = z.ZodObject<CloudEventShape<T, D>, z.core.$loose>;

/** The envelope of events of one `type` whose `data` follows `data`. */
export function cloudEventSchema<T extends string, D extends z.ZodType>(type: T, data: D): CloudEventSchema<T, D> {
  return z.looseObject({
    specversion: z.literal(CLOUDEVENTS_SPEC_VERSION),
    id: z.string().min(1).describe('unique per source; consumers deduplicate on source + id'),
    source: z.string().min(1).describe('URI-reference of the producer: urn:microgateway:<instance>:<component>'),
    type: z.literal(type),
    subject: z.string().min(1).describe('the object the event is about: <kind>/<namespace>/<name>'),
    time: z.iso.datetime({ offset: true }).describe('RFC 3339'),
    datacontenttype: z.literal(EVENT_CONTENT_TYPE),
    dataschema: z.string().min(1).optional(),
    data,
  });
}
