import type { Condition, ConditionFact } from '@microgateway/contracts';

/**
 * Merging condition facts into a status object's existing conditions, by the rules Gateway API
 * gives implementors (GatewayStatus.conditions, "Notes for implementors") and the Kubernetes
 * convention for `lastTransitionTime`.
 */

/**
 * `now` as Kubernetes writes a metav1.Time: RFC 3339 in UTC with whole seconds. Writing the same
 * form the API server would return keeps a read-back status equal to the one we wrote.
 */
export function kubeTime(now: string): string {
  const millis = Date.parse(now);
  if (Number.isNaN(millis)) throw new Error(`"${now}" is not an RFC 3339 time`);
  return `${new Date(millis).toISOString().slice(0, 19)}Z`;
}

/**
 * Condition types with a domain prefix (`example.com/Foo`) belong to whoever set them; the spec
 * says a controller MUST NOT remove or change them. Unprefixed types are the Gateway API's own,
 * which on our objects only we set — so an unprefixed type no fact mentions any more is dropped.
 */
export function isForeignConditionType(type: string): boolean {
  return type.includes('/');
}

/**
 * The conditions to write: every desired fact, stamped with a `lastTransitionTime` that changes
 * only when the condition's `status` does (a new reason or message alone is not a transition),
 * followed by the foreign conditions of `existing` in their order.
 *
 * A fact older than the condition already written (lower `observedGeneration`) does not replace
 * it: the spec says the writer's view is stale then and it must wait for a later reconciliation.
 */
export function mergeConditions(existing: readonly Condition[] | undefined, desired: readonly ConditionFact[], now: string): Condition[] {
  const current = new Map((existing ?? []).map((c) => [c.type, c]));
  const stamp = kubeTime(now);
  const merged = desired.map((fact) => mergeOne(current.get(fact.type), fact, stamp));
  const desiredTypes = new Set(desired.map((fact) => fact.type));
  const foreign = (existing ?? []).filter((c) => isForeignConditionType(c.type) && !desiredTypes.has(c.type));
  return [...merged, ...foreign];
}

function mergeOne(existing: Condition | undefined, fact: ConditionFact, stamp: string): Condition {
  if (existing === undefined) return { ...fact, lastTransitionTime: stamp };
  if ((existing.observedGeneration ?? 0) > fact.observedGeneration) return existing;
  return { ...fact, lastTransitionTime: existing.status === fact.status ? existing.lastTransitionTime : stamp };
}
