import type { ServiceMetrics } from '@microgateway/runtime';
import { METRIC_PREFIX } from '@microgateway/runtime';
import type { Counter, Gauge } from 'prom-client';
import { Histogram } from 'prom-client';

export interface RendererMetrics {
  /** Renders by result: written, unchanged, stale, conflict, failed. */
  renders: Counter<'result'>;
  renderSeconds: Histogram;
  /** Job outcomes: ack, retry (nak), drop (term), invalid. */
  jobs: Counter<'outcome'>;
  enqueued: Counter<'result'>;
  redelivered: Counter;
  cacheObjects: Gauge;
  invalidValues: Counter<'bucket'>;
  eventFailures: Counter;
}

export function createRendererMetrics(metrics: ServiceMetrics): RendererMetrics {
  return {
    renders: metrics.counter('renderer_renders_total', 'Render jobs this replica rendered, by result (written, unchanged, stale, conflict, failed).', ['result']),
    renderSeconds: new Histogram({
      name: `${METRIC_PREFIX}renderer_render_duration_seconds`,
      help: 'Time to render one Gateway: translation, diff and KV writes.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics.registry],
    }),
    jobs: metrics.counter('renderer_jobs_total', 'Render jobs by outcome: ack, retry (nak with delay), drop (term), invalid (payload breaks the contract).', ['outcome']),
    enqueued: metrics.counter('renderer_jobs_enqueued_total', 'Render jobs published, by result (new, duplicate: another replica enqueued the same change).', ['result']),
    redelivered: metrics.counter('renderer_jobs_redelivered_total', 'Render jobs delivered more than once (retried, or held by a replica that died or overran ackWait).'),
    cacheObjects: metrics.gauge('renderer_cache_objects', 'Objects in the resources cache (resources and secrets buckets).'),
    invalidValues: metrics.counter('renderer_invalid_values_total', 'KV values that failed their contract (reported; the cache keeps the last good object).', ['bucket']),
    eventFailures: metrics.counter('renderer_event_publish_failures_total', 'config.rendered events that could not be published.'),
  };
}
