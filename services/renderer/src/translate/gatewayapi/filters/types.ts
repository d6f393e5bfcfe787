import type { HttpRoute, HttpRouteFilter, IrCluster, IrHeaderModifier, IrMatch, IrMirror, IrPathModifier, IrRedirect } from '@microgateway/contracts';
import type { ResourceIndex } from '../../resources.js';
import type { Problem } from '../listeners.js';

/** What a rule becomes while its filters are applied, one filter at a time. */
export interface RuleBuild {
  index: ResourceIndex;
  route: HttpRoute;
  ruleIndex: number;
  matches: IrMatch[];
  requestHeaders?: IrHeaderModifier;
  responseHeaders?: IrHeaderModifier;
  redirect?: IrRedirect;
  rewrite?: { hostname?: string; path?: IrPathModifier };
  mirrors: IrMirror[];
  /** Clusters the rule uses (backends and mirrors). */
  clusters: IrCluster[];
  /** Unresolved references: ResolvedRefs=False on the route, the rule still serves. */
  unresolved: Problem[];
  /** Set when the rule must answer with a fixed status (an unresolvable ExtensionRef filter). */
  directStatus?: number;
}

/**
 * One filter type: applies `filter` to the rule, or returns why the rule cannot be served
 * (the rule is then dropped and the route reports it; its sibling rules still serve).
 */
export type FilterHandler = (filter: HttpRouteFilter, build: RuleBuild) => Problem | undefined;
