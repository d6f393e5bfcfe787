import { describe, expect, it } from 'vitest';
import { createServiceMetrics } from './registry.js';

describe('createServiceMetrics', () => {
  it('exposes mgw_service_info and prefixed process metrics on its own registry', async () => {
    const metrics = createServiceMetrics({ service: 'ca', instance: 'blue', version: '1.2.3' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('mgw_service_info{service="ca",instance="blue",version="1.2.3"} 1');
    expect(text).toMatch(/^mgw_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^mgw_nodejs_eventloop_lag_seconds /m);
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names.every((name) => name.startsWith('mgw_'))).toBe(true);
  });

  it('prefixes gauges and counters it creates', async () => {
    const metrics = createServiceMetrics({ service: 'ca', instance: 'blue', version: '1' });
    metrics.counter('certs_issued_total', 'Certificates issued.', ['kind']).inc({ kind: 'gateway' }, 2);
    metrics.gauge('queue_depth', 'Jobs waiting.').set(3);
    const text = await metrics.registry.metrics();
    expect(text).toContain('mgw_certs_issued_total{kind="gateway"} 2');
    expect(text).toContain('mgw_queue_depth 3');
  });

  it('keeps two services in one process apart', async () => {
    const a = createServiceMetrics({ service: 'a', instance: 'i', version: '1' });
    const b = createServiceMetrics({ service: 'b', instance: 'i', version: '1' });
    a.gauge('only_in_a', 'x').set(1);
    expect(await b.registry.metrics()).not.toContain('mgw_only_in_a');
  });
});
