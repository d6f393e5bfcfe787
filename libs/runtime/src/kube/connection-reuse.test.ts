import type { AgentOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { reuseConnections } from './connection-reuse.js';

const KUBECONFIG = `
apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:6443' } }]
users: [{ name: u, user: { token: abc } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;

function dispatcherOf(kubeConfig: KubeConfig, options: AgentOptions): unknown {
  const factory = kubeConfig as unknown as { createDispatcher(cluster: unknown, options: AgentOptions): unknown };
  return factory.createDispatcher(kubeConfig.getCurrentCluster(), options);
}

describe('reuseConnections', () => {
  it('hands out one dispatcher for the same server and TLS material, a new one when it changes', () => {
    const plain = new KubeConfig();
    plain.loadFromString(KUBECONFIG);
    // Without it, the client makes a new agent (a new TLS connection) per request.
    expect(dispatcherOf(plain, { ca: 'x' })).not.toBe(dispatcherOf(plain, { ca: 'x' }));

    const reusing = new KubeConfig();
    reusing.loadFromString(KUBECONFIG);
    reuseConnections(reusing);
    const first = dispatcherOf(reusing, { ca: 'x' });
    expect(dispatcherOf(reusing, { ca: 'x' })).toBe(first);
    expect(dispatcherOf(reusing, { ca: 'x', cert: 'renewed' })).not.toBe(first);
  });
});
