import type { IrRoute } from '@microgateway/contracts';
import { compareStrings } from '../order.js';

/**
 * Route precedence (Gateway API spec, HTTPRouteRule `matches`). Envoy takes the first route that
 * matches, so routes are sorted so that the one the spec prefers comes first:
 *
 * 1. an Exact path match, then RegularExpression (implementation-specific, like Envoy Gateway),
 *    then PathPrefix;
 * 2. the longer path (for PathPrefix the spec's "largest number of characters");
 * 3. a method match;
 * 4. more header matches;
 * 5. more query parameter matches;
 * then, across routes, the oldest route (creationTimestamp), then `<namespace>/<name>`
 * alphabetically; within a route, rule order, then match order.
 */

const PATH_RANK = { Exact: 0, RegularExpression: 1, PathPrefix: 2 } as const;

function specificity(a: IrRoute, b: IrRoute): number {
  return (
    PATH_RANK[a.match.path.type] - PATH_RANK[b.match.path.type] ||
    b.match.path.value.length - a.match.path.value.length ||
    Number(b.match.method !== undefined) - Number(a.match.method !== undefined) ||
    b.match.headers.length - a.match.headers.length ||
    b.match.queryParams.length - a.match.queryParams.length
  );
}

function tieBreak(a: IrRoute, b: IrRoute): number {
  const x = a.source;
  const y = b.source;
  return (
    compareStrings(x.creationTimestamp, y.creationTimestamp) ||
    compareStrings(`${x.namespace}/${x.name}`, `${y.namespace}/${y.name}`) ||
    x.ruleIndex - y.ruleIndex ||
    x.matchIndex - y.matchIndex
  );
}

/** Comparator for Array.prototype.sort: negative when `a` takes precedence over `b`. */
export function compareRoutePrecedence(a: IrRoute, b: IrRoute): number {
  return specificity(a, b) || tieBreak(a, b);
}

/** A sorted copy. */
export function sortByPrecedence(routes: readonly IrRoute[]): IrRoute[] {
  return [...routes].sort(compareRoutePrecedence);
}
