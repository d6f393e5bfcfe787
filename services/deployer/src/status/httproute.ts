import type { HttpRoute, ParentReference, RouteParentStatusFact } from '@microgateway/contracts';
import { mergeConditions } from './conditions.js';
import type { HttpRouteStatusFact } from './facts.js';
import { freshest, generationOf } from './facts.js';

export type HttpRouteStatus = NonNullable<HttpRoute['status']>;
type RouteParentStatus = HttpRouteStatus['parents'][number];

/** RouteStatus.parents holds at most 32 entries (the CRD's MaxItems). */
export const MAX_ROUTE_PARENTS = 32;

/** The defaults the API server fills into a ParentReference (group, kind). */
const GATEWAY_GROUP = 'gateway.networking.k8s.io';
const GATEWAY_KIND = 'Gateway';

export interface HttpRouteStatusInput {
  existing: HttpRouteStatus | undefined;
  /** Facts about this route from every reporter (one per Gateway translation that saw it). */
  facts: readonly HttpRouteStatusFact[];
  /** This instance's controllerName: the entries of `status.parents` it owns. */
  controllerName: string;
  now: string;
}

/**
 * The route's desired `status.parents`. Parent status is shared between implementations and
 * namespaced by (parentRef, controllerName): entries of other controllers stay untouched and first,
 * in their order; ours are exactly those our facts report now (an entry whose Gateway no longer
 * reports it is dropped), sorted by parentRef.
 */
export function httpRouteStatus(input: HttpRouteStatusInput): HttpRouteStatus {
  const existingParents = input.existing?.parents ?? [];
  const others = existingParents.filter((p) => p.controllerName !== input.controllerName);
  const previous = new Map(existingParents.filter((p) => p.controllerName === input.controllerName).map((p) => [parentKey(p.parentRef), p]));
  const ours = reportedParents(input.facts, input.controllerName).map(([key, fact]) => ({
    parentRef: withDefaults(fact.parentRef),
    controllerName: input.controllerName,
    conditions: mergeConditions(previous.get(key)?.conditions, fact.conditions, input.now),
  }));
  // When the list is full, other controllers' entries are never the ones pushed out.
  const parents: RouteParentStatus[] = [...others, ...ours].slice(0, Math.max(MAX_ROUTE_PARENTS, others.length));
  return { ...input.existing, parents };
}

/** Our parent facts, one per parentRef (the freshest when reporters overlap), sorted by key. */
function reportedParents(facts: readonly HttpRouteStatusFact[], controllerName: string): [string, RouteParentStatusFact][] {
  const byKey = new Map<string, RouteParentStatusFact[]>();
  for (const parent of facts.flatMap((f) => f.parents)) {
    if (parent.controllerName !== controllerName) continue;
    const key = parentKey(parent.parentRef);
    byKey.set(key, [...(byKey.get(key) ?? []), parent]);
  }
  const chosen: [string, RouteParentStatusFact][] = [];
  for (const [key, candidates] of byKey) {
    const best = freshest(candidates, (p) => generationOf(p.conditions));
    if (best !== undefined) chosen.push([key, best]);
  }
  return chosen.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function withDefaults(ref: ParentReference): ParentReference {
  const { group, kind, ...rest } = ref;
  return { group: group ?? GATEWAY_GROUP, kind: kind ?? GATEWAY_KIND, ...rest };
}

/** The identity of a parentRef, with the API server's defaults applied so both spellings match. */
export function parentKey(ref: ParentReference): string {
  const full = withDefaults(ref);
  return JSON.stringify([full.namespace ?? '', full.name, full.sectionName ?? '', full.port ?? 0, full.group, full.kind]);
}
