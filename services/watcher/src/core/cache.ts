import type { WatchedKind } from './kinds.js';
import type { CachedObject } from './objects.js';
import { ingestObject } from './objects.js';
import type { ObjectsByKind } from './world.js';

/**
 * Everything the reflectors have delivered, by key and by kind: the standby's warm cache and the
 * leader's source of truth. Tracks which keys were touched since the last reconcile.
 */
export class ObjectCache implements ObjectsByKind {
  private readonly byKey = new Map<string, CachedObject>();
  private readonly byKind = new Map<string, Set<string>>();
  private touched = new Set<string>();
  private extensions: string[] = [];

  get objects(): ReadonlyMap<string, CachedObject> {
    return this.byKey;
  }

  get extensionKinds(): readonly string[] {
    return this.extensions;
  }

  setExtensionKinds(kinds: readonly string[]): void {
    this.extensions = [...kinds];
  }

  *of(kind: string): Iterable<CachedObject> {
    for (const key of this.byKind.get(kind) ?? []) {
      const object = this.byKey.get(key);
      if (object) yield object;
    }
  }

  count(kind: string): number {
    return this.byKind.get(kind)?.size ?? 0;
  }

  /** Keys touched since the last call (and forgets them). */
  takeTouched(): Set<string> {
    const touched = this.touched;
    this.touched = new Set();
    return touched;
  }

  private keysOf(kind: string): Set<string> {
    let keys = this.byKind.get(kind);
    if (!keys) this.byKind.set(kind, (keys = new Set()));
    return keys;
  }

  /** Stores an object; returns its key, or undefined when it could not be identified (no name, wrong scope). */
  upsert(watched: WatchedKind, raw: unknown, receivedAt: number): string | undefined {
    const object = ingestObject(watched, raw, receivedAt);
    if (!object) return undefined;
    const previous = this.byKey.get(object.key);
    // A relist re-delivers what we have; keep the first receipt time of an unchanged object.
    if (previous && previous.resourceVersion === object.resourceVersion && previous.digest === object.digest) {
      this.touched.add(object.key);
      return object.key;
    }
    this.byKey.set(object.key, object);
    this.keysOf(watched.kind).add(object.key);
    this.touched.add(object.key);
    return object.key;
  }

  remove(watched: WatchedKind, raw: unknown): void {
    const object = ingestObject(watched, raw, 0);
    if (!object) return;
    this.byKey.delete(object.key);
    this.byKind.get(watched.kind)?.delete(object.key);
    this.touched.add(object.key);
  }

  /** Makes `raws` the complete set of objects of the kind. */
  replace(watched: WatchedKind, raws: readonly unknown[], receivedAt: number): void {
    const stale = new Set(this.byKind.get(watched.kind) ?? []);
    for (const raw of raws) {
      const key = this.upsert(watched, raw, receivedAt);
      if (key !== undefined) stale.delete(key);
    }
    for (const key of stale) {
      this.byKey.delete(key);
      this.byKind.get(watched.kind)?.delete(key);
      this.touched.add(key);
    }
  }
}
