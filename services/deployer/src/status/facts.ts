import type { ConditionFact, StatusFact } from '@microgateway/contracts';
import { canonicalJson } from '@microgateway/contracts';

export type GatewayClassStatusFact = Extract<StatusFact, { kind: 'GatewayClass' }>;
export type GatewayStatusFact = Extract<StatusFact, { kind: 'Gateway' }>;
export type HttpRouteStatusFact = Extract<StatusFact, { kind: 'HTTPRoute' }>;

/** The highest generation any of `conditions` was concluded from (0 when there are none). */
export function generationOf(conditions: readonly ConditionFact[]): number {
  return conditions.reduce((max, c) => Math.max(max, c.observedGeneration), 0);
}

/**
 * The one fact to trust when several reporters speak about the same thing (e.g. every Gateway's
 * translation reports its GatewayClass): the one from the newest generation. Equal generations
 * are broken by canonical JSON so the choice never depends on the order facts were read in.
 */
export function freshest<T>(facts: readonly T[], generation: (fact: T) => number): T | undefined {
  let best: T | undefined;
  let bestKey = '';
  for (const fact of facts) {
    const key = canonicalJson(fact);
    const better = best === undefined || generation(fact) > generation(best) || (generation(fact) === generation(best) && key < bestKey);
    if (better) {
      best = fact;
      bestKey = key;
    }
  }
  return best;
}
