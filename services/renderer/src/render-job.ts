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
import { renderOutput } from './publish/output.js';
import { translateGateway } from './translate/index.js';

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

  constructor(private readonly deps: RenderJobDeps) {}

  async handle(job: RenderJob, attempt: number): Promise<JobOutcome> {
    const { deps } = this;
    if (!(await deps.waiter.wait(job.after, deps.cacheWaitMs))) {
      return { kind: 'retry', delayMs: deps.retryDelayMs, why: `cache has not reached revisions ${JSON.stringify(job.after)} yet` };
    }
    return this.mutex.run(gatewayKey(job.gateway), () => this.render(job, attempt));
  }

  private translate(gateway: GatewayRef): RenderOutput {
    const { cache, controllerName } = this.deps;
    const resources = cache.resources();
    const object = cache.gateway(gateway.namespace, gateway.name);
    const translation = object === undefined ? undefined : translateGateway(resources, object, { controllerName });
    return renderOutput(gateway, translation, resources, cache.revisions);
  }

  private async render(job: RenderJob, attempt: number): Promise<JobOutcome> {
    const { metrics, logger } = this.deps;
    const started = performance.now();
    const done = (result: string): void => {
      metrics.renders.inc({ result });
      metrics.renderSeconds.observe((performance.now() - started) / 1000);
    };
    let output: RenderOutput;
    try {
      output = this.translate(job.gateway);
    } catch (error) {
      done('failed');
      logger.error({ err: error, gateway: job.gateway }, 'translation failed; the last good configuration stays published');
      return { kind: 'drop', why: `translation failed: ${(error as Error).message}` };
    }
    let result: PublishResult;
    try {
      // A redelivered job may follow a replica that died mid-write: rewrite every key to be sure.
      result = await this.deps.writer.publish(output, job.reason === 'repair' || attempt > 1);
    } catch (error) {
      done('failed');
      if (error instanceof PermanentRenderError) {
        logger.error({ err: error, gateway: job.gateway }, 'cannot publish this configuration; the last good one stays published');
        return { kind: 'drop', why: error.message };
      }
      logger.warn({ err: error, gateway: job.gateway, attempt }, 'publishing failed; retrying');
      return { kind: 'retry', delayMs: this.deps.retryDelayMs, why: (error as Error).message };
    }
    done(result.kind);
    if (result.kind === 'stale' && job.reason === 'repair') {
      // A repair must come from a cache at least as new as the manifest it repairs.
      return { kind: 'retry', delayMs: this.deps.retryDelayMs, why: 'cache is older than the manifest to repair' };
    }
    await this.after(job, output, result);
    logger.debug({ gateway: job.gateway, reason: job.reason, result: result.kind, ms: Math.round(performance.now() - started) }, 'rendered');
    return { kind: 'ack' };
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
    const inputs = (output.published?.sources ?? []).map((s) => ({ ...s }));
    await this.deps.events.rendered({ gateway: manifest.gateway, version: manifest.version, digest: manifest.digest, inputs }, manifest.inputs);
  }
}

