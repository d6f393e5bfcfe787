import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Readiness } from './readiness.js';

export interface HealthServerOptions {
  host: string;
  /** 0 picks a free port; the returned `port` says which. */
  port: number;
  registry: Registry;
  readiness: Readiness;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves the probes and metrics of one process:
 * - GET /healthz: 200 while the process runs (the liveness probe; it does not depend on NATS,
 *   so a NATS outage never gets the Pod restarted);
 * - GET /readyz: 200 when every readiness check passes, else 503 with the reasons as JSON;
 * - GET /metrics: the Prometheus text exposition of the service's registry.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((request, response) => {
    route(request, response, options).catch((error: unknown) => {
      sendJson(response, 500, { status: 'error', error: (error as Error).message });
    });
  });
  // Probes are short requests; do not let an idle keep-alive socket hold up shutdown.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function route(request: IncomingMessage, response: ServerResponse, options: HealthServerOptions): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    sendJson(response, 405, { status: 'method not allowed' });
    return;
  }
  switch (path) {
    case '/healthz':
      sendJson(response, 200, { status: 'ok' });
      return;
    case '/readyz': {
      const report = await options.readiness.evaluate();
      sendJson(response, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', ...report });
      return;
    }
    case '/metrics': {
      const body = await options.registry.metrics();
      response.writeHead(200, { 'content-type': options.registry.contentType });
      response.end(body);
      return;
    }
    default:
      sendJson(response, 404, { status: 'not found', paths: ['/healthz', '/readyz', '/metrics'] });
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(`${JSON.stringify(body)}\n`);
}
