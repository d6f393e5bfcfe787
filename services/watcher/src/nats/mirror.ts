// Executes mirror plans against NATS: each change is announced on the events stream and written
// to its bucket with compare-and-set against the revision the plan was made from.
import type { JetStreamClient } from '@nats-io/jetstream';
import { JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { eventNatsSubject } from '@microgateway/contracts';
import type { InstanceName } from '@microgateway/contracts';
import type { MirrorBucket } from '../core/kinds.js';
import type { JsonObject } from '../core/objects.js';
import { objectDigest } from '../core/objects.js';
import { eventFor, eventMessageId } from '../core/events.js';
import type { MirrorEntry, MirrorOp } from '../core/plan.js';
import type { Buckets } from './layout.js';

const WRONG_LAST_SEQUENCE = [10071, 10164];

/** Someone else wrote the key since we read it (another leader, or a stale view after a failover). */
export class MirrorConflict extends Error {
  override name = 'MirrorConflict';
}

/** What an executed op leaves in KV for its key (undefined: nothing). */
export type OpResult = { key: string; entry: MirrorEntry | undefined; duplicateEvent: boolean };

/** Reads everything a bucket holds: the writer's view of KV at the start of its leadership. */
export async function loadBucket(kv: KV, bucket: MirrorBucket): Promise<Map<string, MirrorEntry>> {
  const entries = new Map<string, MirrorEntry>();
  const status = await kv.status();
  const lastSeq = status.streamInfo.state.last_seq;
  if (status.values === 0 || lastSeq === 0) return entries;
  const watch = await kv.watch({ key: '>' });
  try {
    for await (const entry of watch) {
      if (entry.operation === 'PUT') {
        const object = JSON.parse(entry.string()) as JsonObject;
        entries.set(entry.key, { key: entry.key, bucket, revision: entry.revision, object, digest: objectDigest(object) });
      } else {
        entries.delete(entry.key);
      }
      // The newest message is the last value of its key, so reaching it means we have them all.
      if (entry.revision >= lastSeq) break;
    }
  } finally {
    watch.stop();
  }
  return entries;
}

export interface MirrorWriterOptions {
  js: JetStreamClient;
  buckets: Buckets;
  instance: InstanceName;
  newId: () => string;
  now: () => Date;
}

function isWrongLastSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && WRONG_LAST_SEQUENCE.includes(error.code);
}

export class MirrorWriter {
  private readonly encoder = new TextEncoder();

  constructor(private readonly o: MirrorWriterOptions) {}

  /** Publishes the op's event, then applies it to KV; throws MirrorConflict when KV moved. */
  async execute(op: MirrorOp): Promise<OpResult> {
    const event = eventFor(op, { instance: this.o.instance, id: this.o.newId(), time: this.o.now() });
    const ack = await this.o.js.publish(eventNatsSubject(this.o.instance, event), JSON.stringify(event), { msgID: eventMessageId(op) });
    try {
      return { ...(await this.apply(op)), duplicateEvent: ack.duplicate };
    } catch (error) {
      if (isWrongLastSequence(error)) throw new MirrorConflict(`${op.key} changed in KV since it was read`, { cause: error });
      throw error;
    }
  }

  private async apply(op: MirrorOp): Promise<Omit<OpResult, 'duplicateEvent'>> {
    switch (op.op) {
      case 'reject':
        return { key: op.key, entry: undefined };
      case 'delete':
        await this.o.buckets[op.bucket].delete(op.key, { previousSeq: op.previous.revision });
        return { key: op.key, entry: undefined };
      case 'put': {
        const kv = this.o.buckets[op.bucket];
        const payload = this.encoder.encode(JSON.stringify(op.current.object));
        // The kind is part of the key, so a key never changes buckets.
        const revision = op.previous ? await kv.update(op.key, payload, op.previous.revision) : await kv.create(op.key, payload);
        return { key: op.key, entry: { key: op.key, bucket: op.bucket, revision, object: op.current.object, digest: op.current.digest } };
      }
    }
  }

  /** The current KV entry of a key (after a conflict). */
  async reread(key: string): Promise<MirrorEntry | undefined> {
    for (const bucket of ['resources', 'secrets'] as const) {
      const entry = await this.o.buckets[bucket].get(key);
      if (entry && entry.operation === 'PUT') {
        const object = JSON.parse(entry.string()) as JsonObject;
        return { key, bucket, revision: entry.revision, object, digest: objectDigest(object) };
      }
    }
    return undefined;
  }
}
