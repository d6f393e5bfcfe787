import type { HttpRouteFilter, IrHeaderModifier } from '@microgateway/contracts';
import { HttpRouteFilterType, RouteReason } from '@microgateway/contracts';
import type { Problem } from '../listeners.js';
import type { FilterHandler } from './types.js';

/**
 * RequestHeaderModifier and ResponseHeaderModifier (Gateway API spec, HTTPHeaderFilter): `set`
 * replaces, `add` appends, `remove` deletes. Header names are case-insensitive; a name may appear
 * once across set/add (the API's validation), pseudo-headers and `host` cannot be modified.
 */

const FORBIDDEN = /^(:|host$)/i;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/** The IR form of a header modifier, or why it cannot be applied. */
export function convertHeaderModifier(modifier: NonNullable<HttpRouteFilter['requestHeaderModifier']>): IrHeaderModifier | Problem {
  const all = [...(modifier.set ?? []).map((h) => h.name), ...(modifier.add ?? []).map((h) => h.name), ...(modifier.remove ?? [])];
  const bad = all.find((name) => FORBIDDEN.test(name) || !HEADER_NAME.test(name));
  if (bad !== undefined) return { reason: RouteReason.UnsupportedValue, message: `header ${JSON.stringify(bad)} cannot be modified` };
  const badValue = [...(modifier.set ?? []), ...(modifier.add ?? [])].find((h) => /[\r\n\0]/.test(h.value));
  if (badValue !== undefined) return { reason: RouteReason.UnsupportedValue, message: `header ${badValue.name} has a value with a line break or NUL` };
  const lower = (h: { name: string; value: string }): { name: string; value: string } => ({ name: h.name.toLowerCase(), value: h.value });
  return {
    set: (modifier.set ?? []).map(lower),
    add: (modifier.add ?? []).map(lower),
    remove: (modifier.remove ?? []).map((n) => n.toLowerCase()),
  };
}

function handler(direction: 'request' | 'response'): FilterHandler {
  return (filter, build) => {
    const modifier = direction === 'request' ? filter.requestHeaderModifier : filter.responseHeaderModifier;
    const type = direction === 'request' ? HttpRouteFilterType.RequestHeaderModifier : HttpRouteFilterType.ResponseHeaderModifier;
    if (modifier === undefined) return { reason: RouteReason.UnsupportedValue, message: `filter ${type} has no configuration` };
    const converted = convertHeaderModifier(modifier);
    if ('reason' in converted) return converted;
    if (direction === 'request') build.requestHeaders = converted;
    else build.responseHeaders = converted;
    return undefined;
  };
}

export const requestHeaderModifier: FilterHandler = handler('request');
export const responseHeaderModifier: FilterHandler = handler('response');
