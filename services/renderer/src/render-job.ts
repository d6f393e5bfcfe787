import type { GatewayRef, RenderJob } from '@microgateway/contracts';
import { gatewayKey } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import type { ResourceCache } from './cache/resource-cache.js';
import type { RevisionWaiter } from './cache/revision-waiter.js';
import type { JobOutcome } from './jobs/render-queue.js';
import { KeyedMutex } from './jobs/keyed-mutex.js';
import type { RendererMetrics } from './metrics.js';
import type { RenderEvents } from './publish/events.js';
import type { KvOutputWriter, PublishResult } from './publish/kv-writer.js';
import { PermanentRenderError } from './publish/kv-writer.js';
import type { RenderOutput } from './publish/output.js';
import { GatewayRenderState } from './incremental/gateway-render-state.js';
import type { InputSnapshot } from './publish/input-delta.js';
import { inputDelta, snapshotOf } from './publish/input-delta.js';

export interface RenderJobDeps {
  cache: ResourceCache;
  waiter: RevisionWaiter;
  writer: KvOutputWriter;
  events: RenderEvents;
  /** Enqueues a follow-up job (a repair after a concurrent write). */
  enqueue: (job: RenderJob) => Promise<unknown>;
  metrics: RendererMetrics;
  logger: Logger;
  controllerName: string;
  cacheWaitMs: number;
  retryDelayMs: number;
}

/**
 * Renders one job: wait until the cache has the change that caused it, translate the Gateway from
 * the cache, and publish only what changed. User errors are status, never failures; a translation
 * that throws is a bug in the renderer: the job is dropped and reported, and the last good config
 * stays published.
 */
export class RenderJobHandler {
  private readonly mutex = new KeyedMutex();
  /** Keeps the follow-ups of one Gateway in the order of its renders. */
  private readonly followUps = new KeyedMutex();
  private readonly states = new Map<string, GatewayRenderState>();
  /** The inputs of the last config.rendered this replica published, per Gateway: the next one lists changes only. */
  private readonly announced = new Map<string, InputSnapshot>();

  constructor(private readonly deps: RenderJobDeps) {}

  async handle(job: RenderJob, attempt: number): Promise<JobOutcome> {
    const { deps } = this;
    if (!(await deps.waiter.wait(job.after, deps.cacheWaitMs))) {
      return { kind: 'retry', delayMs: deps.retryDelayMs, why: `cache has not reached revisions ${JSON.stringify(job.after)} yet` };
    }
    const key = gatewayKey(job.gateway);
    const rendered = await this.mutex.run(key, () => this.render(job, attempt));
    // The follow-up (the config.rendered event, or a repair job) runs outside the render mutex: a
    // 10,000-route Gateway's event takes longer than an incremental render, and the next change
    // must not wait for it. The job is acked only after it.
    await rendered.followUp;
    return rendered.outcome;
  }

  /**
   * renderOutput(translateGateway(...)) for the Gateway, incrementally: each Gateway keeps what its
   * last render translated and serialized (incremental/), so one changed route among thousands
   * costs that route. Renders of one Gateway are serialized by the mutex, so its state has one user.
   */
  private translate(gateway: GatewayRef): RenderOutput {
    const { cache, controllerName } = this.deps;
    const resources = cache.resources();
    const object = cache.gateway(gateway.namespace, gateway.name);
    const key = gatewayKey(gateway);
    let state = this.states.get(key);
    if (state === undefined) this.states.set(key, (state = new GatewayRenderState(gateway, { controllerName })));
    const output = state.render(resources, object, cache.revisions);
    // A Gateway that is gone or not ours keeps nothing (bounded by the Gateways that exist).
    if (output.published === undefined) {
      this.states.delete(key);
      this.announced.delete(key);
    }
    return output;
  }

  private async render(job: RenderJob, attempt: number): Promise<{ outcome: JobOutcome; followUp?: Promise<void> }> {
    const { metrics, logger } = this.deps;
    const started = performance.now();
    const done = (result: string): void => {
      metrics.renders.inc({ result });
      metrics.renderSeconds.observe((performance.now() - started) / 1000);
    };
    // The manifest read goes out before translation takes the thread, so the two overlap.
    const manifest = this.deps.writer.readManifest(job.gateway);
    manifest.catch(() => undefined); // a failed read is reported by publish (or moot when translation fails)
    await new Promise<void>((resolve) => setImmediate(resolve));
    let output: RenderOutput;
    try {
      output = this.translate(job.gateway);
    } catch (error) {
      done('failed');
      logger.error({ err: error, gateway: job.gateway }, 'translation failed; the last good configuration stays published');
      return { outcome: { kind: 'drop', why: `translation failed: ${(error as Error).message}` } };
    }
    const translated = performance.now();
    let result: PublishResult;
    try {
      // A redelivered job may follow a replica that died mid-write: rewrite every key to be sure.
      result = await this.deps.writer.publish(output, job.reason === 'repair' || attempt > 1, manifest);
    } catch (error) {
      done('failed');
      if (error instanceof PermanentRenderError) {
        logger.error({ err: error, gateway: job.gateway }, 'cannot publish this configuration; the last good one stays published');
        return { outcome: { kind: 'drop', why: error.message } };
      }
      logger.warn({ err: error, gateway: job.gateway, attempt }, 'publishing failed; retrying');
      return { outcome: { kind: 'retry', delayMs: this.deps.retryDelayMs, why: (error as Error).message } };
    }
    done(result.kind);
    if (result.kind === 'stale' && job.reason === 'repair') {
      // A repair must come from a cache at least as new as the manifest it repairs.
      return { outcome: { kind: 'retry', delayMs: this.deps.retryDelayMs, why: 'cache is older than the manifest to repair' } };
    }
    const published = performance.now();
    const ms = (from: number, to: number): number => Math.round((to - from) * 10) / 10;
    // queuedMs: from the change reaching the enqueuing replica to this render (clocks of two replicas may differ).
    const queuedMs = Date.now() - (performance.now() - started) - Date.parse(job.requestedAt);
    logger.debug({ gateway: job.gateway, reason: job.reason, result: result.kind, ms: ms(started, published), translateMs: ms(started, translated), queuedMs }, 'rendered');
    // Queued here, inside the render mutex, so follow-ups keep the order of the renders.
    const followUp = this.followUps.run(gatewayKey(job.gateway), () => this.after(job, output, result));
    return { outcome: { kind: 'ack' }, followUp };
  }

  private async after(job: RenderJob, output: RenderOutput, result: PublishResult): Promise<void> {
    if (result.kind === 'conflict') {
      // Another replica committed between our read and our write, and our resource writes may
      // have overwritten its newer ones: whoever has the newest cache rewrites every key.
      await this.deps.enqueue({ gateway: job.gateway, reason: 'repair', after: output.inputs, requestedAt: new Date().toISOString() });
      return;
    }
    if (result.kind !== 'written' || !result.xdsChanged || result.manifest === undefined) return;
    const { manifest } = result;
    const key = gatewayKey(job.gateway);
    // The event's contract parse copies them; the sources themselves are never changed.
    const sources = output.published?.sources ?? [];
    const current = snapshotOf(manifest.version, sources);
    const delta = inputDelta(this.announced.get(key), result.previousVersion, current, sources);
    this.announced.set(key, current);
    await this.deps.events.rendered({ gateway: manifest.gateway, version: manifest.version, digest: manifest.digest, ...delta }, manifest.inputs);
  }
}

