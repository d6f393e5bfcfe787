import type { ConditionFact, GatewayClass } from '@microgateway/contracts';
import { ConditionType, GatewayClassReason } from '@microgateway/contracts';
import { mergeConditions } from './conditions.js';
import type { GatewayClassStatusFact } from './facts.js';
import { freshest, generationOf } from './facts.js';

export type GatewayClassStatus = NonNullable<GatewayClass['status']>;

export interface GatewayClassStatusInput {
  /** The GatewayClass's `metadata.generation` as read before this write. */
  generation: number;
  existing: GatewayClassStatus | undefined;
  /** Every Gateway's translation reports its class, so there are many; the newest wins. */
  facts: readonly GatewayClassStatusFact[];
  now: string;
}

/**
 * The GatewayClass's desired `status`: the freshest renderer conclusion about it. The status fact
 * contract carries no `supportedFeatures`, so that field (like any other this merge does not
 * own) is kept as it is.
 */
export function gatewayClassStatus(input: GatewayClassStatusInput): GatewayClassStatus {
  const fact = freshest(input.facts, (f) => generationOf(f.conditions));
  const desired = fact?.conditions ?? waitingForRenderer(input.generation);
  const status: GatewayClassStatus = { ...input.existing, conditions: mergeConditions(input.existing?.conditions, desired, input.now) };
  // The CRD holds at most 64 features, sorted by name (the suite reads them from here).
  if (fact?.supportedFeatures !== undefined) status.supportedFeatures = [...new Set(fact.supportedFeatures)].sort().slice(0, 64).map((name) => ({ name }));
  return status;
}

function waitingForRenderer(generation: number): ConditionFact[] {
  return [{ type: ConditionType.Accepted, status: 'Unknown', reason: GatewayClassReason.Pending, message: 'Waiting for controller', observedGeneration: generation }];
}
