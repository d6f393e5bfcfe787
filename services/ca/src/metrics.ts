import type { ServiceMetrics } from '@microgateway/runtime';
import { Histogram, type Counter, type Gauge } from 'prom-client';

/** Upper bounds (hours) of the time-to-expiry buckets of mgw_certificates_expiring. */
export const EXPIRY_BUCKETS_HOURS = [1, 6, 24, 48, 96, 168] as const;

export interface CaMetrics {
  /** action: issue | renew | repair; kind: bootstrap | serving. */
  issued: Counter<'kind' | 'action'>;
  failures: Counter<'kind' | 'reason'>;
  jobs: Counter<'reason' | 'outcome'>;
  eventFailures: Counter;
  /** From the job's request (or the renewal timer) to the Secret written. */
  issuanceSeconds: Histogram<'kind' | 'action'>;
  /** Certificates by time to expiry (cumulative buckets, like a histogram's `le`). */
  expiring: Gauge<'within_hours'>;
}

export function createCaMetrics(metrics: ServiceMetrics): CaMetrics {
  return {
    issued: metrics.counter('certificates_issued_total', 'Certificates issued, by kind and action (issue, renew, repair).', ['kind', 'action']),
    failures: metrics.counter('certificate_failures_total', 'Failed issuance attempts, by kind and reason.', ['kind', 'reason']),
    jobs: metrics.counter('cert_jobs_total', 'Cert jobs handled, by reason and outcome.', ['reason', 'outcome']),
    eventFailures: metrics.counter('certificate_event_failures_total', 'Certificate events that could not be published.'),
    issuanceSeconds: new Histogram({
      name: 'mgw_certificate_issuance_seconds',
      help: 'Latency from a cert job being requested to its Secret being written.',
      labelNames: ['kind', 'action'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [metrics.registry],
    }),
    expiring: metrics.gauge('certificates_expiring', 'Bootstrap certificates that expire within the given number of hours (cumulative; +Inf = all).', [
      'within_hours',
    ]),
  };
}

/** Fills the time-to-expiry gauge from the notAfter of every known certificate. */
export function recordExpiries(gauge: Gauge<'within_hours'>, notAfters: Iterable<Date>, now: Date): void {
  const hoursLeft = [...notAfters].map((notAfter) => (notAfter.getTime() - now.getTime()) / 3_600_000);
  for (const bound of EXPIRY_BUCKETS_HOURS) gauge.set({ within_hours: String(bound) }, hoursLeft.filter((h) => h <= bound).length);
  gauge.set({ within_hours: '+Inf' }, hoursLeft.length);
}
