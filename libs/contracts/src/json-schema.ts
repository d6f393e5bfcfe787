import { z } from 'zod';
import type { EventType } from './events/catalog.js';
import { EVENT_TYPES, eventSchemas, microgatewayEventSchema } from './events/catalog.js';

/**
 * JSON Schema (draft 2020-12) of every event, generated from the zod contracts for auditors who
 * validate events in other languages. Input-mode schemas: they accept fields added later, so an
 * auditor's validator keeps working when Microgateway adds an optional field.
 */

export const SCHEMA_BASE_URL = 'https://microgateway.dev/schemas/events/';
export const EVENT_SCHEMA_SUFFIX = '.schema.json';
export const ENVELOPE_SCHEMA_FILE = `microgateway-event${EVENT_SCHEMA_SUFFIX}`;

export function eventSchemaFileName(type: EventType): string {
  return `${type}${EVENT_SCHEMA_SUFFIX}`;
}

function toJsonSchema(schema: z.ZodType, fileName: string, title: string): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
  return { $schema, $id: `${SCHEMA_BASE_URL}${fileName}`, title, ...rest };
}

/** File name → file content (pretty JSON with a trailing newline), for every event type plus the union. */
export function buildEventJsonSchemaFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const type of EVENT_TYPES) {
    const fileName = eventSchemaFileName(type);
    files.set(fileName, render(toJsonSchema(eventSchemas[type], fileName, `Microgateway event ${type}`)));
  }
  const union = toJsonSchema(microgatewayEventSchema, ENVELOPE_SCHEMA_FILE, 'Any Microgateway event (CloudEvents 1.0, JSON)');
  files.set(ENVELOPE_SCHEMA_FILE, render(union));
  return files;
}

function render(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}
