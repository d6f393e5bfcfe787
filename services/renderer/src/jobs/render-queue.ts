import type { InstanceName, RenderJob } from '@microgateway/contracts';
import { renderJobMessageId, renderJobSchema } from '@microgateway/contracts';
import { WorkQueue, type JobHandler, type Logger, type WorkQueueEvents, type WorkQueueOptions } from '@microgateway/runtime';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';

export type { JobOutcome } from '@microgateway/runtime';

/**
 * The render work queue (the runtime's WorkQueue): every renderer replica sees the same KV changes
 * and enqueues the same message id for the same (Gateway, cause), so each change is rendered by
 * one replica; a burst of changes to one Gateway coalesces into one pending job.
 */
export class RenderJobQueue {
  private constructor(private readonly queue: WorkQueue<RenderJob>) {}

  static async open(
    js: JetStreamClient,
    jsm: JetStreamManager,
    instance: InstanceName,
    options: WorkQueueOptions,
    context: { logger: Logger; events: WorkQueueEvents },
  ): Promise<RenderJobQueue> {
    const queue = await WorkQueue.open(js, jsm, { instance, kind: 'render', owner: 'renderer', schema: renderJobSchema, options, ...context });
    return new RenderJobQueue(queue);
  }

  /** Enqueues a job; false when JetStream already had it (another replica saw the same change). */
  enqueue(job: RenderJob): Promise<boolean> {
    return this.queue.enqueue(job, renderJobMessageId(job));
  }

  consume(handler: JobHandler<RenderJob>): Promise<void> {
    return this.queue.consume(handler);
  }

  stop(): Promise<void> {
    return this.queue.stop();
  }
}
