import {
  certJobMessageId,
  certJobSchema,
  jobConsumerName,
  jobStreamName,
  jobSubject,
  jobSubjectFilter,
  type CertJob,
  type InstanceName,
} from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import {
  AckPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StreamConfig,
} from '@nats-io/jetstream';

/**
 * The cert work queue: a work-queue stream with one subject per Gateway and a durable pull consumer
 * shared by every ca replica, so each job is handled by exactly one replica, and a job a killed
 * replica held is redelivered to another after ackWait.
 *
 * - Every replica notices the same facts (an infra revision, a certificate due, a changed Secret)
 *   and enqueues the same message id; JetStream keeps one within the duplicate window.
 * - One pending message per subject (`max_msgs_per_subject: 1`, discard old): a newer job for a
 *   Gateway replaces a pending one, so bursts coalesce. Jobs carry no state — the worker reads
 *   the current state — so the replaced job loses nothing.
 */

const STREAM_NAME_IN_USE = 10058;
const MS_TO_NS = 1e6;

/** How a job ended: done, retry after a delay, or never (a poison message; reported, not retried). */
export type JobOutcome = { kind: 'ack' } | { kind: 'retry'; delayMs: number; why: string } | { kind: 'drop'; why: string };

export interface JobQueueOptions {
  ackWaitMs: number;
  duplicateWindowMs: number;
  concurrency: number;
}

export type JobHandler = (job: CertJob, attempt: number) => Promise<JobOutcome>;

export class CertJobQueue {
  private messages: ConsumerMessages | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  private constructor(
    private readonly js: JetStreamClient,
    private readonly instance: InstanceName,
    private readonly options: JobQueueOptions,
    private readonly logger: Logger,
  ) {}

  /** Creates (or updates to this configuration) the stream and the shared durable consumer. */
  static async open(js: JetStreamClient, jsm: JetStreamManager, instance: InstanceName, options: JobQueueOptions, logger: Logger): Promise<CertJobQueue> {
    const stream = jobStreamName(instance, 'cert');
    const config: Partial<StreamConfig> & { name: string } = {
      name: stream,
      subjects: [jobSubjectFilter(instance, 'cert')],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      max_msgs_per_subject: 1,
      discard: DiscardPolicy.Old,
      duplicate_window: options.duplicateWindowMs * MS_TO_NS,
      description: `Microgateway instance ${instance}: certificate jobs (ca)`,
    };
    try {
      await jsm.streams.add(config);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === STREAM_NAME_IN_USE)) throw error;
      await jsm.streams.update(stream, config);
    }
    await jsm.consumers.add(stream, {
      durable_name: jobConsumerName('cert'),
      ack_policy: AckPolicy.Explicit,
      ack_wait: options.ackWaitMs * MS_TO_NS,
      max_ack_pending: 1_000,
      filter_subject: jobSubjectFilter(instance, 'cert'),
    });
    return new CertJobQueue(js, instance, options, logger);
  }

  /** Enqueues a job; `fact` names what was noticed (see certJobMessageId). False when it was a duplicate. */
  async enqueue(job: CertJob, fact: string): Promise<boolean> {
    const ack = await this.js.publish(jobSubject(this.instance, 'cert', job.gateway), JSON.stringify(certJobSchema.parse(job)), {
      msgID: certJobMessageId(job, fact),
    });
    return !ack.duplicate;
  }

  /** Handles jobs, at most `concurrency` at a time, until stop(). */
  async consume(handler: JobHandler): Promise<void> {
    const consumer = await this.js.consumers.get(jobStreamName(this.instance, 'cert'), jobConsumerName('cert'));
    this.messages = await consumer.consume({ max_messages: this.options.concurrency * 2 });
    for await (const message of this.messages) {
      while (this.inFlight.size >= this.options.concurrency) await Promise.race(this.inFlight);
      const task = this.handle(message, handler).finally(() => this.inFlight.delete(task));
      this.inFlight.add(task);
    }
  }

  private async handle(message: JsMsg, handler: JobHandler): Promise<void> {
    const parsed = certJobSchema.safeParse(safeJson(message));
    if (!parsed.success) {
      this.logger.error({ subject: message.subject, problem: parsed.error.message }, 'dropping a cert job that does not satisfy the contract');
      message.term('invalid payload');
      return;
    }
    let outcome: JobOutcome;
    try {
      outcome = await handler(parsed.data, message.info.deliveryCount);
    } catch (error) {
      this.logger.error({ err: error, gateway: parsed.data.gateway }, 'cert job handler threw; retrying');
      outcome = { kind: 'retry', delayMs: 1_000, why: (error as Error).message };
    }
    if (outcome.kind === 'ack') message.ack();
    else if (outcome.kind === 'retry') message.nak(outcome.delayMs);
    else message.term(outcome.why);
  }

  /** Stops taking jobs and waits for those in flight. */
  async stop(): Promise<void> {
    await this.messages?.close();
    await Promise.allSettled([...this.inFlight]);
  }
}

function safeJson(message: JsMsg): unknown {
  try {
    return message.json();
  } catch {
    return undefined;
  }
}
