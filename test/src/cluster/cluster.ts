// A local Kubernetes cluster without containers: etcd + kube-apiserver (harness/kube.ts),
// kube-controller-manager, kube-proxy in the cluster's node namespace and our node agent, on a
// network of namespaces that belongs to this cluster alone (network.ts). `mgw dev up` and the
// suites use it; everything it made is removed by stop(), and by the next start after a crash.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startKubeControlPlane } from '../harness/kube.js';
import type { CrdChannel, KubeControlPlane } from '../harness/kube.js';
import { killRecordedProcesses, startProcess, waitFor } from '../harness/process.js';
import type { ProcessHandle } from '../harness/process.js';
import { repoRoot } from '../toolchain/paths.js';
import type { NodeAgent } from './agent.js';
import { startControllerManager, startKubeProxy } from './components.js';
import { clusterDnsIp, installClusterDns } from './dns.js';
import type { BackoffPolicy } from './container.js';
import type { ClusterNetwork } from './network.js';
import { chooseIndex, clusterNetwork, createClusterNetwork, natRules, removeClusterNetwork, sanitizeClusterName } from './network.js';
import type { NodeConfig } from './node-process.js';
import { runNode } from './node-process.js';
import { KubeRest } from './rest.js';

export interface LocalClusterOptions {
  /** Everything of this cluster lives here: the control plane's data, logs, Pod directories. */
  workDir: string;
  /** Names the node, its network namespaces and links; two clusters on one machine need distinct names. */
  name: string;
  /** Keep running after this process exits (`mgw dev up --detach`); the node then runs as its own process. */
  detached?: boolean;
  /** The third octet of the cluster's ranges (10.201.x.0/24 Pods, 10.202.x.0/24 Services, …); derived from the name when absent. */
  subnet?: number;
  /** Gateway API CRDs to install; default 'experimental'. */
  crds?: CrdChannel;
  /** Container restart backoff; default the kubelet's (10 s doubling to 5 min). */
  backoff?: BackoffPolicy;
  /** Run the cluster DNS add-on (coredns as kube-dns) and give Pods a resolv.conf pointing at it. */
  dns?: boolean;
  log?: (line: string) => void;
}

export interface LocalCluster extends KubeControlPlane {
  readonly name: string;
  readonly nodeName: string;
  readonly network: ClusterNetwork;
  /** Pod directories: `<podsDir>/<namespace>_<name>_<uid>/{logs/<container>.log,volumes/<volume>/}`. */
  readonly podsDir: string;
  /** The in-process node agent (attached clusters only). */
  readonly agent: NodeAgent | undefined;
}

const READY_TIMEOUT_MS = 120_000;

