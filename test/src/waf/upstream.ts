// The upstream behind the WAF test and benchmark Envoys: a Node HTTP server that reads the body
// and answers 200 `ok`, counting what reached it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Upstream {
  port: number;
  /** Requests that reached the upstream (the WAF let them through). */
  readonly seen: { method: string; url: string }[];
  close(): Promise<void>;
}

export async function startUpstream(opts: { record?: boolean } = {}): Promise<Upstream> {
  const seen: { method: string; url: string }[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (opts.record !== false) seen.push({ method: req.method ?? '', url: req.url ?? '' });
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
