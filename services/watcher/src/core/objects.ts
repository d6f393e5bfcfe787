import { createHash } from 'node:crypto';
import {
  digestInput,
  isResourceKind,
  namespacedMetaSchema,
  normalizeObject,
  objectMetaSchema,
  resourceKey,
  resourceSchemas,
} from '@microgateway/contracts';
import type { Problem, ResourceRef } from '@microgateway/contracts';
import { z } from 'zod';
import type { WatchedKind } from './kinds.js';
import type { Links } from './links.js';
import { linksOf } from './links.js';
import { apiVersionOf } from './kinds.js';

/** A JSON object as it came from (or goes to) the wire. */
export type JsonObject = Record<string, unknown>;

/** One object the watcher has seen, already normalized, digested and checked against its contract. */
export interface CachedObject {
  readonly key: string;
  readonly ref: ResourceRef;
  readonly watched: WatchedKind;
  /** The normalized object (no status, no managedFields), keys sorted: exactly what KV stores. */
  readonly object: JsonObject;
  readonly resourceVersion: string | undefined;
  readonly generation: number | undefined;
  readonly digest: string;
  /** Present when the object fails its contract: it is then never written, only reported. */
  readonly problems: readonly Problem[] | undefined;
  /** Clock reading when the watch delivered it; the lag metric starts here. */
  readonly receivedAt: number;
  /** What it refers to, for selecting the world. */
  readonly links: Links;
}

/** `sha256:<hex>` over the canonical JSON of the object without its resourceVersion. */
export function objectDigest(object: object): string {
  return `sha256:${createHash('sha256').update(digestInput(object)).digest('hex')}`;
}

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The metadata contract for kinds without their own schema (the microgateway.dev CRDs). */
function genericSchema(watched: WatchedKind): z.ZodType {
  return z.looseObject({
    apiVersion: z.literal(apiVersionOf(watched)),
    kind: z.literal(watched.kind),
    metadata: watched.namespaced ? namespacedMetaSchema : objectMetaSchema,
  });
}

const REASONS: Record<string, string> = {
  invalid_type: 'InvalidType',
  invalid_value: 'UnsupportedValue',
  invalid_format: 'InvalidFormat',
  invalid_union: 'InvalidValue',
  too_small: 'TooSmall',
  too_big: 'TooBig',
  unrecognized_keys: 'UnknownField',
  not_multiple_of: 'InvalidValue',
  custom: 'InvalidValue',
};

/** `spec.rules[0].filters[1].type`: the path notation events use. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(object)' : out;
}

/** The contract problems of a normalized object, or undefined when it is valid. */
export function validateObject(watched: WatchedKind, object: JsonObject): Problem[] | undefined {
  const schema = isResourceKind(watched.kind) ? resourceSchemas[watched.kind] : genericSchema(watched);
  const result = schema.safeParse(object);
  if (result.success) return undefined;
  return result.error.issues.map((issue) => ({
    field: fieldPath(issue.path),
    reason: REASONS[issue.code] ?? 'InvalidValue',
    message: issue.message,
  }));
}

/**
 * Turns what the API server sent into a {@link CachedObject}. List items come without apiVersion
 * and kind, so both are filled in from the watched kind. Returns undefined for something that is
 * not an object with a name (nothing could be keyed or reported about it).
 */
export function ingestObject(watched: WatchedKind, raw: unknown, receivedAt: number): CachedObject | undefined {
  if (!isRecord(raw) || !isRecord(raw['metadata'])) return undefined;
  const metadata = raw['metadata'];
  const name = metadata['name'];
  if (typeof name !== 'string' || name === '') return undefined;
  const namespace = typeof metadata['namespace'] === 'string' && metadata['namespace'] !== '' ? metadata['namespace'] : undefined;
  if (watched.namespaced !== (namespace !== undefined)) return undefined;
  const ref: ResourceRef = namespace === undefined ? { kind: watched.kind, name } : { kind: watched.kind, namespace, name };
  const object = normalizeObject({ ...raw, apiVersion: apiVersionOf(watched), kind: watched.kind }) as JsonObject;
  const resourceVersion = typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : undefined;
  const generation = typeof metadata['generation'] === 'number' ? metadata['generation'] : undefined;
  return {
    key: resourceKey(ref),
    ref,
    watched,
    object,
    resourceVersion,
    generation,
    digest: objectDigest(object),
    problems: validateObject(watched, object),
    receivedAt,
    links: linksOf(watched.kind, watched.group, object, namespace),
  };
}