export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const log = opts.log ?? ((): void => undefined);
  if (process.getuid?.() !== 0) {
    throw new Error('the local cluster needs root: it creates network namespaces, a bridge, veths and routes (run as root, or use a Docker host)');
  }
  const name = sanitizeClusterName(opts.name);
  const dir = join(opts.workDir, 'cluster');
  await stopLocalCluster({ workDir: opts.workDir, name });
  mkdirSync(dir, { recursive: true });
  const net = clusterNetwork(name, await chooseIndex(name, opts.subnet));
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => log(`stopping: ${String(error)}`));
    await stopLocalCluster({ workDir: opts.workDir, name });
  };
  try {
    await createClusterNetwork(net);
    log(`network: Pods ${net.podCidr}, Services ${net.serviceCidr} (node namespace ${net.nodeNamespace})`);
    const kube = await startKubeControlPlane({ workDir: join(opts.workDir, 'kube'), detached: opts.detached, crds: opts.crds ?? 'experimental', serviceClusterIpRange: net.serviceCidr });
    stops.push(() => kube.stop());
    const cm = await startControllerManager({ dir, kubeconfigPath: kube.kubeconfigPath, serviceAccountPrivateKeyPath: kube.serviceAccountPrivateKeyPath, caPath: kube.caPath, clusterName: name, detached: opts.detached });
    stops.push(() => cm.stop());
    const nodeName = `${name}-node`;
    const podsDir = join(dir, 'pods');
    const config: NodeConfig = {
      clusterName: name, subnetIndex: net.index, nodeName, server: kube.server, apiPort: Number(new URL(kube.server).port),
      token: kube.adminToken, caPath: kube.caPath, podsDir, ...(opts.backoff ? { backoff: opts.backoff } : {}),
      ...(opts.dns ? { clusterDns: clusterDnsIp(net.serviceCidr) } : {}),
    };
    const node = await startNode(config, dir, opts.detached ?? false, log);
    stops.push(node.stop);
    const proxy = startKubeProxy({ dir, net, nodeName, adminToken: kube.adminToken, caPath: kube.caPath, detached: opts.detached });
    stops.push(() => proxy.stop());
    await waitUntilUsable(kube, net, nodeName, proxy);
    if (opts.dns) await startClusterDns(kube, net, log);
    const { stop: _stop, ...kubeFields } = kube;
    return Object.assign(kubeFields, {
      kubeConfig: kube.kubeConfig,
      mintIdentity: kube.mintIdentity,
      name, nodeName, network: net, podsDir, agent: node.agent,
      stop: stopAll,
    });
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Removes whatever a cluster of this name left under `workDir` and on the machine: its recorded
 * (detached) processes, then its network namespaces with their links, routes and iptables rules.
 * Safe to call when nothing is left.
 */
export async function stopLocalCluster(opts: { workDir: string; name: string }): Promise<void> {
  await killRecordedProcesses(opts.workDir);
  await removeClusterNetwork(opts.name);
}

interface StartedNode {
  agent: NodeAgent | undefined;
  stop: () => Promise<void>;
}

async function startNode(config: NodeConfig, dir: string, detached: boolean, log: (line: string) => void): Promise<StartedNode> {
  if (!detached) {
    const node = await runNode(config, (line) => log(`node: ${line}`));
    return { agent: node.agent, stop: node.stop };
  }
  const main = join(repoRoot(), 'test', 'dist', 'cluster', 'node-main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: a detached cluster runs the built node agent (run \`npx tsc -b\` in test/)`);
  const configPath = join(dir, 'node.json');
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  const proc: ProcessHandle = startProcess({
    name: 'node-agent',
    command: process.execPath,
    args: [main, configPath],
    logFile: join(dir, 'node-agent.log'),
    detached: true,
    registryDir: dir,
  });
  // Its Pods need up to their grace period (SIGKILL after 30 s at most).
  return { agent: undefined, stop: async () => void (await proc.stop(35_000)) };
}

/** Ready when the Node is Ready, the default ServiceAccount exists and kube-proxy has synced. */
async function waitUntilUsable(kube: KubeControlPlane, net: ClusterNetwork, nodeName: string, proxy: ProcessHandle): Promise<void> {
  const rest = new KubeRest({ server: kube.server, token: kube.adminToken, ca: readFileSync(kube.caPath) });
  try {
    await waitFor(
      async () => {
        await rest.request('GET', '/api/v1/namespaces/default/serviceaccounts/default');
        const node = await rest.request<{ status?: { conditions?: { type: string; status: string }[] } }>('GET', `/api/v1/nodes/${nodeName}`);
        return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      },
      { timeoutMs: READY_TIMEOUT_MS, what: `node ${nodeName} Ready and the default ServiceAccount` },
    );
    // kube-proxy logs nothing at -v=1 when it synced: its rule for the `kubernetes` Service is the sign.
    await waitFor(async () => (await natRules(net)).includes('default/kubernetes:https'), {
      timeoutMs: READY_TIMEOUT_MS, what: 'kube-proxy to program its first rules', process: proxy, intervalMs: 200,
    });
  } finally {
    rest.close();
  }
}

/** Installs the DNS add-on and waits until coredns answers (its Pod is Ready). */
async function startClusterDns(kube: KubeControlPlane, net: ClusterNetwork, log: (line: string) => void): Promise<void> {
  const rest = new KubeRest({ server: kube.server, token: kube.adminToken, ca: readFileSync(kube.caPath) });
  try {
    await installClusterDns(rest, net.serviceCidr);
    await waitFor(
      async () => {
        const pods = await rest.request<{ items: { status?: { conditions?: { type: string; status: string }[] } }[] }>('GET', '/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns');
        return pods.items.some((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      },
      { timeoutMs: READY_TIMEOUT_MS, what: 'coredns (kube-dns) Ready' },
    );
    log(`dns: kube-dns at ${clusterDnsIp(net.serviceCidr)}`);
  } finally {
    rest.close();
  }
}
