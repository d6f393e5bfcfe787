// A small Kubernetes REST client for the node agent: JSON requests and list+watch caches over one
// keep-alive HTTPS agent. The agent needs exactly these few verbs, with merge patches and status
// subresources, and predictable reconnects; a hand-written client keeps that visible.
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface KubeAccess {
  /** https://host:port */
  server: string;
  token: string;
  ca: Buffer | string;
  /** The name the serving certificate was issued for, when `server` uses another address. */
  tlsServerName?: string;
}

export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: string,
  ) {
    super(`${method} ${path}: ${status} ${body.slice(0, 300)}`);
    this.name = 'KubeApiError';
  }
}

export const MERGE_PATCH = 'application/merge-patch+json';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export class KubeRest {
  private readonly agent: Agent;

  constructor(private readonly access: KubeAccess) {
    this.agent = new Agent({ keepAlive: true, ca: access.ca, maxSockets: 32, servername: access.tlsServerName });
  }

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const res = await this.open(method, path, body, contentType);
    const text = await readBody(res);
    if ((res.statusCode ?? 0) >= 300) throw new KubeApiError(res.statusCode ?? 0, method, path, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** The response stream of a request (for watches); the caller reads and destroys it. */
  open(method: string, path: string, body?: unknown, contentType = 'application/json', signal?: AbortSignal): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.access.server}${path}`,
        {
          method,
          agent: this.agent,
          signal,
          headers: {
            authorization: `Bearer ${this.access.token}`,
            accept: 'application/json',
            ...(payload ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        resolve,
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => resolve(text));
    res.on('error', reject);
  });
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 404;
}

export function isConflict(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 409;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * The objects of one collection (`/api/v1/pods`, with an optional selector query), kept current by
 * list + watch; a lost watch resumes from the last resourceVersion, an expired one (410) relists.
 */
export class WatchCache<T extends KubeObject> {
  readonly objects = new Map<string, T>();
  private resourceVersion = '';
  private readonly abort = new AbortController();
  private synced = false;
  private readonly syncedWaiters: (() => void)[] = [];

  constructor(
    private readonly rest: KubeRest,
    private readonly path: string,
    private readonly query: string,
    private readonly onChange: (type: WatchEventType, obj: T) => void,
    private readonly log: (line: string) => void,
  ) {}

  start(): Promise<void> {
    void this.run();
    return new Promise((resolve) => (this.synced ? resolve() : this.syncedWaiters.push(resolve)));
  }

  stop(): void {
    this.abort.abort();
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        if (!this.resourceVersion) await this.list();
        await this.watch();
      } catch (error) {
        if (this.abort.signal.aborted) return;
        if (error instanceof KubeApiError && error.status === 410) this.resourceVersion = '';
        else this.log(`watch ${this.path}: ${error instanceof Error ? error.message : String(error)}; retrying`);
        await sleep(500);
      }
    }
  }

  private async list(): Promise<void> {
    const sep = this.query ? '&' : '';
    const list = await this.rest.request<{ metadata: { resourceVersion: string }; items: T[] }>('GET', `${this.path}?${this.query}${sep}limit=0`);
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = objectKey(item);
      seen.add(key);
      this.objects.set(key, item);
      this.onChange('MODIFIED', item);
    }
    for (const [key, obj] of this.objects) {
      if (seen.has(key)) continue;
      this.objects.delete(key);
      this.onChange('DELETED', obj);
    }
    this.resourceVersion = list.metadata.resourceVersion;
    if (!this.synced) {
      this.synced = true;
      for (const resolve of this.syncedWaiters.splice(0)) resolve();
    }
  }

  private async watch(): Promise<void> {
    const sep = this.query ? '&' : '';
    const path = `${this.path}?${this.query}${sep}watch=1&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${this.resourceVersion}`;
    const res = await this.rest.open('GET', path, undefined, undefined, this.abort.signal);
    if ((res.statusCode ?? 0) >= 300) throw new KubeApiError(res.statusCode ?? 0, 'GET', path, await readBody(res));
    let buffered = '';
    res.setEncoding('utf8');
    for await (const chunk of res as AsyncIterable<string>) {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) this.apply(JSON.parse(line) as { type: string; object: T });
      }
    }
  }

  private apply(event: { type: string; object: T }): void {
    if (event.type === 'ERROR') {
      const status = event.object as unknown as { code?: number; message?: string };
      throw new KubeApiError(status.code ?? 500, 'WATCH', this.path, status.message ?? '');
    }
    if (event.object.metadata.resourceVersion) this.resourceVersion = event.object.metadata.resourceVersion;
    if (event.type === 'BOOKMARK') return;
    const key = objectKey(event.object);
    if (event.type === 'DELETED') this.objects.delete(key);
    else this.objects.set(key, event.object);
    this.onChange(event.type as WatchEventType, event.object);
  }
}

export function objectKey(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}
