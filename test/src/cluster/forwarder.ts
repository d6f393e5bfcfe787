// A TCP relay from the cluster network to the apiserver, which listens on the host's loopback only:
// kube-proxy (in the node namespace) and Pods (through the `kubernetes` Service) connect to
// <hostAddress>:6443 on the host end of the uplink, and the relay passes the bytes to 127.0.0.1.
// TLS stays end to end; the serving certificate names `kubernetes` and the Service's ClusterIP.
import { createConnection, createServer } from 'node:net';
import type { Socket } from 'node:net';

export const API_RELAY_PORT = 6443;

export interface ApiRelay {
  close(): Promise<void>;
}

export async function startApiRelay(listenAddress: string, apiPort: number): Promise<ApiRelay> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: apiPort });
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', close);
      socket.on('close', close);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(API_RELAY_PORT, listenAddress, () => resolve());
  });
  return {
    close: () =>
      new Promise((resolve) => {
        // Open watches would hold close() forever: end them.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
