import type { HttpRouteFilter, IrHeaderModifier } from '@microgateway/contracts';
import { HttpRouteFilterType, RouteReason } from '@microgateway/contracts';
import { convertHeaderModifier } from './filters/header-modifier.js';
import type { Problem } from './listeners.js';

/**
 * Filters on one backendRef (Gateway API spec, HTTPBackendRef `filters`, Extended): they apply only
 * to requests sent to that backend. The header modifiers are supported (Envoy applies them per
 * weighted cluster); any other type makes the rule UnsupportedValue.
 */

export interface BackendHeaders {
  requestHeaders?: IrHeaderModifier;
  responseHeaders?: IrHeaderModifier;
}

export function backendHeaders(filters: readonly HttpRouteFilter[]): BackendHeaders | Problem {
  const out: BackendHeaders = {};
  for (const filter of filters) {
    const request = filter.type === HttpRouteFilterType.RequestHeaderModifier;
    const response = filter.type === HttpRouteFilterType.ResponseHeaderModifier;
    const modifier = request ? filter.requestHeaderModifier : response ? filter.responseHeaderModifier : undefined;
    if (modifier === undefined) return { reason: RouteReason.UnsupportedValue, message: `filter ${filter.type} on a backendRef is not supported` };
    const key = request ? 'requestHeaders' : 'responseHeaders';
    if (out[key] !== undefined) return { reason: RouteReason.UnsupportedValue, message: `filter ${filter.type} appears more than once on a backendRef` };
    const converted = convertHeaderModifier(modifier);
    if ('reason' in converted) return converted;
    out[key] = converted;
  }
  return out;
}
