import type { ConditionFact, Gateway, ListenerStatusFact } from '@microgateway/contracts';
import { ConditionType, GatewayReason, ListenerReason } from '@microgateway/contracts';
import { condition, generationOf } from './conditions.js';
import type { ListenerState, Problem } from './listeners.js';
import { listenerUsable } from './listeners.js';

/**
 * Gateway and listener conditions (Gateway API spec, GatewayConditionType / ListenerConditionType).
 * Listener: Accepted, Conflicted, ResolvedRefs, Programmed. Gateway: Accepted (ListenersNotValid
 * when some listeners are not usable — False when none is), Programmed.
 */

function listenerConditions(state: ListenerState, generation: number): ConditionFact[] {
  const notAccepted: Problem | undefined = state.notAccepted ?? state.conflicted;
  const firstUnresolved = state.unresolved[0];
  const usable = listenerUsable(state);
  return [
    notAccepted === undefined
      ? condition(ConditionType.Accepted, true, ListenerReason.Accepted, 'Listener is accepted', generation)
      : condition(ConditionType.Accepted, false, notAccepted.reason, notAccepted.message, generation),
    state.conflicted === undefined
      ? condition(ConditionType.Conflicted, false, ListenerReason.NoConflicts, 'Listener does not conflict with another', generation)
      : condition(ConditionType.Conflicted, true, state.conflicted.reason, state.conflicted.message, generation),
    firstUnresolved === undefined
      ? condition(ConditionType.ResolvedRefs, true, ListenerReason.ResolvedRefs, 'All references are resolved', generation)
      : condition(ConditionType.ResolvedRefs, false, firstUnresolved.reason, state.unresolved.map((p) => p.message).join('; '), generation),
    usable
      ? condition(ConditionType.Programmed, true, ListenerReason.Programmed, 'Listener configuration is rendered', generation)
      : condition(ConditionType.Programmed, false, ListenerReason.Invalid, 'Listener cannot be programmed (see its other conditions)', generation),
  ];
}

export function listenerStatuses(gateway: Gateway, states: readonly ListenerState[]): ListenerStatusFact[] {
  const generation = generationOf(gateway);
  return states.map((state) => ({
    name: state.spec.name,
    supportedKinds: state.supportedKinds,
    attachedRoutes: state.attachedRoutes.size,
    conditions: listenerConditions(state, generation),
  }));
}

/** Gateway conditions; `rejected` is a Gateway-level problem (invalid parameters, a class that is not accepted). */
export function gatewayConditions(gateway: Gateway, states: readonly ListenerState[], rejected: Problem | undefined): ConditionFact[] {
  const generation = generationOf(gateway);
  if (rejected !== undefined) {
    return [
      condition(ConditionType.Accepted, false, rejected.reason, rejected.message, generation),
      condition(ConditionType.Programmed, false, GatewayReason.Invalid, 'Gateway is not accepted', generation),
    ];
  }
  const invalid = states.filter((s) => !listenerUsable(s)).map((s) => s.spec.name);
  const usable = states.length - invalid.length;
  const accepted =
    invalid.length === 0
      ? condition(ConditionType.Accepted, true, GatewayReason.Accepted, 'Gateway is accepted', generation)
      : condition(ConditionType.Accepted, usable > 0, GatewayReason.ListenersNotValid, `listeners not valid: ${invalid.join(', ')}`, generation);
  const programmed =
    usable > 0
      ? condition(ConditionType.Programmed, true, GatewayReason.Programmed, 'Gateway configuration is rendered', generation)
      : condition(ConditionType.Programmed, false, GatewayReason.Invalid, 'Gateway has no valid listener', generation);
  return [accepted, programmed];
}
