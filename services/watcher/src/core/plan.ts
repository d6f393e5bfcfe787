import { parseResourceKey } from '@microgateway/contracts';
import type { Problem, ResourceRef } from '@microgateway/contracts';
import { changedFields } from './diff.js';
import type { MirrorBucket } from './kinds.js';
import type { CachedObject, JsonObject } from './objects.js';

/** What one KV bucket holds for a key, as far as the writer knows. */
export interface MirrorEntry {
  readonly key: string;
  readonly bucket: MirrorBucket;
  /** KV revision; writes are compare-and-set against it. */
  readonly revision: number;
  readonly object: JsonObject;
  readonly digest: string;
}

export interface PutOp {
  readonly op: 'put';
  readonly key: string;
  readonly bucket: MirrorBucket;
  readonly current: CachedObject;
  readonly previous: MirrorEntry | undefined;
  readonly changedFields: string[];
}

export interface DeleteOp {
  readonly op: 'delete';
  readonly key: string;
  readonly bucket: MirrorBucket;
  readonly ref: ResourceRef;
  readonly previous: MirrorEntry;
  /** The object's last known version: absent when it is gone from the API server too. */
  readonly current: CachedObject | undefined;
}

export interface RejectOp {
  readonly op: 'reject';
  readonly key: string;
  readonly current: CachedObject;
  readonly problems: readonly Problem[];
}

export type MirrorOp = PutOp | DeleteOp | RejectOp;

export interface PlanInput {
  /** Keys of this instance's world (see selectWorld). */
  readonly world: ReadonlySet<string>;
  readonly objects: ReadonlyMap<string, CachedObject>;
  readonly mirrored: ReadonlyMap<string, MirrorEntry>;
  /** Per key, the resourceVersion last reported as rejected (so each bad version is reported once). */
  readonly rejected: ReadonlyMap<string, string>;
}

export interface Plan {
  readonly ops: MirrorOp[];
  /** World keys whose object is identical to what KV holds: nothing to write. */
  readonly unchanged: ReadonlySet<string>;
}

function planObject(object: CachedObject, input: PlanInput): MirrorOp | undefined {
  const previous = input.mirrored.get(object.key);
  if (object.problems !== undefined) {
    // An invalid version is reported, never written: KV keeps the last valid one, if any.
    const reportedVersion = input.rejected.get(object.key);
    if (reportedVersion !== undefined && reportedVersion === (object.resourceVersion ?? '')) return undefined;
    return { op: 'reject', key: object.key, current: object, problems: object.problems };
  }
  if (previous !== undefined && previous.bucket === object.watched.bucket && previous.digest === object.digest) return undefined;
  return {
    op: 'put',
    key: object.key,
    bucket: object.watched.bucket,
    current: object,
    previous,
    changedFields: previous === undefined ? [] : changedFields(previous.object, object.object),
  };
}

/**
 * What to do so that KV equals the world: put what is new or changed, delete what left the world
 * (deleted, or no longer referenced), report what fails its contract. Pure; the writer executes it.
 */
export function planMirror(input: PlanInput): Plan {
  const ops: MirrorOp[] = [];
  const unchanged = new Set<string>();
  for (const key of input.world) {
    const object = input.objects.get(key);
    if (object === undefined) continue;
    const op = planObject(object, input);
    if (op) ops.push(op);
    else if (object.problems === undefined) unchanged.add(key);
  }
  for (const [key, previous] of input.mirrored) {
    if (input.world.has(key) && input.objects.has(key)) continue;
    const current = input.objects.get(key);
    ops.push({ op: 'delete', key, bucket: previous.bucket, ref: current?.ref ?? parseResourceKey(key), previous, current });
  }
  return { ops, unchanged };
}
