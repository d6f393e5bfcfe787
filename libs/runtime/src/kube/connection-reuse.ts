import { createHash } from 'node:crypto';
import type { AgentOptions } from 'node:https';
import type { Cluster, KubeConfig } from '@kubernetes/client-node';

/**
 * @kubernetes/client-node 2.x builds a new undici Agent — a new TLS connection and SecureContext
 * — for every request (KubeConfig.applySecurityAuthentication → createDispatcher). A deployer
 * applying 1,000 Gateways spent more than half its CPU in TLS handshakes. This keeps one
 * dispatcher per distinct (server, TLS material) and hands it back for every request; bearer
 * tokens travel as headers per request, so a rotated token is still picked up, and new client
 * certificates (different bytes) get a new dispatcher.
 */

type Dispatcher = unknown;
interface DispatcherFactory {
  createDispatcher(cluster: Cluster | null, agentOptions: AgentOptions): Dispatcher;
}

function materialOf(cluster: Cluster | null, options: AgentOptions): string {
  const hash = createHash('sha256');
  hash.update(cluster?.server ?? '');
  for (const part of [options.ca, options.cert, options.key, options.pfx, options.passphrase, options.servername, String(options.rejectUnauthorized)]) {
    hash.update('\u0000');
    if (part !== undefined) hash.update(Array.isArray(part) ? part.join('\n') : typeof part === 'string' ? part : Buffer.from(part as Uint8Array));
  }
  return hash.digest('hex');
}

export function reuseConnections(kubeConfig: KubeConfig): KubeConfig {
  const factory = kubeConfig as unknown as DispatcherFactory;
  const create = factory.createDispatcher.bind(kubeConfig);
  const dispatchers = new Map<string, Dispatcher>();
  factory.createDispatcher = (cluster, agentOptions) => {
    const key = materialOf(cluster, agentOptions);
    if (!dispatchers.has(key)) dispatchers.set(key, create(cluster, agentOptions));
    return dispatchers.get(key);
  };
  return kubeConfig;
}
