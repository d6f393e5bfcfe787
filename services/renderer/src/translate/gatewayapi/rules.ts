import type { HttpBackendRef, HttpRoute, HttpRouteRule, IrAction, IrCluster, IrRoute, IrWeightedCluster } from '@microgateway/contracts';
import { canonicalJson, RouteReason } from '@microgateway/contracts';
import type { ResourceIndex } from '../resources.js';
import type { BackendHeaders } from './backend-filters.js';
import { backendHeaders } from './backend-filters.js';
import { resolveBackend } from './backends.js';
import { applyFilters } from './filters/index.js';
import type { RuleBuild } from './filters/index.js';
import type { Problem } from './listeners.js';
import { DEFAULT_MATCH, convertMatch } from './matches.js';
import { convertTimeouts } from './timeouts.js';
import { compareStrings } from '../order.js';

/**
 * One HTTPRoute rule → IR routes (one per match). A rule that cannot be served (unsupported value,
 * incompatible filters) is dropped and reported; unresolved references keep the rule, answering
 * 500 for the share of traffic they would have received (spec, HTTPBackendRef).
 */

export type RuleResult =
  | { ok: true; routes: IrRoute[]; clusters: IrCluster[]; unresolved: Problem[] }
  | { ok: false; problem: Problem; unresolved: Problem[] };

/** The rule's backendRefs with their per-backend header filters, or why one cannot be served. */
function backendsWithHeaders(rule: HttpRouteRule): { ref: HttpBackendRef; headers: BackendHeaders }[] | Problem {
  const out: { ref: HttpBackendRef; headers: BackendHeaders }[] = [];
  for (const ref of rule.backendRefs ?? []) {
    const headers = backendHeaders(ref.filters ?? []);
    if ('reason' in headers) return headers;
    out.push({ ref, headers });
  }
  return out;
}

function forwardAction(backends: readonly { ref: HttpBackendRef; headers: BackendHeaders }[], build: RuleBuild): IrAction {
  let invalidWeight = 0;
  const entries = new Map<string, IrWeightedCluster>();
  for (const { ref, headers } of backends) {
    const weight = ref.weight ?? 1;
    const resolved = resolveBackend(build.index, build.route, ref);
    if (!resolved.ok) {
      build.unresolved.push(resolved.problem);
      invalidWeight += weight;
      continue;
    }
    if (weight === 0) continue;
    build.clusters.push(resolved.cluster);
    // Refs to one Service port with the same filters are one entry with their weights summed.
    const key = `${resolved.cluster.name} ${canonicalJson(headers)}`;
    const entry = entries.get(key) ?? { cluster: resolved.cluster.name, weight: 0, ...headers };
    entry.weight += weight;
    entries.set(key, entry);
  }
  const sorted = [...entries].sort(([a], [b]) => compareStrings(a, b)).map(([, entry]) => entry);
  // Nothing to forward to (no backendRefs, all invalid, or all weights 0): the spec asks for a 500.
  if (sorted.length === 0) return { kind: 'direct', status: 500 };
  const action: IrAction = { kind: 'forward', backends: sorted, invalidWeight };
  if (build.rewrite !== undefined) action.rewrite = build.rewrite;
  return action;
}

function invalid(problem: Problem, build: RuleBuild): RuleResult {
  return { ok: false, problem, unresolved: build.unresolved };
}

export function translateRule(index: ResourceIndex, route: HttpRoute, rule: HttpRouteRule, ruleIndex: number): RuleResult {
  const build: RuleBuild = { index, route, ruleIndex, matches: [], mirrors: [], clusters: [], unresolved: [] };
  const matches = rule.matches === undefined || rule.matches.length === 0 ? [DEFAULT_MATCH] : rule.matches;
  for (const match of matches) {
    const converted = convertMatch(match);
    if (!converted.ok) return invalid({ reason: RouteReason.UnsupportedValue, message: converted.message }, build);
    build.matches.push(converted.value);
  }
  const filterProblem = applyFilters(rule.filters ?? [], build);
  if (filterProblem !== undefined) return invalid(filterProblem, build);
  const backends = backendsWithHeaders(rule);
  if ('reason' in backends) return invalid(backends, build);
  const timeouts = convertTimeouts(rule.timeouts);
  if (timeouts !== undefined && 'reason' in timeouts) return invalid(timeouts, build);
  const action: IrAction = build.directStatus !== undefined ? { kind: 'direct', status: build.directStatus } : (build.redirect ?? forwardAction(backends, build));
  const routes = build.matches.map((match, matchIndex): IrRoute => {
    const ir: IrRoute = {
      name: `httproute/${route.metadata.namespace}/${route.metadata.name}/rule/${ruleIndex}/match/${matchIndex}`,
      source: { namespace: route.metadata.namespace, name: route.metadata.name, creationTimestamp: route.metadata.creationTimestamp ?? '', ruleIndex, matchIndex },
      match,
      action,
      mirrors: action.kind === 'forward' ? build.mirrors : [],
    };
    if (build.requestHeaders !== undefined) ir.requestHeaders = build.requestHeaders;
    if (build.responseHeaders !== undefined) ir.responseHeaders = build.responseHeaders;
    if (timeouts !== undefined && action.kind === 'forward') ir.timeouts = timeouts;
    return ir;
  });
  return { ok: true, routes, clusters: build.clusters, unresolved: build.unresolved };
}
