// Least-privilege NATS users of one instance (issue 14): one user per service and one for
// auditors. Every stream, bucket, consumer and subject comes from the naming helpers, so a rename
// there renames the grant here. The grants were read off the services' code and checked against
// a nats-server trace of the system test (test/src/nats/permissions.itest.ts proves the denials).
import type { EventType } from '../events/catalog.js';
import { EVENT_TYPE_PREFIX } from '../events/catalog.js';
import type { InstanceName } from '../instance.js';
import type { BucketPurpose, JobKind } from '../names.js';
import { bucketName, eventsStreamName, eventsSubjectFilter, jobConsumerName, jobStreamName, jobSubjectFilter } from '../names.js';

/** The services, each connecting as its own NATS user. */
export const NATS_SERVICE_ROLES = ['watcher', 'renderer', 'ca', 'deployer'] as const;
export type NatsServiceRole = (typeof NATS_SERVICE_ROLES)[number];
/** The services plus the read-only auditor. */
export const NATS_ROLES = [...NATS_SERVICE_ROLES, 'auditor'] as const;
export type NatsRole = (typeof NATS_ROLES)[number];

/** The durable consumer an auditor reads the events stream through (a second auditor needs its own user and name). */
export const AUDITOR_CONSUMER_NAME = 'auditor';

export interface NatsPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
}

export interface NatsIdentity {
  user: string;
  /** Set as the client's `inboxPrefix`: replies reach it there and nowhere another user can subscribe. */
  inboxPrefix: string;
  permissions: NatsPermissions;
}

/** Which service publishes which CloudEvents; the permission is granted per type. */
export const EVENT_PUBLISHERS: Readonly<Record<NatsServiceRole, readonly EventType[]>> = {
  watcher: ['dev.microgateway.resource.changed', 'dev.microgateway.resource.deleted', 'dev.microgateway.resource.rejected'],
  renderer: ['dev.microgateway.config.rendered', 'dev.microgateway.config.accepted', 'dev.microgateway.config.rejected'],
  deployer: ['dev.microgateway.infra.applied'],
  ca: ['dev.microgateway.certificate.issued', 'dev.microgateway.certificate.renewed', 'dev.microgateway.certificate.repaired', 'dev.microgateway.certificate.failed'],
};

/** `mgw-<i>-<role>`: the NATS user, also the client name the services report. */
export function natsUserName(instance: InstanceName, role: NatsRole): string {
  return `mgw-${instance}-${role}`;
}

/**
 * `_INBOX_mgw_<i>_<role>`: one subject token, so `<prefix>.>` matches this user's inboxes only
 * (instance names have no `_`, so no two users share a prefix).
 */
export function natsInboxPrefix(instance: InstanceName, role: NatsRole): string {
  return `_INBOX_mgw_${instance}_${role}`;
}

/** The nats-server environment variable holding the user's password: `MGW_<I>_<ROLE>_PASSWORD`. */
export function natsPasswordVariable(instance: InstanceName, role: NatsRole): string {
  return `MGW_${instance.toUpperCase().replaceAll('-', '_')}_${role.toUpperCase()}_PASSWORD`;
}

/** The stream behind a KV bucket (the nats.js KV convention `KV_<bucket>`). */
export function kvStreamName(instance: InstanceName, purpose: BucketPurpose): string {
  return `KV_${bucketName(instance, purpose)}`;
}

/** Every key of a bucket: `$KV.<bucket>.>` (publishing there writes or deletes keys). */
export function kvSubjectFilter(instance: InstanceName, purpose: BucketPurpose): string {
  return `$KV.${bucketName(instance, purpose)}.>`;
}

const api = (...tokens: string[]): string => ['$JS', 'API', ...tokens].join('.');

/** The subjects of one event type: `mgw.<i>.events.<category>.<action>.>`. */
function eventTypeSubjectFilter(instance: InstanceName, type: EventType): string {
  return eventsSubjectFilter(instance).replace(/>$/, `${type.slice(EVENT_TYPE_PREFIX.length)}.>`);
}

/** Every connection: the JetStream account info (jetstreamManager() checks the API with it). */
const accountInfo = (): string[] => [api('INFO')];

/** Looking a stream up and creating it when absent (an existing stream is left as it is). */
const createStream = (stream: string): string[] => [api('STREAM', 'INFO', stream), api('STREAM', 'CREATE', stream)];

/**
 * Reading a bucket: its info (kv.status), single values (direct get, or the stream message get a
 * bound bucket uses) and watches/key listings, which are ordered push consumers with random names
 * that nats.js creates, looks up, deletes on reset and answers flow control for.
 */
