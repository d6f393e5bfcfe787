import { certJobMessageId, certJobSchema, type CertJob, type InstanceName } from '@microgateway/contracts';
import { WorkQueue, type JobHandler, type Logger, type WorkQueueOptions } from '@microgateway/runtime';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';

export type { JobOutcome } from '@microgateway/runtime';

/**
 * The cert work queue (the runtime's WorkQueue): every ca replica notices the same facts (an infra
 * revision, a certificate due, a changed Secret) and enqueues them under the same message id, so
 * each fact becomes one job, handled by one replica.
 */
export class CertJobQueue {
  private constructor(private readonly queue: WorkQueue<CertJob>) {}

  static async open(js: JetStreamClient, jsm: JetStreamManager, instance: InstanceName, options: WorkQueueOptions, logger: Logger): Promise<CertJobQueue> {
    return new CertJobQueue(await WorkQueue.open(js, jsm, { instance, kind: 'cert', owner: 'ca', schema: certJobSchema, options, logger }));
  }

  /** Enqueues a job; `fact` names what was noticed (see certJobMessageId). False when it was a duplicate. */
  enqueue(job: CertJob, fact: string): Promise<boolean> {
    return this.queue.enqueue(job, certJobMessageId(job, fact));
  }

  consume(handler: JobHandler<CertJob>): Promise<void> {
    return this.queue.consume(handler);
  }

  stop(): Promise<void> {
    return this.queue.stop();
  }
}
