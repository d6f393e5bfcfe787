import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceMetrics } from '../metrics/registry.js';
import { Readiness } from './readiness.js';
import { startHealthServer, type HealthServer } from './server.js';

describe('startHealthServer', () => {
  const readiness = new Readiness();
  let natsUp = true;
  readiness.add('nats', () => (natsUp ? { ready: true } : { ready: false, reason: 'disconnected from NATS' }));
  const metrics = createServiceMetrics({ service: 'renderer', instance: 'blue', version: '9.9.9' });
  let server: HealthServer;
  const url = (path: string): string => `http://127.0.0.1:${server.port}${path}`;

  beforeAll(async () => {
    server = await startHealthServer({ host: '127.0.0.1', port: 0, registry: metrics.registry, readiness });
  });
  afterAll(async () => {
    await server.close();
  });

  it('picks a free port when asked for port 0', () => {
    expect(server.port).toBeGreaterThan(0);
  });

  it('answers /healthz with 200 even when not ready', async () => {
    natsUp = false;
    const response = await fetch(url('/healthz'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    natsUp = true;
  });

  it('answers /readyz with 200 when ready and 503 with reasons when not', async () => {
    const ready = await fetch(url('/readyz'));
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', ready: true });
    natsUp = false;
    const notReady = await fetch(url('/readyz?verbose=1'));
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({
      status: 'not ready',
      ready: false,
      draining: false,
      checks: { nats: { ready: false, reason: 'disconnected from NATS' } },
    });
    natsUp = true;
  });

  it('serves the registry on /metrics in the Prometheus format', async () => {
    const response = await fetch(url('/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toContain('mgw_service_info{service="renderer",instance="blue",version="9.9.9"} 1');
  });

  it('answers unknown paths with 404 and other methods with 405', async () => {
    expect((await fetch(url('/nope'))).status).toBe(404);
    const post = await fetch(url('/readyz'), { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('reports 503 while draining (this test runs last: draining is one-way)', async () => {
    readiness.markDraining();
    const response = await fetch(url('/readyz'));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ draining: true, checks: { nats: { ready: true } } });
  });
});

describe('startHealthServer on a taken port', () => {
  it('rejects instead of running without probes', async () => {
    const first = await startHealthServer({ host: '127.0.0.1', port: 0, registry: createServiceMetrics({ service: 'a', instance: 'i', version: '1' }).registry, readiness: new Readiness() });
    try {
      await expect(
        startHealthServer({ host: '127.0.0.1', port: first.port, registry: createServiceMetrics({ service: 'b', instance: 'i', version: '1' }).registry, readiness: new Readiness() }),
      ).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
