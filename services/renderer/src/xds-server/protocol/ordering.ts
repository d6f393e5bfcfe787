import type { XdsType } from './types.js';

/**
 * The order in which one config change reaches an Engine, so that a change never makes Envoy
 * answer 503 on a route that did not change (DESIGN §5), "make before break":
 *
 * 1. secrets, then clusters and endpoints are added or updated (listeners and clusters
 *    reference secrets, routes reference clusters, clusters take their hosts from endpoints);
 * 2. listeners, then routes are added, updated and removed — by now everything they point at
 *    is in Envoy;
 * 3. only then are clusters, endpoints and secrets removed: the listeners and routes that used
 *    them no longer do.
 *
 * Each step waits until Envoy has answered (ACK or NACK) the previous step's responses. A session
 * does not plan a change once: it recomputes, after every request and snapshot, what each type
 * still owes the client ({@link nextParts}), so a snapshot arriving mid-change simply restarts
 * the walk at the first step with something to send.
 *
 * `update` is every addition and change of a type (plus delta's "this name does not exist" for a
 * name the client asked for but never had), `remove` withdraws a resource the client has, and
 * `all` is both in one response.
 */
export type Part = 'update' | 'remove' | 'all';

export interface TypePart {
  type: XdsType;
  part: Part;
}

export const STAGES: readonly (readonly TypePart[])[] = [
  [{ type: 'secret', part: 'update' }],
  // One step: Envoy ACKs a CDS response only once the new clusters have warmed, which needs their
  // endpoints — waiting for that ACK before sending EDS would stall until Envoy's fetch timeout.
  // Order is still kept: the endpoints of a new cluster are sent only after Envoy subscribed to
  // them, which it does after it received the cluster.
  [
    { type: 'cluster', part: 'update' },
    { type: 'endpoint', part: 'update' },
  ],
  [{ type: 'listener', part: 'all' }],
  [{ type: 'route', part: 'all' }],
  [
    { type: 'cluster', part: 'remove' },
    { type: 'endpoint', part: 'remove' },
    { type: 'secret', part: 'remove' },
  ],
];

/** What the scheduler needs to know about a session. */
export interface FlowView {
  /** The client has asked for this type and this part of it would change what the client has. */
  hasPending(typePart: TypePart): boolean;
  /** A response of this type is unanswered (one per type at a time). */
  isAwaitingAck(type: XdsType): boolean;
}

export interface Schedule {
  /** Send these now, in this order. */
  send: TypePart[];
  /** Types with something to send that an earlier step holds back. */
  held: XdsType[];
}

/**
 * Walks the steps in order and stops at the first one that is not finished: it sends that step's
 * pending parts whose type has no unanswered response, and holds everything after it.
 */
export function nextParts(flow: FlowView): Schedule {
  const send: TypePart[] = [];
  const held = new Set<XdsType>();
  let blocked = false;
  for (const stage of STAGES) {
    const pending = stage.filter((typePart) => flow.hasPending(typePart));
    if (blocked) {
      for (const { type } of pending) held.add(type);
      continue;
    }
    for (const typePart of pending) {
      if (flow.isAwaitingAck(typePart.type)) held.add(typePart.type);
      else send.push(typePart);
    }
    blocked = pending.length > 0 || stage.some(({ type }) => flow.isAwaitingAck(type));
  }
  return { send, held: [...held] };
}
