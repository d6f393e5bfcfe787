// List + watch of one kind, the way client-go's reflector does it: list (paginated) to learn the
// state and a resourceVersion, watch from there with bookmarks, resume from the last version seen
// when a watch ends, list again when the server answers 410 Gone, back off on errors.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@microgateway/runtime';
import type { WatchedKind } from '../core/kinds.js';
import { collectionPath } from '../core/kinds.js';
import type { KubeHttp } from './http.js';
import { KubeHttpError } from './http.js';

export interface ReflectorSink {
  /** The complete current set of objects of the kind (after a list): anything else is gone. */
  replace(kind: WatchedKind, objects: unknown[], receivedAt: number): void;
  upsert(kind: WatchedKind, object: unknown, receivedAt: number): void;
  remove(kind: WatchedKind, object: unknown, receivedAt: number): void;
  /** A watch was re-established (not counting the first one). */
  restarted(kind: WatchedKind, reason: string): void;
}

export interface ReflectorOptions {
  http: KubeHttp;
  kind: WatchedKind;
  sink: ReflectorSink;
  logger: Logger;
  /** Objects per list page. */
  pageSize?: number;
  /** Server-side watch timeout; each watch ends after roughly this long and is resumed. */
  watchTimeoutSeconds?: number;
  now?: () => number;
}

const INITIAL_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;

interface ListPage {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: unknown[];
}

interface WatchEvent {
  type?: string;
  object?: { metadata?: { resourceVersion?: string }; code?: number; message?: string };
}

/** The server no longer has the version we asked for: only a new list helps. */
class GoneError extends Error {}

export class Reflector {
  private readonly abort = new AbortController();
  private readonly now: () => number;
  private syncedOnce = false;
  private running: Promise<void> | undefined;
  private readonly firstSync: Promise<void>;
  private resolveFirstSync: () => void = () => {};

  constructor(private readonly options: ReflectorOptions) {
    this.now = options.now ?? Date.now;
    this.firstSync = new Promise((resolve) => (this.resolveFirstSync = resolve));
  }

  get kind(): WatchedKind {
    return this.options.kind;
  }

  /** Resolves once the first list has been delivered. */
  synced(): Promise<void> {
    return this.firstSync;
  }

  get hasSynced(): boolean {
    return this.syncedOnce;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private get log(): Logger {
    return this.options.logger;
  }

  private async run(): Promise<void> {
    let backoff = INITIAL_BACKOFF_MS;
    let resourceVersion: string | undefined;
    while (!this.abort.signal.aborted) {
      try {
        resourceVersion ??= await this.list();
        backoff = INITIAL_BACKOFF_MS;
        resourceVersion = await this.watch(resourceVersion);
        this.options.sink.restarted(this.kind, 'watch ended');
      } catch (error) {
        if (this.abort.signal.aborted) return;
        if (error instanceof GoneError) {
          this.log.info({ kind: this.kind.kind }, 'watch resourceVersion is too old (410 Gone); listing again');
          resourceVersion = undefined;
          this.options.sink.restarted(this.kind, 'gone');
          continue;
        }
        this.log.warn({ kind: this.kind.kind, err: error, retryInMs: backoff }, 'list/watch failed; retrying');
        this.options.sink.restarted(this.kind, 'error');
        await sleep(backoff * (0.5 + Math.random() / 2), undefined, { signal: this.abort.signal }).catch(() => undefined);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Lists every object page by page; returns the list's resourceVersion. */
  private async list(): Promise<string> {
    const items: unknown[] = [];
    let resourceVersion = '';
    let next: string | undefined;
    const pageSize = this.options.pageSize ?? 500;
    try {
      do {
        const query = new URLSearchParams({ limit: String(pageSize) });
        if (next) query.set('continue', next);
        const page = await this.options.http.json<ListPage>('GET', `${collectionPath(this.kind)}?${query}`, undefined, this.abort.signal);
        items.push(...(page.items ?? []));
        resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
        next = page.metadata?.continue || undefined;
      } while (next);
    } catch (error) {
      // The kind is not served (its CRD is not installed): it has no objects, so say so and keep
      // trying in case it is installed later. Anything else (403) must not read as "empty".
      if (!(error instanceof KubeHttpError && error.status === 404)) throw error;
      this.deliverList([]);
      throw error;
    }
    this.deliverList(items);
    return resourceVersion;
  }

  private deliverList(items: unknown[]): void {
    this.options.sink.replace(this.kind, items, this.now());
    if (!this.syncedOnce) {
      this.syncedOnce = true;
      this.resolveFirstSync();
    }
  }

  /** Watches from resourceVersion until the server ends the watch; returns the last version seen. */
  private async watch(from: string): Promise<string> {
    const timeoutSeconds = this.options.watchTimeoutSeconds ?? 300;
    const query = new URLSearchParams({
      watch: 'true',
      allowWatchBookmarks: 'true',
      resourceVersion: from,
      // Jitter, so the watches of all kinds do not end at the same moment.
      timeoutSeconds: String(Math.round(timeoutSeconds * (1 + Math.random() / 5))),
    });
    let resourceVersion = from;
    let failure: Error | undefined;
    const watchAbort = new AbortController();
    const signal = AbortSignal.any([this.abort.signal, watchAbort.signal]);
    const onLine = (line: string): void => {
      if (failure || line.trim() === '') return;
      try {
        resourceVersion = this.handle(JSON.parse(line) as WatchEvent, resourceVersion);
      } catch (error) {
        failure = error as Error;
        watchAbort.abort();
      }
    };
    try {
      await this.options.http.stream(`${collectionPath(this.kind)}?${query}`, onLine, signal, (timeoutSeconds + 60) * 1000);
    } catch (error) {
      if (error instanceof KubeHttpError && error.status === 410) throw new GoneError('410 Gone');
      if (!failure) throw error;
    }
    if (failure) throw failure;
    return resourceVersion;
  }

  private handle(event: WatchEvent, resourceVersion: string): string {
    const receivedAt = this.now();
    const next = event.object?.metadata?.resourceVersion ?? resourceVersion;
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        this.options.sink.upsert(this.kind, event.object, receivedAt);
        return next;
      case 'DELETED':
        this.options.sink.remove(this.kind, event.object, receivedAt);
        return next;
      case 'BOOKMARK':
        return next;
      case 'ERROR':
        if (event.object?.code === 410) throw new GoneError(event.object.message ?? '410 Gone');
        throw new Error(`watch error: ${event.object?.message ?? JSON.stringify(event.object)}`);
      default:
        throw new Error(`unexpected watch event type ${String(event.type)}`);
    }
  }
}
