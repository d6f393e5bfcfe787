import type { InstanceName, RenderJob } from '@microgateway/contracts';
import { jobConsumerName, jobStreamName, jobSubject, jobSubjectFilter, renderJobMessageId, renderJobSchema } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg, StreamConfig } from '@nats-io/jetstream';
import { AckPolicy, DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType } from '@nats-io/jetstream';

/**
 * The render work queue: a work-queue stream with one subject per Gateway and a durable pull
 * consumer every renderer replica shares, so each job is rendered by one replica, and a job a
 * killed replica held is redelivered to another after ackWait.
 *
 * - Every replica sees the same KV changes and enqueues the same message id for the same
 *   (Gateway, cause) — JetStream keeps one within the duplicate window.
 * - At most one pending job per Gateway (`max_msgs_per_subject: 1`, discard old): a newer job
 *   replaces a pending one, so a burst of changes to one Gateway coalesces. Jobs carry no state —
 *   the worker renders its current cache — so the replaced job loses nothing.
 */

const STREAM_NAME_IN_USE = 10058;
const MS_TO_NS = 1e6;

/** How a job ended: done, retry after a delay, or never (reported, not retried). */
export type JobOutcome = { kind: 'ack' } | { kind: 'retry'; delayMs: number; why: string } | { kind: 'drop'; why: string };

export type JobHandler = (job: RenderJob, attempt: number) => Promise<JobOutcome>;

export interface RenderQueueOptions {
  ackWaitMs: number;
  duplicateWindowMs: number;
  concurrency: number;
  retryDelayMs: number;
}

export interface RenderQueueEvents {
  onOutcome(outcome: JobOutcome['kind'] | 'invalid'): void;
  /** A job delivered again: a replica died holding it, it was retried, or it outlived ackWait. */
  onRedelivered(): void;
}

export class RenderJobQueue {
  private messages: ConsumerMessages | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stream: string;

  private constructor(
    private readonly js: JetStreamClient,
    private readonly instance: InstanceName,
    private readonly options: RenderQueueOptions,
    private readonly logger: Logger,
    private readonly events: RenderQueueEvents,
  ) {
    this.stream = jobStreamName(instance, 'render');
  }

  /** Creates (or updates to this configuration) the stream and the shared durable consumer. */
  static async open(
    js: JetStreamClient,
    jsm: JetStreamManager,
    instance: InstanceName,
    options: RenderQueueOptions,
    context: { logger: Logger; events: RenderQueueEvents },
  ): Promise<RenderJobQueue> {
    const stream = jobStreamName(instance, 'render');
    const config: Partial<StreamConfig> & { name: string } = {
      name: stream,
      subjects: [jobSubjectFilter(instance, 'render')],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      max_msgs_per_subject: 1,
      discard: DiscardPolicy.Old,
      duplicate_window: options.duplicateWindowMs * MS_TO_NS,
      description: `Microgateway instance ${instance}: render jobs (renderer)`,
    };
    try {
      await jsm.streams.add(config);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === STREAM_NAME_IN_USE)) throw error;
      await jsm.streams.update(stream, config);
    }
    await jsm.consumers.add(stream, {
      durable_name: jobConsumerName('render'),
      ack_policy: AckPolicy.Explicit,
      ack_wait: options.ackWaitMs * MS_TO_NS,
      max_ack_pending: 1_000,
      filter_subject: jobSubjectFilter(instance, 'render'),
    });
    return new RenderJobQueue(js, instance, options, context.logger, context.events);
  }

  /** Enqueues a job; false when JetStream already had it (another replica saw the same change). */
  async enqueue(job: RenderJob): Promise<boolean> {
    const payload = JSON.stringify(renderJobSchema.parse(job));
    const ack = await this.js.publish(jobSubject(this.instance, 'render', job.gateway), payload, { msgID: renderJobMessageId(job) });
    return !ack.duplicate;
  }

  /** Renders jobs, at most `concurrency` at a time, until stop(). */
  async consume(handler: JobHandler): Promise<void> {
    const consumer = await this.js.consumers.get(this.stream, jobConsumerName('render'));
    this.messages = await consumer.consume({ max_messages: this.options.concurrency * 2 });
    for await (const message of this.messages) {
      while (this.inFlight.size >= this.options.concurrency) await Promise.race(this.inFlight);
      const task = this.handle(message, handler).finally(() => this.inFlight.delete(task));
      this.inFlight.add(task);
    }
  }

  private async handle(message: JsMsg, handler: JobHandler): Promise<void> {
    const parsed = renderJobSchema.safeParse(safeJson(message));
    if (!parsed.success) {
      this.logger.error({ subject: message.subject, problem: parsed.error.message }, 'dropping a render job that does not satisfy the contract');
      message.term('invalid payload');
      this.events.onOutcome('invalid');
      return;
    }
    if (message.info.redelivered) this.events.onRedelivered();
    let outcome: JobOutcome;
    try {
      outcome = await handler(parsed.data, message.info.deliveryCount);
    } catch (error) {
      this.logger.error({ err: error, gateway: parsed.data.gateway }, 'render job failed unexpectedly; retrying');
      outcome = { kind: 'retry', delayMs: this.options.retryDelayMs, why: (error as Error).message };
    }
    if (outcome.kind === 'ack') message.ack();
    else if (outcome.kind === 'retry') message.nak(outcome.delayMs);
    else message.term(outcome.why);
    this.events.onOutcome(outcome.kind);
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
