import type { JsonValue } from '../canonical.js';
import { canonicalJson, sortKeys } from '../canonical.js';

/**
 * What the watcher stores: the object without what changes when nothing the system acts on
 * changed. `status` is dropped because Microgateway writes it (keeping it would make every status
 * write look like a change and re-render in a loop); `managedFields` and kubectl's
 * last-applied-configuration are bookkeeping copies of the spec. `resourceVersion` stays in the
 * stored object (events and render inputs cite it) but is left out of {@link digestInput}.
 */

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

type Normalized<T> = Omit<T, 'status'>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normalizeMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const { managedFields: _managedFields, ...rest } = metadata;
  if (!isRecord(rest['annotations'])) return rest;
  const { [LAST_APPLIED_ANNOTATION]: _lastApplied, ...annotations } = rest['annotations'];
  if (Object.keys(annotations).length === 0) {
    const { annotations: _empty, ...withoutAnnotations } = rest;
    return withoutAnnotations;
  }
  return { ...rest, annotations };
}

/** A copy of a Kubernetes object as stored in the `resources`/`secrets` buckets, keys sorted. */
export function normalizeObject<T extends object>(obj: T): Normalized<T> {
  const { status: _status, ...rest } = obj as Record<string, unknown>;
  if (isRecord(rest['metadata'])) rest['metadata'] = normalizeMetadata(rest['metadata']);
  return sortKeys(rest) as Normalized<T>;
}

/**
 * The canonical JSON string a digest of the object is computed from (callers hash it with
 * node:crypto): the normalized object without `metadata.resourceVersion`, so an update that
 * changed nothing but the version gives the same digest.
 */
export function digestInput(obj: object): string {
  const normalized = normalizeObject(obj) as Record<string, JsonValue>;
  const metadata = normalized['metadata'];
  if (!isRecord(metadata)) return canonicalJson(normalized);
  const { resourceVersion: _resourceVersion, ...rest } = metadata;
  return canonicalJson({ ...normalized, metadata: rest });
}
