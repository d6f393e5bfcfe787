import type { InstanceName } from './instance.js';
import type { GatewayRef, ResourceRef } from './keys.js';
import { encodeToken, resourceKey } from './keys.js';

/**
 * NATS names of one instance. Instance names are DNS-1123 labels (see instance.ts), so they are
 * valid as-is in subjects and bucket names; stream names need `.`-free upper case.
 */

/** Every subject of an instance starts with this (`mgw.<i>.`); NATS permissions are granted on it. */
export function subjectPrefix(instance: InstanceName): string {
  return `mgw.${instance}.`;
}

/** The subjects of the events stream (`mgw.<i>.events.>`) — what an auditor may read. */
export function eventsSubjectFilter(instance: InstanceName): string {
  return `${subjectPrefix(instance)}events.>`;
}

/**
 * The subject an event is published on: `mgw.<i>.events.<category>.<action>.<kind>.<ns>.<name>`,
 * where `<category>.<action>` is the CloudEvents type without `dev.microgateway.` and the rest is
 * the {@link resourceKey} of the object the event is about (a Gateway for config, infra and
 * certificate events). So `mgw.default.events.resource.*.HTTPRoute.>` selects every HTTPRoute
 * event and `mgw.default.events.*.*.Gateway.prod.web` everything about one Gateway.
 */
export function eventSubject(instance: InstanceName, typeSuffix: string, about: ResourceRef): string {
  return `${subjectPrefix(instance)}events.${typeSuffix}.${resourceKey(about)}`;
}

/** The kinds of exactly-once work, each with its own work-queue stream and shared durable consumer. */
export const JOB_KINDS = ['render', 'deploy', 'cert'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** `mgw.<i>.jobs.<kind>.<ns>.<gateway>`: one subject per Gateway, so repeated jobs coalesce. */
export function jobSubject(instance: InstanceName, kind: JobKind, gateway: GatewayRef): string {
  return `${subjectPrefix(instance)}jobs.${kind}.${encodeToken(gateway.namespace)}.${encodeToken(gateway.name)}`;
}

/** `mgw.<i>.jobs.<kind>.>`: the subjects of one work-queue stream. */
export function jobSubjectFilter(instance: InstanceName, kind: JobKind): string {
  return `${subjectPrefix(instance)}jobs.${kind}.>`;
}

/** The durable pull consumer that every replica of the job's service shares. */
export function jobConsumerName(kind: JobKind): string {
  return `${kind}-workers`;
}

/** Stream names may not contain `.`, `*`, `>` or spaces: `MGW_<INSTANCE>_<SUFFIX>`, `-` → `_`. */
function streamName(instance: InstanceName, suffix: string): string {
  return `MGW_${instance.toUpperCase().replaceAll('-', '_')}_${suffix}`;
}

export function eventsStreamName(instance: InstanceName): string {
  return streamName(instance, 'EVENTS');
}

export function jobStreamName(instance: InstanceName, kind: JobKind): string {
  return streamName(instance, `${kind.toUpperCase()}_JOBS`);
}

export const BUCKETS = ['resources', 'secrets', 'xds', 'infra', 'status'] as const;
export type BucketPurpose = (typeof BUCKETS)[number];

/** `mgw-<i>-<purpose>`; bucket names allow `[-_a-zA-Z0-9]`. */
export function bucketName(instance: InstanceName, purpose: BucketPurpose): string {
  return `mgw-${instance}-${purpose}`;
}
