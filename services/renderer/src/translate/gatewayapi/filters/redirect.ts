import type { IrRedirect } from '@microgateway/contracts';
import { RouteReason } from '@microgateway/contracts';
import { convertPathModifier } from './path-modifier.js';
import type { FilterHandler } from './types.js';

/**
 * RequestRedirect (Gateway API spec, HTTPRequestRedirectFilter): answer with a redirect instead of
 * forwarding. Unset fields keep the request's values; status 302 by default. The port is left
 * unset here when the user did not give one: it depends on the listener (see xds/route.ts).
 * It cannot be combined with URLRewrite (IncompatibleFilters).
 */

const STATUS_CODES = new Set([301, 302, 303, 307, 308]);
const SCHEMES = new Set(['http', 'https']);

export const requestRedirect: FilterHandler = (filter, build) => {
  const spec = filter.requestRedirect;
  if (spec === undefined) return { reason: RouteReason.UnsupportedValue, message: 'filter RequestRedirect has no configuration' };
  if (build.rewrite !== undefined) return { reason: RouteReason.IncompatibleFilters, message: 'RequestRedirect and URLRewrite cannot be used in one rule' };
  const statusCode = spec.statusCode ?? 302;
  if (!STATUS_CODES.has(statusCode)) return { reason: RouteReason.UnsupportedValue, message: `redirect status code ${statusCode} is not supported` };
  const redirect: IrRedirect = { kind: 'redirect', statusCode };
  if (spec.scheme !== undefined) {
    if (!SCHEMES.has(spec.scheme)) return { reason: RouteReason.UnsupportedValue, message: `redirect scheme ${spec.scheme} is not supported` };
    redirect.scheme = spec.scheme;
  }
  if (spec.port !== undefined) redirect.port = spec.port;
  if (spec.hostname !== undefined) redirect.hostname = spec.hostname;
  if (spec.path !== undefined) {
    const path = convertPathModifier(spec.path, build.matches);
    if ('reason' in path) return path;
    redirect.path = path;
  }
  build.redirect = redirect;
  return undefined;
};
