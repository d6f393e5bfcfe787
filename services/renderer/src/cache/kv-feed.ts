import type { Logger } from '@microgateway/runtime';
import { startKvWatch } from '@microgateway/runtime';
import type { KV } from '@nats-io/kv';
import type { CacheEntry, InputBucket } from './resource-cache.js';

/**
 * Feeds the cache from a KV watch of one input bucket: first the last value of every key, then
 * every change. `synced` settles once the initial values are in (the bucket's last sequence at
 * start has been applied), so the renderer never renders from a half-loaded cache.
 */
export interface KvFeed {
  readonly synced: Promise<void>;
  /** Ends with the watch; rejects when the watch failed. */
  readonly done: Promise<void>;
  stop(): void;
}

export async function startKvFeed(bucket: InputBucket, kv: KV, onEntry: (entry: CacheEntry) => void, logger: Logger): Promise<KvFeed> {
  const watch = await startKvWatch(kv, (entry) => onEntry({ bucket, key: entry.key, revision: entry.revision, operation: entry.operation, value: entry.value }));
  const done = watch.done.then(() => logger.debug({ bucket }, 'KV watch ended'));
  return { synced: watch.synced, done, stop: () => watch.stop() };
}
