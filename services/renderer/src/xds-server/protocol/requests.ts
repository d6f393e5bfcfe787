import { XDS_TYPE_URLS, xdsTypeShortOf } from '@microgateway/contracts';
import { compareStrings } from '../../translate/order.js';
import type { ErrorDetail, Outcome, Snapshot, SnapshotResource, XdsType } from './types.js';

/** The subscription name that means "every resource of this type". */
export const WILDCARD = '*';

/** Types whose first request without names is a wildcard subscription ("legacy wildcard"). */
const LEGACY_WILDCARD_TYPES: ReadonlySet<XdsType> = new Set<XdsType>(['listener', 'cluster']);

export function isLegacyWildcardType(type: XdsType): boolean {
  return LEGACY_WILDCARD_TYPES.has(type);
}

export function typeUrlOf(type: XdsType): string {
  return XDS_TYPE_URLS[type];
}

/** The type of a request, or the protocol error to close the stream with. */
export function requestType(typeUrl: string | undefined): { type: XdsType } | { error: Outcome } {
  const type = typeUrl ? xdsTypeShortOf(typeUrl) : undefined;
  if (type) return { type };
  return { error: { kind: 'protocol-error', message: `unsupported type_url ${JSON.stringify(typeUrl ?? '')}` } };
}

/** The unanswered response a request carries an answer to. */
export interface Unanswered {
  nonce: string;
  version: string;
}

export type Answer = { kind: 'ack' } | { kind: 'nack'; message: string };

/**
 * Whether a request answers the type's unanswered response: only the latest nonce counts; an
 * empty or stale nonce answers nothing (the protocol tells servers to ignore stale nonces).
 */
export function answerOf(
  request: { response_nonce?: string; error_detail?: ErrorDetail | null },
  unanswered: Unanswered | undefined,
): Answer | undefined {
  if (!unanswered || !request.response_nonce || request.response_nonce !== unanswered.nonce) return undefined;
  if (request.error_detail) return { kind: 'nack', message: request.error_detail.message ?? '' };
  return { kind: 'ack' };
}

export function outcomeOf(answer: Answer, type: XdsType, version: string): Outcome {
  return answer.kind === 'ack' ? { kind: 'ack', type, version } : { kind: 'nack', type, version, message: answer.message };
}

const NO_RESOURCES: ReadonlyMap<string, SnapshotResource<never>> = new Map();

export function resourcesOf<B>(snapshot: Snapshot<B>, type: XdsType): ReadonlyMap<string, SnapshotResource<B>> {
  return snapshot.resources.get(type) ?? NO_RESOURCES;
}

export function byName<T extends { name: string }>(a: T, b: T): number {
  return compareStrings(a.name, b.name);
}

export function sortedNames(names: Iterable<string>): string[] {
  return [...names].sort(compareStrings);
}
