import type { Logger } from '@microgateway/runtime';
import type { KV, KvWatchEntry } from '@nats-io/kv';
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
  const status = await kv.status();
  const lastAtStart = status.streamInfo.state.last_seq;
  const empty = status.streamInfo.state.messages === 0;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => (markSynced = resolve));
  if (empty || lastAtStart === 0) markSynced();
  const watch = await kv.watch();
  const deliver = (entry: KvWatchEntry): void => {
    onEntry({ bucket, key: entry.key, revision: entry.revision, operation: entry.operation, value: entry.value });
    if (entry.isUpdate || entry.revision >= lastAtStart) markSynced();
  };
  const done = (async () => {
    for await (const entry of watch) deliver(entry);
    logger.debug({ bucket }, 'KV watch ended');
  })();
  return { synced, done, stop: () => watch.stop() };
}
