import type { InputRevisions, ResourceRef } from '@microgateway/contracts';
import { parseResourceKey, resourceKey } from '@microgateway/contracts';
import type { Resources } from '../translate/index.js';
import { emptyResources, resourcesFromObjects } from '../translate/index.js';
import type { AffectedWorld, ObjectChange } from '../affected.js';

/**
 * The renderer's copy of the objects the watcher mirrors into KV `resources` and `secrets`,
 * parsed with their contracts. One writer (the KV feed), read by renders and by the affected-
 * Gateways computation. A value that fails its contract is reported and leaves the cached object
 * as it was (last known good): the watcher validates before writing, so it is a contract breach.
 */

export type InputBucket = keyof InputRevisions;

/** One KV entry as the feed delivers it. */
export interface CacheEntry {
  bucket: InputBucket;
  key: string;
  revision: number;
  operation: 'PUT' | 'DEL' | 'PURGE';
  value: Uint8Array;
}

export type ApplyResult =
  | { kind: 'changed'; change: ObjectChange }
  | { kind: 'ignored'; why: string }
  | { kind: 'invalid'; problem: string };

type ListName = keyof Resources;

interface Cached {
  list: ListName;
  object: { metadata: { name: string; namespace?: string | undefined; resourceVersion?: string | undefined } };
}

const decoder = new TextDecoder();

function sameRef(a: ResourceRef, b: ResourceRef): boolean {
  return a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');
}

/** Parses one value with its kind's contract; reuses the translation's own parser. */
function parseValue(ref: ResourceRef, value: Uint8Array): { ok: true; list: ListName; object: Cached['object'] } | { ok: false; problem: string; untranslated: boolean } {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(value));
  } catch (error) {
    return { ok: false, problem: `not JSON: ${(error as Error).message}`, untranslated: false };
  }
  const { resources, rejected } = resourcesFromObjects([json]);
  const failure = rejected[0];
  if (failure !== undefined) return { ok: false, problem: failure.error, untranslated: failure.error.includes('is not translated') && failure.kind === ref.kind };
  for (const [list, items] of Object.entries(resources) as [ListName, unknown[]][]) {
    const object = items[0] as Cached['object'] | undefined;
    if (object === undefined) continue;
    const actual = { kind: (json as { kind: string }).kind, namespace: object.metadata.namespace, name: object.metadata.name };
    if (!sameRef(actual, ref)) return { ok: false, problem: `the object is ${resourceKey(actual)}, not what its key names`, untranslated: false };
    return { ok: true, list, object };
  }
  return { ok: false, problem: 'empty value', untranslated: false };
}

export class ResourceCache {
  private readonly entries = new Map<string, Cached>();
  private readonly lists = new Map<ListName, Map<string, Cached['object']>>();
  private readonly seen: InputRevisions = { resources: 0, secrets: 0 };
  private snapshot: Resources | undefined;

  /** The highest revision of each bucket applied so far. */
  get revisions(): InputRevisions {
    return { ...this.seen };
  }

  get size(): number {
    return this.entries.size;
  }

  /** Applies one KV entry; returns the object change, or why nothing changed. */
  apply(entry: CacheEntry): ApplyResult {
    this.seen[entry.bucket] = Math.max(this.seen[entry.bucket], entry.revision);
    let ref: ResourceRef;
    try {
      ref = parseResourceKey(entry.key);
    } catch (error) {
      return { kind: 'invalid', problem: (error as Error).message };
    }
    if (entry.bucket === 'secrets' && ref.kind !== 'Secret') return { kind: 'invalid', problem: `the secrets bucket holds only Secrets, not ${ref.kind}` };
    const id = `${entry.bucket}/${entry.key}`;
    const before = this.entries.get(id);
    if (entry.operation !== 'PUT') {
      if (before === undefined) return { kind: 'ignored', why: 'deleted an object not cached' };
      this.remove(id, before);
      return { kind: 'changed', change: { ref, before: before.object } };
    }
    const parsed = parseValue(ref, entry.value);
    if (!parsed.ok) return parsed.untranslated ? { kind: 'ignored', why: parsed.problem } : { kind: 'invalid', problem: parsed.problem };
    // An update keeps the object's place in its list (Map.set on a present key), so the lists of
    // two snapshots line up object by object, which the incremental render relies on for speed.
    if (before !== undefined && before.list !== parsed.list) this.remove(id, before);
    this.add(id, { list: parsed.list, object: parsed.object });
    return { kind: 'changed', change: { ref, before: before?.object, after: parsed.object } };
  }

  private add(id: string, cached: Cached): void {
    this.entries.set(id, cached);
    let list = this.lists.get(cached.list);
    if (list === undefined) this.lists.set(cached.list, (list = new Map()));
    list.set(id, cached.object);
    this.snapshot = undefined;
  }

  private remove(id: string, cached: Cached): void {
    this.entries.delete(id);
    this.lists.get(cached.list)?.delete(id);
    this.snapshot = undefined;
  }

  private values<T>(list: ListName): T[] {
    return [...(this.lists.get(list)?.values() ?? [])] as T[];
  }

  /** Every cached object as the translation takes them; rebuilt only after a change. */
  resources(): Resources {
    if (this.snapshot !== undefined) return this.snapshot;
    const resources = emptyResources();
    for (const list of Object.keys(resources) as ListName[]) (resources[list] as unknown[]) = this.values(list);
    this.snapshot = resources;
    return resources;
  }

  /** A view for affectedGateways that copies nothing (a burst of changes must not rebuild lists). */
  world(): AffectedWorld {
    const view = <T>(list: ListName): Iterable<T> => (this.lists.get(list)?.values() ?? []) as Iterable<T>;
    return { gateways: view('gateways'), gatewayClasses: view('gatewayClasses'), httpRoutes: view('httpRoutes') };
  }

  gateway(namespace: string, name: string): Resources['gateways'][number] | undefined {
    return this.lists.get('gateways')?.get(`resources/${resourceKey({ kind: 'Gateway', namespace, name })}`) as Resources['gateways'][number] | undefined;
  }
}
