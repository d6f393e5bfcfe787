import { buildEvent } from '@microgateway/contracts';
import type { EventOf, InstanceName } from '@microgateway/contracts';
import type { DeleteOp, MirrorOp, PutOp, RejectOp } from './plan.js';

/** The CloudEvents `source` component of everything the watcher publishes. */
export const WATCHER_COMPONENT = 'watcher';

export interface EventContext {
  instance: InstanceName;
  id: string;
  time: Date;
}

export type WatcherEvent =
  | EventOf<'dev.microgateway.resource.changed'>
  | EventOf<'dev.microgateway.resource.deleted'>
  | EventOf<'dev.microgateway.resource.rejected'>;

function options(context: EventContext): { instance: InstanceName; source: string; id: string; time: Date } {
  return { instance: context.instance, source: WATCHER_COMPONENT, id: context.id, time: context.time };
}

function changedEvent(op: PutOp, context: EventContext): WatcherEvent {
  const { current, previous } = op;
  return buildEvent(
    'dev.microgateway.resource.changed',
    {
      ...current.ref,
      resourceVersion: current.resourceVersion ?? '0',
      generation: current.generation,
      digest: current.digest,
      previousDigest: previous?.digest,
      changedFields: op.changedFields,
    },
    options(context),
  );
}

function deletedEvent(op: DeleteOp, context: EventContext): WatcherEvent {
  return buildEvent(
    'dev.microgateway.resource.deleted',
    { ...op.ref, resourceVersion: op.current?.resourceVersion, lastDigest: op.previous.digest },
    options(context),
  );
}

function rejectedEvent(op: RejectOp, context: EventContext): WatcherEvent {
  return buildEvent(
    'dev.microgateway.resource.rejected',
    { ...op.current.ref, generation: op.current.generation, problems: [...op.problems] },
    options(context),
  );
}

/** The CloudEvent announcing an executed op. */
export function eventFor(op: MirrorOp, context: EventContext): WatcherEvent {
  switch (op.op) {
    case 'put':
      return changedEvent(op, context);
    case 'delete':
      return deletedEvent(op, context);
    case 'reject':
      return rejectedEvent(op, context);
  }
}

/**
 * The JetStream message id of an op's event. It names the transition (key, the KV revision it
 * starts from, the API server version it goes to). The writer publishes the event before it
 * writes KV, so a leader that dies between the two leaves KV unchanged; the next leader plans the
 * same transition, and JetStream drops the repeated event inside its duplicate window.
 */
export function eventMessageId(op: MirrorOp): string {
  switch (op.op) {
    case 'put':
      return `changed:${op.key}:${op.previous?.revision ?? 0}:${op.current.resourceVersion ?? op.current.digest}`;
    case 'delete':
      return `deleted:${op.key}:${op.previous.revision}`;
    case 'reject':
      return `rejected:${op.key}:${op.current.resourceVersion ?? op.current.digest}`;
  }
}
