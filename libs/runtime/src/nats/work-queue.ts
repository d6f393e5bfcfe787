import type { GatewayRef, InstanceName, JobKind } from '@microgateway/contracts';
import { jobConsumerName, jobStreamName, jobSubject, jobSubjectFilter } from '@microgateway/contracts';
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg, StreamConfig } from '@nats-io/jetstream';
import { AckPolicy, DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { z } from 'zod';
import type { Logger } from '../logging/logger.js';

/**
 * A per-Gateway work queue (DESIGN §3): a work-queue stream with one subject per Gateway and a
 * durable pull consumer that every replica of a service shares, so each job is handled by one
 * replica, and a job a killed replica held is redelivered to another after ackWait.
 *
 * - Every replica notices the same facts and enqueues the same message id; JetStream keeps one
 *   within the duplicate window.
 * - One pending message per subject (`max_msgs_per_subject: 1`, discard old): a newer job for a
 *   Gateway replaces a pending one, so bursts coalesce. Jobs carry no state — the worker reads the
 *   current state — so the replaced job loses nothing.
 * - Payloads are parsed with the job's zod contract; one that does not satisfy it is terminated
 *   and reported, never retried.
 */

const STREAM_NAME_IN_USE = 10058;
const MS_TO_NS = 1e6;

/** How a job ended: done, retry after a delay, or never (a poison message; reported, not retried). */
export type JobOutcome = { kind: 'ack' } | { kind: 'retry'; delayMs: number; why: string } | { kind: 'drop'; why: string };

export type JobHandler<J> = (job: J, attempt: number) => Promise<JobOutcome>;

export interface WorkQueueOptions {
  /** A job held this long without an ack (the replica died or hangs) goes to another replica. */
  ackWaitMs: number;
  duplicateWindowMs: number;
  /** Jobs in flight at once in this replica. */
  concurrency: number;
  /** Delay before a job whose handler threw is retried. */
  retryDelayMs: number;
}

export interface WorkQueueEvents {
  onOutcome?(outcome: JobOutcome['kind'] | 'invalid'): void;
  /** A job delivered again: a replica died holding it, it was retried, or it outlived ackWait. */
  onRedelivered?(): void;
}

export interface WorkQueueSpec<J extends { gateway: GatewayRef }> {
  instance: InstanceName;
  kind: JobKind;
  /** Which service consumes it, for the stream description. */
  owner: string;
  schema: z.ZodType<J>;
  options: WorkQueueOptions;
  logger: Logger;
  events?: WorkQueueEvents;
}

export class WorkQueue<J extends { gateway: GatewayRef }> {
  private messages: ConsumerMessages | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stream: string;

  private constructor(
    private readonly js: JetStreamClient,
    private readonly spec: WorkQueueSpec<J>,
  ) {
    this.stream = jobStreamName(spec.instance, spec.kind);
  }

  /** Creates (or updates to this configuration) the stream and the shared durable consumer. */
  static async open<J extends { gateway: GatewayRef }>(js: JetStreamClient, jsm: JetStreamManager, spec: WorkQueueSpec<J>): Promise<WorkQueue<J>> {
    const { instance, kind, options } = spec;
    const stream = jobStreamName(instance, kind);
    const config: Partial<StreamConfig> & { name: string } = {
      name: stream,
      subjects: [jobSubjectFilter(instance, kind)],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      max_msgs_per_subject: 1,
      discard: DiscardPolicy.Old,
      duplicate_window: options.duplicateWindowMs * MS_TO_NS,
      description: `Microgateway instance ${instance}: ${kind} jobs (${spec.owner})`,
    };
    try {
      await jsm.streams.add(config);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === STREAM_NAME_IN_USE)) throw error;
      await jsm.streams.update(stream, config);
    }
    await jsm.consumers.add(stream, {
      durable_name: jobConsumerName(kind),
      ack_policy: AckPolicy.Explicit,
      ack_wait: options.ackWaitMs * MS_TO_NS,
      max_ack_pending: 1_000,
      filter_subject: jobSubjectFilter(instance, kind),
    });
    return new WorkQueue(js, spec);
  }

  /** Enqueues a job under a message id; false when JetStream already had it (another replica saw the same fact). */
  async enqueue(job: J, messageId: string): Promise<boolean> {
    const payload = JSON.stringify(this.spec.schema.parse(job));
    const ack = await this.js.publish(jobSubject(this.spec.instance, this.spec.kind, job.gateway), payload, { msgID: messageId });
    return !ack.duplicate;
  }

  /** Handles jobs, at most `concurrency` at a time, until stop(). */
  async consume(handler: JobHandler<J>): Promise<void> {
    const consumer = await this.js.consumers.get(this.stream, jobConsumerName(this.spec.kind));
    this.messages = await consumer.consume({ max_messages: this.spec.options.concurrency * 2 });
    for await (const message of this.messages) {
      while (this.inFlight.size >= this.spec.options.concurrency) await Promise.race(this.inFlight);
      const task = this.handle(message, handler).finally(() => this.inFlight.delete(task));
      this.inFlight.add(task);
    }
  }

  private async handle(message: JsMsg, handler: JobHandler<J>): Promise<void> {
    const { logger, events, kind, options } = this.spec;
    const parsed = this.spec.schema.safeParse(safeJson(message));
    if (!parsed.success) {
      logger.error({ subject: message.subject, problem: parsed.error.message }, `dropping a ${kind} job that does not satisfy the contract`);
      message.term('invalid payload');
      events?.onOutcome?.('invalid');
      return;
    }
    if (message.info.redelivered) events?.onRedelivered?.();
    let outcome: JobOutcome;
    try {
      outcome = await handler(parsed.data, message.info.deliveryCount);
    } catch (error) {
      logger.error({ err: error, gateway: parsed.data.gateway }, `${kind} job failed unexpectedly; retrying`);
      outcome = { kind: 'retry', delayMs: options.retryDelayMs, why: (error as Error).message };
    }
    if (outcome.kind === 'ack') message.ack();
    else if (outcome.kind === 'retry') message.nak(outcome.delayMs);
    else message.term(outcome.why);
    events?.onOutcome?.(outcome.kind);
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
