import type { Condition, ConditionFact, GatewayStatus, ListenerStatusFact } from '@microgateway/contracts';
import { ConditionType, GatewayReason, ListenerReason } from '@microgateway/contracts';
import { gatewayAddresses, MAX_GATEWAY_ADDRESSES } from './addresses.js';
import { mergeConditions } from './conditions.js';
import type { GatewayStatusFact } from './facts.js';
import { freshest, generationOf } from './facts.js';
import type { EngineObservation, XdsOutcome } from './inputs.js';
import type { ProgrammedVerdict } from './programmed.js';
import { engineVerdict } from './programmed.js';

export interface GatewayStatusInput {
  /** The Gateway's `metadata.generation` as read before this write. */
  generation: number;
  /** The Gateway's current `status`. */
  existing: GatewayStatus | undefined;
  /** The renderer's facts about this Gateway (one per reporter; normally exactly one). */
  rendererFacts: readonly GatewayStatusFact[];
  xds?: XdsOutcome | undefined;
  /** Undefined until the deployer has created anything for the Gateway. */
  engine?: EngineObservation | undefined;
  /** The config version the renderer published last (its xDS manifest), when known. */
  renderedVersion?: string | undefined;
  /** RFC 3339; the `lastTransitionTime` of conditions whose status changes now. */
  now: string;
}

/**
 * The Gateway's desired `status`: the renderer's conditions and listeners, with `Programmed`
 * (Gateway and listeners) narrowed by what the Engine actually does, and `addresses` from its
 * Service. Status fields this merge does not own are kept as they are.
 */
export function gatewayStatus(input: GatewayStatusInput): GatewayStatus {
  const { conditions: _conditions, listeners: _listeners, addresses: _addresses, ...unowned } = input.existing ?? {};
  const addresses = gatewayAddresses(input.engine?.service).slice(0, MAX_GATEWAY_ADDRESSES);
  const fact = freshest(input.rendererFacts, factGeneration);
  const status: GatewayStatus = { ...unowned };
  if (fact === undefined) {
    // Nothing rendered yet: say so, as the CRD's default status does, and leave listeners alone.
    status.conditions = mergeConditions(input.existing?.conditions, waitingForRenderer(input.generation), input.now);
    if (input.existing?.listeners !== undefined) status.listeners = input.existing.listeners;
  } else {
    const verdict = engineVerdict({ xds: input.xds, engine: input.engine, renderedVersion: input.renderedVersion, addresses });
    status.conditions = mergeConditions(input.existing?.conditions, gatewayConditions(fact.conditions, verdict), input.now);
    const listeners = fact.listeners.map((listener) => listenerStatus(listener, verdict, input));
    if (listeners.length > 0) status.listeners = listeners;
  }
  if (addresses.length > 0) status.addresses = addresses;
  return status;
}

function factGeneration(fact: GatewayStatusFact): number {
  return Math.max(generationOf(fact.conditions), ...fact.listeners.map((l) => generationOf(l.conditions)));
}

function waitingForRenderer(generation: number): ConditionFact[] {
  const pending = { status: 'Unknown', reason: GatewayReason.Pending, message: 'Waiting for controller', observedGeneration: generation } as const;
  return [
    { type: ConditionType.Accepted, ...pending },
    { type: ConditionType.Programmed, ...pending },
  ];
}

/** The renderer's Gateway conditions with its `Programmed=True` replaced by the Engine's verdict. */
function gatewayConditions(facts: readonly ConditionFact[], verdict: ProgrammedVerdict): ConditionFact[] {
  const rendered = facts.find((c) => c.type === ConditionType.Programmed);
  if (rendered === undefined) {
    const observedGeneration = generationOf(facts);
    return [...facts, { type: ConditionType.Programmed, status: 'Unknown', reason: GatewayReason.Pending, message: 'Waiting for controller', observedGeneration }];
  }
  // The renderer's False (Invalid, not accepted) stands: nothing the Engine does can fix it.
  if (rendered.status !== 'True') return [...facts];
  return facts.map((c) => (c === rendered ? { ...c, ...verdict } : c));
}

function listenerStatus(listener: ListenerStatusFact, verdict: ProgrammedVerdict, input: GatewayStatusInput): ListenerStatus {
  const existing = input.existing?.listeners?.find((l) => l.name === listener.name);
  const conditions = listener.conditions.map((c) => (c.type === ConditionType.Programmed && c.status === 'True' ? listenerProgrammed(c, verdict) : c));
  return {
    name: listener.name,
    supportedKinds: listener.supportedKinds,
    attachedRoutes: listener.attachedRoutes,
    conditions: mergeConditions(existing?.conditions, conditions, input.now),
  };
}

type ListenerStatus = NonNullable<GatewayStatus['listeners']>[number] & { conditions: Condition[] };

/** A listener the renderer programmed is programmed exactly when its Gateway is. */
function listenerProgrammed(rendered: ConditionFact, verdict: ProgrammedVerdict): ConditionFact {
  if (verdict.status === 'True') return { ...rendered, reason: ListenerReason.Programmed, message: 'the Engine serves the listener' };
  // Listener reasons have no AddressNotAssigned: anything but a rejected config is still pending.
  const reason = verdict.reason === GatewayReason.Invalid ? ListenerReason.Invalid : ListenerReason.Pending;
  return { ...rendered, status: verdict.status, reason, message: verdict.message };
}
