import { randomUUID } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * The verification: stand in for the Engine (which has not started yet) on its inbound port,
 * connect to a protected port of the Pod's own address, and require that the connection arrives
 * at the stand-in carrying our nonce. Nothing listens on the protected port while the
 * initContainer runs, so without redirection the probe is refused or times out.
 */

export interface ProbeTarget {
  address: string;
  port: number;
  engineInboundPort: number;
  timeoutMs: number;
}

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'EADDRINUSE' ? 'already in use in the Pod (set ENGINE_INBOUND_PORT to a free port)' : err.message;
      reject(new ProbeError(`cannot listen on the Engine inbound port ${port}: ${reason}`));
    });
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => resolve(server));
  });
}

/** Resolves when a connection carrying the nonce arrives at the server. */
function nonceArrival(server: Server, nonce: string, sockets: Socket[]): Promise<void> {
  return new Promise((resolve) => {
    server.on('connection', (socket: Socket) => {
      sockets.push(socket);
      let received = '';
      socket.setEncoding('utf8');
      socket.on('error', () => undefined);
      socket.on('data', (chunk: string) => {
        received += chunk;
        if (received.includes(nonce)) {
          socket.end();
          resolve();
        }
      });
    });
  });
}

/** Connects and sends the nonce; rejects when the connection fails (e.g. refused: not redirected). */
function sendNonce(target: ProbeTarget, nonce: string, sockets: Socket[]): Promise<never> {
  return new Promise((_resolve, reject) => {
    const socket = createConnection({ host: target.address, port: target.port });
    sockets.push(socket);
    socket.on('connect', () => socket.write(nonce));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      reject(new ProbeError(`probe to ${target.address}:${target.port} failed (${err.code ?? err.message}): it was not redirected to the Engine port ${target.engineInboundPort}`));
    });
  });
}

export async function probeRedirection(target: ProbeTarget): Promise<void> {
  const server = await listen(target.engineInboundPort);
  const nonce = randomUUID();
  const sockets: Socket[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new ProbeError(`probe to ${target.address}:${target.port} did not arrive at the Engine port ${target.engineInboundPort} within ${target.timeoutMs} ms (a rule outside the MGW_* chains may drop or re-route it)`)),
      target.timeoutMs,
    );
  });
  try {
    await Promise.race([nonceArrival(server, nonce, sockets), sendNonce(target, nonce, sockets), timeout]);
  } finally {
    clearTimeout(timer);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
