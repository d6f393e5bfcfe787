import type { GatewayRef, InputRevisions, RenderJob } from '@microgateway/contracts';
import { gatewayKey } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import { affectedGateways } from './affected.js';
import type { CacheEntry, ResourceCache } from './cache/resource-cache.js';
import type { RendererMetrics } from './metrics.js';

/** Job publishes awaiting their JetStream ack at once. */
const MAX_PUBLISHES_IN_FLIGHT = 256;

/**
 * Turns KV entries into cache updates and render jobs. Every replica sees the same entries and
 * builds the same job for the same (Gateway, entry), so JetStream's message-id dedupe keeps one.
 * Jobs are published in the background, a bounded number at a time, in entry order.
 */
export class ChangeRouter {
  private readonly byGateway = new Map<string, RenderJob[]>();
  /** Gateways with queued jobs and no publish in flight. */
  private readonly ready: string[] = [];
  private readonly busy = new Set<string>();
  private queued = 0;
  private publishing = 0;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => {};
  private live = false;

  constructor(
    private readonly cache: ResourceCache,
    private readonly enqueue: (job: RenderJob) => Promise<boolean>,
    private readonly metrics: RendererMetrics,
    private readonly logger: Logger,
    private readonly hooks: {
      /** An entry reached the cache (revision waiters wake up). */
      onApplied: () => void;
      /** A GatewayClass changed (its own status does not wait for a Gateway to render). */
      onClassChanged: (name: string) => void;
    },
  ) {}

  /** Until the initial values are in, entries only fill the cache: the resync renders everything once. */
  goLive(): void {
    this.live = true;
  }

  accept(entry: CacheEntry): void {
    let result: ReturnType<ResourceCache['apply']>;
    try {
      result = this.cache.apply(entry);
    } catch (error) {
      result = { kind: 'invalid', problem: (error as Error).message };
    }
    this.metrics.cacheObjects.set(this.cache.size);
    this.hooks.onApplied();
    if (result.kind === 'invalid') {
      this.metrics.invalidValues.inc({ bucket: entry.bucket });
      this.logger.error({ bucket: entry.bucket, key: entry.key, revision: entry.revision, problem: result.problem }, 'KV value does not satisfy its contract; keeping the last good object');
      return;
    }
    if (result.kind !== 'changed' || !this.live) return;
    if (result.change.ref.kind === 'GatewayClass') this.hooks.onClassChanged(result.change.ref.name);
    const after: InputRevisions = { resources: 0, secrets: 0 };
    after[entry.bucket] = entry.revision;
    for (const gateway of affectedGateways(result.change, this.cache.world())) this.push({ gateway, reason: 'resource-changed', after, requestedAt: new Date().toISOString() });
  }

  /** Enqueues a render of each Gateway (startup), named by the revisions the cache had then. */
  resync(gateways: readonly GatewayRef[], after: InputRevisions): void {
    for (const gateway of gateways) this.push({ gateway, reason: 'resync', after, requestedAt: new Date().toISOString() });
  }

  /** Settles when every accepted job has been published. */
  async flushed(): Promise<void> {
    await this.idle;
  }

  private push(job: RenderJob): void {
    if (this.queued === 0 && this.publishing === 0) this.idle = new Promise((resolve) => (this.markIdle = resolve));
    const key = gatewayKey(job.gateway);
    const queue = this.byGateway.get(key);
    if (queue === undefined) {
      this.byGateway.set(key, [job]);
      if (!this.busy.has(key)) this.ready.push(key);
    } else queue.push(job);
    this.queued++;
    this.pump();
  }

  /**
   * One publish in flight per Gateway, in entry order: with at most one pending job per subject,
   * a job published out of order could replace a newer one, and the newer one's id would then be
   * dropped as a duplicate when another replica sends it.
   */
  private pump(): void {
    while (this.publishing < MAX_PUBLISHES_IN_FLIGHT && this.ready.length > 0) {
      const key = this.ready.shift() as string;
      const queue = this.byGateway.get(key) ?? [];
      const job = queue.shift();
      if (queue.length === 0) this.byGateway.delete(key);
      if (job === undefined) continue;
      this.queued--;
      this.publishing++;
      this.busy.add(key);
      void this.publish(job).finally(() => {
        this.publishing--;
        this.busy.delete(key);
        if (this.byGateway.has(key)) this.ready.push(key);
        this.pump();
        if (this.publishing === 0 && this.queued === 0) this.markIdle();
      });
    }
  }

  private async publish(job: RenderJob): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.metrics.enqueued.inc({ result: (await this.enqueue(job)) ? 'new' : 'duplicate' });
        return;
      } catch (error) {
        // NATS is away: keep the job (a lost job is a stale Gateway) and retry with backoff.
        this.logger.warn({ err: error, gateway: job.gateway, attempt }, 'could not enqueue a render job; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
      }
    }
  }
}
