import type { KV, KvWatchEntry } from '@nats-io/kv';

/**
 * A whole-bucket KV watch that says when the initial state is in: first the last value of every
 * key, then every change. `synced` settles once the entries up to the bucket's last sequence at
 * start have been delivered, so a consumer never acts on a half-loaded bucket.
 */
export interface KvWatch {
  readonly synced: Promise<void>;
  /** Ends with the watch (after stop(), or when NATS ends it). */
  readonly done: Promise<void>;
  stop(): void;
}

export async function startKvWatch(kv: KV, onEntry: (entry: KvWatchEntry) => void): Promise<KvWatch> {
  const status = await kv.status();
  const lastAtStart = status.streamInfo.state.last_seq;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => (markSynced = resolve));
  if (status.streamInfo.state.messages === 0 || lastAtStart === 0) markSynced();
  const watch = await kv.watch();
  const done = (async () => {
    for await (const entry of watch) {
      onEntry(entry);
      if (entry.isUpdate || entry.revision >= lastAtStart) markSynced();
    }
  })();
  return { synced, done, stop: () => watch.stop() };
}
