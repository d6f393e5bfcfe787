import type { HttpRouteRule, IrTimeouts } from '@microgateway/contracts';
import { RouteReason } from '@microgateway/contracts';
import type { Problem } from './listeners.js';

/**
 * Rule timeouts (Gateway API spec, HTTPRouteTimeouts, GEP-2257 durations): `request` bounds the
 * whole request, `backendRequest` one attempt to the backend and must not exceed `request`;
 * `0s` disables a timeout.
 */

const DURATION = /^(?:[0-9]{1,5}(?:h|ms|m|s)){1,4}$/;
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Milliseconds of a GEP-2257 duration, or undefined when it is not one. */
export function parseDuration(value: string): number | undefined {
  if (!DURATION.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/([0-9]+)(h|ms|m|s)/g)) total += Number(amount) * (UNIT_MS[unit ?? ''] ?? 0);
  return total;
}

/** Envoy's JSON form of a protobuf Duration: seconds with up to 3 decimals, e.g. `1.500s`. */
export function envoyDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const rest = ms % 1000;
  return rest === 0 ? `${seconds}s` : `${seconds}.${String(rest).padStart(3, '0')}s`;
}

export function convertTimeouts(timeouts: HttpRouteRule['timeouts']): IrTimeouts | Problem | undefined {
  if (timeouts === undefined) return undefined;
  const out: IrTimeouts = {};
  const parsed: Partial<Record<'request' | 'backendRequest', number>> = {};
  for (const field of ['request', 'backendRequest'] as const) {
    const value = timeouts[field];
    if (value === undefined) continue;
    const ms = parseDuration(value);
    if (ms === undefined) return { reason: RouteReason.UnsupportedValue, message: `timeouts.${field} ${JSON.stringify(value)} is not a valid duration` };
    parsed[field] = ms;
    out[field] = envoyDuration(ms);
  }
  const { request, backendRequest } = parsed;
  if (request !== undefined && request !== 0 && backendRequest !== undefined && (backendRequest === 0 || backendRequest > request)) {
    return { reason: RouteReason.UnsupportedValue, message: 'timeouts.backendRequest must not be longer than timeouts.request' };
  }
  return out;
}