function readBucket(instance: InstanceName, purpose: BucketPurpose): string[] {
  const stream = kvStreamName(instance, purpose);
  return [
    api('STREAM', 'INFO', stream),
    api('DIRECT', 'GET', stream),
    api('DIRECT', 'GET', stream, '>'),
    api('STREAM', 'MSG', 'GET', stream),
    api('CONSUMER', 'CREATE', stream, '>'),
    api('CONSUMER', 'INFO', stream, '*'),
    api('CONSUMER', 'DELETE', stream, '*'),
    `$JS.FC.${stream}.>`,
  ];
}

/** The one writer of a bucket creates it, reads it (compare-and-set) and writes it. */
function ownBucket(instance: InstanceName, purpose: BucketPurpose): string[] {
  return [...createStream(kvStreamName(instance, purpose)), ...readBucket(instance, purpose), kvSubjectFilter(instance, purpose)];
}

/**
 * A work queue belongs to the service that does the work: it creates (or reconfigures) the stream
 * and the shared durable pull consumer, enqueues, pulls and acknowledges.
 */
function ownWorkQueue(instance: InstanceName, kind: JobKind): string[] {
  const stream = jobStreamName(instance, kind);
  const consumer = jobConsumerName(kind);
  return [
    ...createStream(stream),
    api('STREAM', 'UPDATE', stream),
    api('CONSUMER', 'CREATE', stream, consumer),
    api('CONSUMER', 'CREATE', stream, consumer, '>'),
    api('CONSUMER', 'INFO', stream, consumer),
    api('CONSUMER', 'MSG', 'NEXT', stream, consumer),
    `$JS.ACK.${stream}.${consumer}.>`,
    jobSubjectFilter(instance, kind),
  ];
}

/** Publishing its own event types; watcher, renderer and deployer also create the events stream if absent. */
function publishEvents(instance: InstanceName, role: NatsServiceRole): string[] {
  return EVENT_PUBLISHERS[role].map((type) => eventTypeSubjectFilter(instance, type));
}

/** The auditor reads the events stream through its durable consumer and does nothing else. */
function auditEvents(instance: InstanceName): string[] {
  const stream = eventsStreamName(instance);
  return [
    api('STREAM', 'INFO', stream),
    api('CONSUMER', 'CREATE', stream, AUDITOR_CONSUMER_NAME),
    api('CONSUMER', 'CREATE', stream, AUDITOR_CONSUMER_NAME, '>'),
    api('CONSUMER', 'DURABLE', 'CREATE', stream, AUDITOR_CONSUMER_NAME),
    api('CONSUMER', 'INFO', stream, AUDITOR_CONSUMER_NAME),
    api('CONSUMER', 'MSG', 'NEXT', stream, AUDITOR_CONSUMER_NAME),
    `$JS.ACK.${stream}.${AUDITOR_CONSUMER_NAME}.>`,
  ];
}

function publishAllow(instance: InstanceName, role: NatsRole): string[] {
  const events = createStream(eventsStreamName(instance));
  switch (role) {
    case 'watcher':
      return [...events, ...publishEvents(instance, role), ...ownBucket(instance, 'resources'), ...ownBucket(instance, 'secrets')];
    case 'renderer':
      return [
        ...events,
        ...publishEvents(instance, role),
        ...readBucket(instance, 'resources'),
        ...readBucket(instance, 'secrets'),
        ...ownBucket(instance, 'xds'),
        ...ownBucket(instance, 'infra'),
        ...ownBucket(instance, 'status'),
        ...ownWorkQueue(instance, 'render'),
      ];
    case 'ca':
      return [...publishEvents(instance, role), ...readBucket(instance, 'infra'), ...ownWorkQueue(instance, 'cert')];
    case 'deployer':
      return [...events, ...publishEvents(instance, role), ...readBucket(instance, 'infra'), ...readBucket(instance, 'status'), ...ownWorkQueue(instance, 'deploy')];
    case 'auditor':
      return auditEvents(instance);
  }
}

/** What `role` of `instance` may publish and subscribe to; subscriptions: its own inbox only. */
export function natsPermissions(instance: InstanceName, role: NatsRole): NatsPermissions {
  return {
    publish: { allow: [...new Set([...accountInfo(), ...publishAllow(instance, role)])] },
    subscribe: { allow: [`${natsInboxPrefix(instance, role)}.>`] },
  };
}

export function natsIdentity(instance: InstanceName, role: NatsRole): NatsIdentity {
  return { user: natsUserName(instance, role), inboxPrefix: natsInboxPrefix(instance, role), permissions: natsPermissions(instance, role) };
}
