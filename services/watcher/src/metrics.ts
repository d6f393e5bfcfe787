import { Histogram } from 'prom-client';
import type { Counter, Gauge } from 'prom-client';
import { METRIC_PREFIX } from '@microgateway/runtime';
import type { ServiceMetrics } from '@microgateway/runtime';

export interface WatcherMetrics {
  mirrored: Counter<'kind' | 'operation'>;
  watchRestarts: Counter<'kind' | 'reason'>;
  suppressed: Counter<'kind'>;
  conflicts: Counter;
  lag: Histogram;
  leader: Gauge;
  cached: Gauge<'kind'>;
}

export function createWatcherMetrics(metrics: ServiceMetrics): WatcherMetrics {
  return {
    mirrored: metrics.counter('watcher_objects_mirrored_total', 'Objects written to or deleted from KV, and objects rejected, by kind and operation (create, update, delete, reject).', ['kind', 'operation']),
    watchRestarts: metrics.counter('watcher_watch_restarts_total', 'Watches re-established after they ended, failed or expired (410 Gone).', ['kind', 'reason']),
    suppressed: metrics.counter('watcher_noop_writes_suppressed_total', 'Watch deliveries that changed nothing KV holds, so nothing was written.', ['kind']),
    conflicts: metrics.counter('watcher_kv_conflicts_total', 'KV writes refused because the key changed since it was read (compare-and-set).'),
    lag: new Histogram({
      name: `${METRIC_PREFIX}watcher_mirror_lag_seconds`,
      help: 'Time from receiving an object from the API server watch to its KV write being acknowledged.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [metrics.registry],
    }),
    leader: metrics.gauge('watcher_leader', '1 while this replica is the active (leading) watcher of its instance.'),
    cached: metrics.gauge('watcher_cached_objects', 'Objects in the watch cache, by kind (the whole cluster, before world selection).', ['kind']),
  };
}
