import type { InstanceName } from '../instance.js';
import { instanceNameSchema } from '../instance.js';
import type { ResourceRef } from '../keys.js';
import { eventSubject } from '../names.js';
import type { EventData, EventOf, EventType } from './catalog.js';
import { EVENT_TYPE_PREFIX, eventSchemas } from './catalog.js';
import { CLOUDEVENTS_SPEC_VERSION, EVENT_CONTENT_TYPE } from './envelope.js';

const COMPONENT_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The CloudEvents `source` of a component of an instance: `urn:microgateway:<instance>:<component>`. */
export function eventSource(instance: InstanceName, component: string): string {
  instanceNameSchema.parse(instance);
  if (!COMPONENT_PATTERN.test(component)) throw new Error(`invalid component name ${JSON.stringify(component)}`);
  return `urn:microgateway:${instance}:${component}`;
}

export interface BuildEventOptions {
  instance: InstanceName;
  /** The producing component, e.g. `watcher`, `renderer`, `deployer`, `ca`. */
  source: string;
  /** Injected so that builders stay pure and tests deterministic (e.g. randomUUID() in the adapter). */
  id: string;
  /** Injected clock reading; a Date is written as RFC 3339 in UTC. */
  time: Date | string;
  dataschema?: string;
}

/** The object an event is about: the resource itself, or the Gateway (or Secret) for the rest. */
export function eventAbout<T extends EventType>(type: T, data: EventData<T>): ResourceRef {
  if ('kind' in data) return { kind: data.kind, namespace: data.namespace, name: data.name };
  if ('gateway' in data && data.gateway !== undefined) return { kind: 'Gateway', ...data.gateway };
  if ('secret' in data && data.secret !== undefined) return { kind: 'Secret', ...data.secret };
  throw new Error(`event ${type} names no object`);
}

/** `<kind>/<namespace>/<name>` (or `<kind>/<name>` when cluster-scoped): the CloudEvents `subject`. */
export function eventSubjectAttribute(about: ResourceRef): string {
  return [about.kind, about.namespace, about.name].filter((part) => part !== undefined && part !== '').join('/');
}

/** Builds and validates an event; throws a ZodError rather than ever producing an invalid one. */
export function buildEvent<T extends EventType>(type: T, data: EventData<T>, options: BuildEventOptions): EventOf<T> {
  const event = {
    specversion: CLOUDEVENTS_SPEC_VERSION,
    id: options.id,
    source: eventSource(options.instance, options.source),
    type,
    subject: eventSubjectAttribute(eventAbout(type, data)),
    time: typeof options.time === 'string' ? options.time : options.time.toISOString(),
    datacontenttype: EVENT_CONTENT_TYPE,
    ...(options.dataschema === undefined ? {} : { dataschema: options.dataschema }),
    data,
  };
  return eventSchemas[type].parse(event) as EventOf<T>;
}

/** The NATS subject to publish an event on (see {@link eventSubject}). */
export function eventNatsSubject<T extends EventType>(instance: InstanceName, event: EventOf<T>): string {
  const type = event.type as T;
  return eventSubject(instance, type.slice(EVENT_TYPE_PREFIX.length), eventAbout(type, event.data as EventData<T>));
}
