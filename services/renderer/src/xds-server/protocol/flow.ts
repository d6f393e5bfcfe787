import type { Part } from './ordering.js';
import { nextParts } from './ordering.js';
import type { Unanswered } from './requests.js';
import { answerOf, outcomeOf, resourcesOf } from './requests.js';
import type { ErrorDetail, FlowState, Outcome, Snapshot, SnapshotResource, XdsType } from './types.js';

/**
 * What the delta and the state-of-the-world sessions share: answering a response (ACK/NACK), and
 * what each type still owes the client in the order of `ordering.ts`. The per-type state differs
 * (what a client holds, what a response carries); this needs only the part below.
 */
export interface TypeFlow<B> {
  readonly unanswered: Unanswered | undefined;
  acknowledge(): void;
  reject(): void;
  /** What `part` of the type would send now; undefined when nothing. */
  content(part: Part, desired: ReadonlyMap<string, SnapshotResource<B>>): unknown;
}

/** The Outcome of a request that answers the type's unanswered response, if it does. */
export function settle(type: XdsType, state: TypeFlow<unknown>, request: { response_nonce?: string; error_detail?: ErrorDetail | null }): Outcome | undefined {
  const unanswered = state.unanswered;
  const answer = answerOf(request, unanswered);
  if (!answer || !unanswered) return undefined;
  if (answer.kind === 'ack') state.acknowledge();
  else state.reject();
  return outcomeOf(answer, type, unanswered.version);
}

export function flowView<B>(types: ReadonlyMap<XdsType, TypeFlow<B>>, snapshot: Snapshot<B>): Parameters<typeof nextParts>[0] {
  return {
    hasPending: ({ type, part }) => types.get(type)?.content(part, resourcesOf(snapshot, type)) !== undefined,
    isAwaitingAck: (type) => types.get(type)?.unanswered !== undefined,
  };
}

export function flowStateOf<B>(types: ReadonlyMap<XdsType, TypeFlow<B>>, snapshot: Snapshot<B> | undefined): FlowState {
  const waitingForAck = [...types].flatMap(([type, state]) => (state.unanswered ? [{ type, nonce: state.unanswered.nonce, version: state.unanswered.version }] : []));
  return { waitingForAck, held: snapshot ? nextParts(flowView(types, snapshot)).held : [...types.keys()] };
}
