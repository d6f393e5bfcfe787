// What runs for the node of a local cluster, in this process (attached) or in a process of its
// own (detached, node-main.ts): the apiserver relay, the `kubernetes` Service's endpoints and the
// node agent.
import { readFileSync } from 'node:fs';
import type { BackoffPolicy } from './container.js';
import { startApiRelay, API_RELAY_PORT } from './forwarder.js';
import { defaultImageBinaries } from './images.js';
import type { ClusterNetwork } from './network.js';
import { clusterNetwork } from './network.js';
import { startNodeAgent } from './agent.js';
import type { NodeAgent } from './agent.js';
import { startLoadBalancerAllocator } from './load-balancer.js';
import { isConflict, isNotFound, KubeRest } from './rest.js';

/** Plain data, so a detached node process can get it as a JSON file. */
export interface NodeConfig {
  clusterName: string;
  subnetIndex: number;
  nodeName: string;
  server: string;
  apiPort: number;
  token: string;
  caPath: string;
  podsDir: string;
  backoff?: BackoffPolicy;
  /** The cluster DNS Service's IP, when the cluster runs DNS (LocalClusterOptions.dns). */
  clusterDns?: string;
}

export interface NodeProcess {
  agent: NodeAgent;
  stop(): Promise<void>;
}

export async function runNode(config: NodeConfig, log: (line: string) => void): Promise<NodeProcess> {
  const net = clusterNetwork(config.clusterName, config.subnetIndex);
  const relay = await startApiRelay(net.hostAddress, config.apiPort);
  const access = { server: config.server, token: config.token, ca: readFileSync(config.caPath) };
  try {
    await publishApiEndpoints(new KubeRest(access), net);
    const agent = await startNodeAgent({
      access,
      nodeName: config.nodeName,
      net,
      images: defaultImageBinaries(),
      podsDir: config.podsDir,
      ...(config.backoff ? { backoff: config.backoff } : {}),
      ...(config.clusterDns ? { clusterDns: config.clusterDns } : {}),
      log,
    });
    const lbRest = new KubeRest(access);
    const loadBalancers = await startLoadBalancerAllocator(lbRest, net, log);
    return {
      agent,
      async stop() {
        loadBalancers.stop();
        lbRest.close();
        await agent.stop();
        await relay.close();
      },
    };
  } catch (error) {
    await relay.close();
    throw error;
  }
}

/**
 * The apiserver runs with --endpoint-reconciler-type=none (it listens on loopback only), so the
 * `kubernetes` Service has no endpoints of its own; point it at the relay so in-cluster clients work.
 */
async function publishApiEndpoints(rest: KubeRest, net: ClusterNetwork): Promise<void> {
  const path = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'node-agent.microgateway.dev' },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [net.hostAddress], conditions: { ready: true } }],
    ports: [{ name: 'https', port: API_RELAY_PORT, protocol: 'TCP' }],
  };
  try {
    await rest.request('DELETE', `${path}/kubernetes`);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await rest.request('POST', path, slice);
  } catch (error) {
    if (!isConflict(error)) throw error;
  } finally {
    rest.close();
  }
}
