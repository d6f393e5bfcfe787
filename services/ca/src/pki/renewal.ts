import { HOUR_MS, truncateToSecond, type Clock } from './clock.js';

/**
 * When to renew a certificate, as a pure function of the certificate and the clock (the shape of
 * cert-manager's pki.RenewalTime). The default renews bootstrap certificates every 48 hours; with
 * the default lifetime of 4 days, an Engine whose renewal keeps failing still has 2 days to spare.
 */

export const DEFAULT_RENEW_EVERY_MS = 48 * HOUR_MS;
/** Never later than this fraction of the lifetime, whatever renewEvery says (cert-manager's default). */
export const MAX_RENEWAL_FRACTION = 2 / 3;

export interface RenewalPolicy {
  /** Renew this long after notBefore (default 48h). */
  renewEveryMs: number;
  clock: Clock;
}

export interface RenewalDecision {
  /** The renewal time, truncated to the second: timers fire at whole seconds, and a time a few ms
   * before the actual validity boundary would fire early, find nothing due, and reschedule (cf. cert-manager #4399). */
  renewAt: Date;
  /** How long until renewAt from the clock's now (0 when due). */
  dueInMs: number;
  due: boolean;
}

export function renewalTime(cert: { notBefore: Date; notAfter: Date }, policy: RenewalPolicy): RenewalDecision {
  const start = cert.notBefore.getTime();
  const lifetime = cert.notAfter.getTime() - start;
  const offset = Math.min(policy.renewEveryMs, lifetime * MAX_RENEWAL_FRACTION);
  const renewAt = truncateToSecond(new Date(start + Math.max(0, offset)));
  const dueInMs = Math.max(0, renewAt.getTime() - policy.clock.now().getTime());
  return { renewAt, dueInMs, due: dueInMs === 0 };
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** `initial * 2^(attempt-1)`, capped: the delay before retry number `attempt` (1-based) of a failed job. */
export function backoffDelay(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 40));
  return Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
}
