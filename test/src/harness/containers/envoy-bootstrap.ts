// A bootstrap written for a local Envoy, adapted to a container (pure): the test process reaches
// the container through published ports, which forward to the container's own address, so
// loopback listen addresses become the wildcard; and only fixed ports can be published.

export const DEFAULT_ADMIN_PORT = 9901;

export interface ContainerBootstrap {
  bootstrap: Record<string, unknown>;
  adminPort: number;
  /** The ports of the static listeners, to publish. */
  listenerPorts: number[];
}

type Json = Record<string, unknown>;

const LOOPBACK: Record<string, string> = { '127.0.0.1': '0.0.0.0', localhost: '0.0.0.0', '::1': '::' };

export function containerBootstrap(input: Record<string, unknown>): ContainerBootstrap {
  const bootstrap = structuredClone(input);
  const adminPort = adaptAdmin(bootstrap);
  const listenerPorts: number[] = [];
  const staticResources = asObject(bootstrap.static_resources);
  const listeners = Array.isArray(staticResources?.listeners) ? (staticResources.listeners as unknown[]) : [];
  for (const [index, listener] of listeners.entries()) {
    const socket = socketAddress(asObject(listener)?.address);
    if (!socket) continue; // a pipe or an internal listener: nothing to publish
    const port = portOf(socket);
    const name = String(asObject(listener)?.name ?? `#${index}`);
    if (port === 0) throw new Error(`listener ${name}: port_value 0 cannot be published from a container; give it a fixed port`);
    if (port === undefined) throw new Error(`listener ${name}: socket_address has no port_value`);
    widen(socket);
    if (!listenerPorts.includes(port)) listenerPorts.push(port);
  }
  return { bootstrap, adminPort, listenerPorts };
}

/** The admin interface is how the harness knows Envoy is ready: added when missing, given a fixed port. */
function adaptAdmin(bootstrap: Json): number {
  const admin = asObject(bootstrap.admin) ?? {};
  bootstrap.admin = admin;
  const socket = socketAddress(admin.address);
  if (!socket) {
    admin.address = { socket_address: { address: '0.0.0.0', port_value: DEFAULT_ADMIN_PORT } };
    return DEFAULT_ADMIN_PORT;
  }
  widen(socket);
  const port = portOf(socket);
  if (port === undefined || port === 0) {
    socket.port_value = DEFAULT_ADMIN_PORT;
    return DEFAULT_ADMIN_PORT;
  }
  return port;
}

function socketAddress(address: unknown): Json | undefined {
  return asObject(asObject(address)?.socket_address);
}

function portOf(socket: Json): number | undefined {
  const port = socket.port_value;
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  return undefined;
}

function widen(socket: Json): void {
  const address = typeof socket.address === 'string' ? socket.address : undefined;
  const wide = address === undefined ? undefined : LOOPBACK[address];
  if (wide) socket.address = wide;
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}
