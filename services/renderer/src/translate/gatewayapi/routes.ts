import type { ConditionFact, Gateway, HttpRoute, HttpRouteRule, IrCluster, IrRoute, RouteParentStatusFact } from '@microgateway/contracts';
import { ConditionType, RouteReason } from '@microgateway/contracts';
import type { ResourceIndex } from '../resources.js';
import type { Attachment, ParentResult } from './attach.js';
import { attachParent, refersTo } from './attach.js';
import { condition, generationOf } from './conditions.js';
import type { ListenerState, Problem } from './listeners.js';
import { translateRule } from './rules.js';

/**
 * One HTTPRoute against one Gateway: attachment per parentRef, its rules in IR form, and the
 * conditions of each parent entry (Accepted, ResolvedRefs, PartiallyInvalid).
 */

export interface RouteTranslation {
  route: HttpRoute;
  /** Where the route's IR routes go: listener + hostnames, over every accepted parentRef. */
  attachments: Attachment[];
  routes: IrRoute[];
  clusters: IrCluster[];
  status: { kind: 'HTTPRoute'; namespace: string; name: string; parents: RouteParentStatusFact[] };
}

interface RulesOutcome {
  routes: IrRoute[];
  clusters: IrCluster[];
  unresolved: Problem[];
  dropped: Problem[];
  total: number;
}

/** The API server's default for `spec.rules`: one rule matching every path (without backends: a 500). */
const DEFAULT_RULES: readonly HttpRouteRule[] = [{}];

function translateRules(index: ResourceIndex, route: HttpRoute): RulesOutcome {
  const out: RulesOutcome = { routes: [], clusters: [], unresolved: [], dropped: [], total: 0 };
  const rules = route.spec.rules === undefined || route.spec.rules.length === 0 ? DEFAULT_RULES : route.spec.rules;
  rules.forEach((rule, ruleIndex) => {
    out.total += 1;
    const result = translateRule(index, route, rule, ruleIndex);
    out.unresolved.push(...result.unresolved);
    if (!result.ok) {
      out.dropped.push({ reason: result.problem.reason, message: `rule ${ruleIndex}: ${result.problem.message}` });
      return;
    }
    out.routes.push(...result.routes);
    out.clusters.push(...result.clusters);
  });
  return out;
}

function messages(problems: readonly Problem[]): string {
  return [...new Set(problems.map((p) => p.message))].join('; ');
}

function acceptedCondition(parent: ParentResult, rules: RulesOutcome, generation: number): ConditionFact {
  if (parent.rejected !== undefined) return condition(ConditionType.Accepted, false, parent.rejected.reason, parent.rejected.message, generation);
  const first = rules.dropped[0];
  if (first !== undefined && rules.dropped.length === rules.total) {
    return condition(ConditionType.Accepted, false, first.reason, `no rule can be served: ${messages(rules.dropped)}`, generation);
  }
  return condition(ConditionType.Accepted, true, RouteReason.Accepted, 'Route is accepted', generation);
}

function parentConditions(parent: ParentResult, rules: RulesOutcome, generation: number): ConditionFact[] {
  const accepted = acceptedCondition(parent, rules, generation);
  const firstUnresolved = rules.unresolved[0];
  const resolved =
    firstUnresolved === undefined
      ? condition(ConditionType.ResolvedRefs, true, RouteReason.ResolvedRefs, 'All references are resolved', generation)
      : condition(ConditionType.ResolvedRefs, false, firstUnresolved.reason, messages(rules.unresolved), generation);
  const out = [accepted, resolved];
  const firstDropped = rules.dropped[0];
  if (accepted.status === 'True' && firstDropped !== undefined) {
    // Gateway API v1.2 PartiallyInvalid: some rules were dropped, the others serve.
    out.push(condition(ConditionType.PartiallyInvalid, true, firstDropped.reason, `dropped ${messages(rules.dropped)}`, generation));
  }
  return out;
}

/** One attachment per listener: two parentRefs selecting the same listener must not serve the route twice. */
function mergeAttachments(attachments: readonly Attachment[]): Attachment[] {
  const byListener = new Map<ListenerState, Set<string>>();
  for (const a of attachments) byListener.set(a.listener, new Set([...(byListener.get(a.listener) ?? []), ...a.hostnames]));
  return [...byListener].map(([listener, hostnames]) => ({ listener, hostnames: [...hostnames].sort() }));
}

/** Translates `route` for `gateway`; undefined when no parentRef names the Gateway. */
export function translateRoute(
  index: ResourceIndex,
  gateway: Gateway,
  listeners: readonly ListenerState[],
  route: HttpRoute,
  controllerName: string,
): RouteTranslation | undefined {
  const refs = (route.spec.parentRefs ?? []).filter((ref) => refersTo(route, ref, gateway));
  if (refs.length === 0) return undefined;
  const parents = refs.map((ref) => attachParent(index, gateway, listeners, route, ref));
  const rules = translateRules(index, route);
  const generation = generationOf(route);
  const attachments = mergeAttachments(parents.flatMap((p) => (p.rejected === undefined ? p.attachments : [])));
  const servable = rules.routes.length > 0;
  return {
    route,
    attachments: servable ? attachments : [],
    routes: rules.routes,
    clusters: rules.clusters,
    status: {
      kind: 'HTTPRoute',
      namespace: route.metadata.namespace,
      name: route.metadata.name,
      parents: parents.map((p) => ({ parentRef: p.parentRef, controllerName, conditions: parentConditions(p, rules, generation) })),
    },
  };
}
