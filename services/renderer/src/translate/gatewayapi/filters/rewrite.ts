import { RouteReason } from '@microgateway/contracts';
import { convertPathModifier } from './path-modifier.js';
import type { FilterHandler } from './types.js';

/**
 * URLRewrite (Gateway API spec, HTTPURLRewriteFilter): rewrite the Host header and/or the path
 * before forwarding. It cannot be combined with RequestRedirect (IncompatibleFilters).
 */
export const urlRewrite: FilterHandler = (filter, build) => {
  const spec = filter.urlRewrite;
  if (spec === undefined) return { reason: RouteReason.UnsupportedValue, message: 'filter URLRewrite has no configuration' };
  if (build.redirect !== undefined) return { reason: RouteReason.IncompatibleFilters, message: 'RequestRedirect and URLRewrite cannot be used in one rule' };
  const rewrite: NonNullable<typeof build.rewrite> = {};
  if (spec.hostname !== undefined) rewrite.hostname = spec.hostname;
  if (spec.path !== undefined) {
    const path = convertPathModifier(spec.path, build.matches);
    if ('reason' in path) return path;
    rewrite.path = path;
  }
  build.rewrite = rewrite;
  return undefined;
};
