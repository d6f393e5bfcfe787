import type { HttpRouteFilter } from '@microgateway/contracts';
import { HttpRouteFilterType, RouteReason } from '@microgateway/contracts';
import type { Problem } from '../listeners.js';
import { requestHeaderModifier, responseHeaderModifier } from './header-modifier.js';
import { requestMirror } from './mirror.js';
import { requestRedirect } from './redirect.js';
import { urlRewrite } from './rewrite.js';
import type { FilterHandler, RuleBuild } from './types.js';

export type { RuleBuild } from './types.js';

/** Every supported filter type: adding one means one file and one line here. */
const HANDLERS: Readonly<Record<string, FilterHandler>> = {
  [HttpRouteFilterType.RequestHeaderModifier]: requestHeaderModifier,
  [HttpRouteFilterType.ResponseHeaderModifier]: responseHeaderModifier,
  [HttpRouteFilterType.RequestRedirect]: requestRedirect,
  [HttpRouteFilterType.URLRewrite]: urlRewrite,
  [HttpRouteFilterType.RequestMirror]: requestMirror,
};

/** Filter types that may appear more than once in a rule (spec, HTTPRouteRule `filters`). */
const REPEATABLE = new Set<string>([HttpRouteFilterType.RequestMirror, HttpRouteFilterType.ExtensionRef]);

/**
 * ExtensionRef filters name a custom resource Microgateway does not know. The spec forbids skipping
 * such a filter: the requests it would have processed get a 500, and ResolvedRefs is False.
 */
function extensionRef(filter: HttpRouteFilter, build: RuleBuild): undefined {
  const ref = filter.extensionRef;
  const what = ref === undefined ? 'an ExtensionRef filter without extensionRef' : `ExtensionRef ${ref.group}/${ref.kind} ${ref.name}`;
  build.unresolved.push({ reason: RouteReason.InvalidKind, message: `${what} is not supported; the rule answers 500` });
  build.directStatus = 500;
  return undefined;
}

/** Applies a rule's filters in order; returns why the rule cannot be served, if it cannot. */
export function applyFilters(filters: readonly HttpRouteFilter[], build: RuleBuild): Problem | undefined {
  const seen = new Set<string>();
  for (const filter of filters) {
    if (seen.has(filter.type) && !REPEATABLE.has(filter.type)) {
      return { reason: RouteReason.UnsupportedValue, message: `filter ${filter.type} appears more than once in the rule` };
    }
    seen.add(filter.type);
    if (filter.type === HttpRouteFilterType.ExtensionRef) {
      extensionRef(filter, build);
      continue;
    }
    const handler = HANDLERS[filter.type];
    if (handler === undefined) return { reason: RouteReason.UnsupportedValue, message: `filter type ${filter.type} is not supported` };
    const problem = handler(filter, build);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
