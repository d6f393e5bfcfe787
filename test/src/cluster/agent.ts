// The node agent: plays the kubelet (and the scheduler) for a cluster without container runtime.
// It registers a Node and keeps its Lease, binds every pending Pod to itself, runs each bound Pod
// through a PodRunner and writes its status, keeps volume files in sync with ConfigMaps and Secrets,
// and on deletion stops the Pod's processes within the grace period before removing the object.
import { hostname } from 'node:os';
import type { BackoffPolicy } from './container.js';
import type { ImageBinary } from './images.js';
import type { ClusterNetwork } from './network.js';
import { MountPoints } from './mount-points.js';
import { PodIpAllocator } from './network.js';
import { PodRunner } from './pod.js';
import { isConflict, isNotFound, MERGE_PATCH, WatchCache } from './rest.js';
import type { KubeAccess, KubeRest, WatchEventType } from './rest.js';
import { KubeRest as Rest } from './rest.js';
import type { ConfigMap, Pod, Secret } from './types.js';

export interface NodeAgentOptions {
  access: KubeAccess;
  nodeName: string;
  net: ClusterNetwork;
  images: readonly ImageBinary[];
  /** Pod directories (volumes, logs). */
  podsDir: string;
  /** Container restart backoff; the kubelet's is 10 s doubling to 5 min. */
  backoff?: BackoffPolicy;
  /** The cluster DNS server (the kubelet's --cluster-dns): ClusterFirst Pods resolve through it. */
  clusterDns?: string;
  log?: (line: string) => void;
}

export interface NodeAgent {
  readonly nodeName: string;
  /** The runner of a Pod, by namespace/name (tests look at its processes). */
  pod(namespace: string, name: string): PodRunner | undefined;
  /** Stops every Pod (SIGKILL after 2 s), then the watches and timers. The Node object stays. */
  stop(): Promise<void>;
}

const LEASE_DURATION_SECONDS = 40;
const LEASE_RENEW_MS = 10_000;
const NODE_STATUS_MS = 60_000;
const RESYNC_MS = 10_000;

export async function startNodeAgent(opts: NodeAgentOptions): Promise<NodeAgent> {
  const agent = new Agent(opts);
  await agent.start();
  return agent;
}

class Agent implements NodeAgent {
  readonly nodeName: string;
  private readonly rest: KubeRest;
  private readonly log: (line: string) => void;
  private readonly runners = new Map<string, PodRunner>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pods: WatchCache<Pod>;
  private readonly configMaps: WatchCache<ConfigMap>;
  private readonly secrets: WatchCache<Secret>;
  private readonly statusQueue = new Map<string, PodRunner>();
  private statusFlush: NodeJS.Timeout | undefined;
  private readonly binding = new Set<string>();
  private readonly ips: PodIpAllocator;
  private readonly mountPoints = new MountPoints();
  private stopped = false;
  private volumeSync: NodeJS.Timeout | undefined;

  constructor(private readonly opts: NodeAgentOptions) {
    this.nodeName = opts.nodeName;
    this.rest = new Rest(opts.access);
    this.log = opts.log ?? ((): void => undefined);
    this.ips = new PodIpAllocator(opts.net);
    this.pods = new WatchCache<Pod>(this.rest, '/api/v1/pods', '', (type, pod) => this.onPod(type, pod), this.log);
    this.configMaps = new WatchCache<ConfigMap>(this.rest, '/api/v1/configmaps', '', () => this.scheduleVolumeSync(), this.log);
    this.secrets = new WatchCache<Secret>(this.rest, '/api/v1/secrets', '', () => this.scheduleVolumeSync(), this.log);
  }

  async start(): Promise<void> {
    await this.registerNode();
    await this.renewLease();
    this.timers.push(setInterval(() => void this.renewLease().catch((e: unknown) => this.log(`lease: ${String(e)}`)), LEASE_RENEW_MS));
    this.timers.push(setInterval(() => void this.patchNodeStatus().catch((e: unknown) => this.log(`node status: ${String(e)}`)), NODE_STATUS_MS));
    this.timers.push(setInterval(() => this.scheduleVolumeSync(), RESYNC_MS));
    await Promise.all([this.configMaps.start(), this.secrets.start()]);
    await this.pods.start();
  }

  pod(namespace: string, name: string): PodRunner | undefined {
    return [...this.runners.values()].find((r) => r.pod.metadata.namespace === namespace && r.pod.metadata.name === name);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    clearTimeout(this.statusFlush);
    clearTimeout(this.volumeSync);
    this.pods.stop();
    this.configMaps.stop();
    this.secrets.stop();
    await Promise.all([...this.runners.values()].map((r) => r.terminate(2)));
    this.runners.clear();
    this.rest.close();
  }

  // -------------------------------------------------------------------------------------------
  // Node and Lease

  private async registerNode(): Promise<void> {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: this.nodeName,
        labels: { 'kubernetes.io/hostname': this.nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node.microgateway.dev/local': 'true' },
      },
      spec: { podCIDR: this.opts.net.podCidr, podCIDRs: [this.opts.net.podCidr] },
    };
    try {
      await this.rest.request('POST', '/api/v1/nodes', node);
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    await this.patchNodeStatus();
  }

  private async patchNodeStatus(): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const condition = (type: string, status: string, reason: string): Record<string, string> => ({
      type, status, reason, message: reason, lastHeartbeatTime: now, lastTransitionTime: now,
    });
    const resources = { cpu: '16', memory: '64Gi', pods: '250', 'ephemeral-storage': '100Gi' };
    await this.rest.request('PATCH', `/api/v1/nodes/${this.nodeName}/status`, {
      status: {
        capacity: resources,
        allocatable: resources,
        conditions: [
          condition('Ready', 'True', 'KubeletReady'),
          condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
          condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
          condition('PIDPressure', 'False', 'KubeletHasSufficientPID'),
        ],
        addresses: [{ type: 'InternalIP', address: this.opts.net.gateway }, { type: 'Hostname', address: this.nodeName }],
        nodeInfo: {
          machineID: '', systemUUID: '', bootID: '', kernelVersion: '', osImage: `microgateway local node on ${hostname()}`,
          containerRuntimeVersion: 'process://mgw-node-agent', kubeletVersion: 'v1.37.2', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64',
        },
      },
    }, MERGE_PATCH);
  }

  private async renewLease(): Promise<void> {
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${this.nodeName}`;
    const renewTime = new Date().toISOString().replace('Z', '000Z');
    const spec = { holderIdentity: this.nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime };
    try {
      await this.rest.request('PATCH', path, { spec }, MERGE_PATCH);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.rest.request('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.nodeName, namespace: 'kube-node-lease' }, spec,
      });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Pods

  private onPod(type: WatchEventType, pod: Pod): void {
    if (this.stopped) return;
    if (!pod.spec.nodeName) {
      if (type !== 'DELETED') void this.bind(pod);
      return;
    }
    if (pod.spec.nodeName !== this.nodeName) return;
    const runner = this.runners.get(pod.metadata.uid);
    if (type === 'DELETED') {
      // Removed without us (forced): nothing waits for a graceful stop any more.
      if (runner) void this.finish(runner, 0, false);
      return;
    }
    if (pod.metadata.deletionTimestamp) return this.onDeleting(pod, runner);
    if (runner) {
      void runner.sync(pod);
      return;
    }
    if (pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') this.run(pod);
  }

  /** Deleted with a grace period: stop the processes within it, then remove the object. */
  private onDeleting(pod: Pod, runner: PodRunner | undefined): void {
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (runner) void this.finish(runner, grace, true);
    else void this.deleteObject(pod);
  }

  private run(pod: Pod): void {
    const created = new PodRunner(pod, {
      rest: this.rest,
      net: this.opts.net,
      ips: this.ips,
      images: this.opts.images,
      sources: {
        configMap: (ns, name) => this.configMaps.objects.get(`${ns}/${name}`),
        secret: (ns, name) => this.secrets.objects.get(`${ns}/${name}`),
      },
      podsDir: this.opts.podsDir,
      backoff: this.opts.backoff ?? { initialMs: 10_000, maxMs: 300_000 },
      mountPoints: this.mountPoints,
      ...(this.opts.clusterDns ? { clusterDns: this.opts.clusterDns } : {}),
      statusChanged: (r) => this.queueStatus(r),
      log: this.log,
    });
    this.runners.set(pod.metadata.uid, created);
    created.start().catch((error: unknown) => this.log(`${created.name}: start failed: ${error instanceof Error ? error.message : String(error)}`));
  }

  /** The scheduler's one decision here: every Pod goes to this node. */
  private async bind(pod: Pod): Promise<void> {
    if (this.binding.has(pod.metadata.uid)) return;
    this.binding.add(pod.metadata.uid);
    try {
      await this.rest.request('POST', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/binding`, {
        apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: this.nodeName },
      });
    } catch (error) {
      if (!isConflict(error) && !isNotFound(error)) this.log(`binding ${pod.metadata.namespace}/${pod.metadata.name}: ${String(error)}`);
      this.binding.delete(pod.metadata.uid);
    }
  }

  private async finish(runner: PodRunner, graceSeconds: number, deleteObject: boolean): Promise<void> {
    if (runner.terminating) return;
    await runner.terminate(graceSeconds);
    this.runners.delete(runner.uid);
    this.statusQueue.delete(runner.uid);
    this.lastStatus.delete(runner.uid);
    if (deleteObject) await this.deleteObject(runner.pod);
  }

  /** What the kubelet does once the containers are gone: remove the object for good. */
  private async deleteObject(pod: Pod): Promise<void> {
    try {
      await this.rest.request('DELETE', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, {
        apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid },
      });
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) this.log(`deleting ${pod.metadata.namespace}/${pod.metadata.name}: ${String(error)}`);
    }
  }

  private queueStatus(runner: PodRunner): void {
    this.statusQueue.set(runner.uid, runner);
    // Coalesce bursts (every container starting at once) into one write per Pod.
    this.statusFlush ??= setTimeout(() => {
      this.statusFlush = undefined;
      void this.flushStatuses();
    }, 20);
  }

  private readonly lastStatus = new Map<string, string>();
  /** Pods with a status write under way: a newer status waits for it, so writes never overtake each other. */
  private readonly writing = new Set<string>();

  private async flushStatuses(): Promise<void> {
    const batch = [...this.statusQueue.values()].filter((runner) => !this.writing.has(runner.uid));
    for (const runner of batch) this.statusQueue.delete(runner.uid);
    await Promise.all(batch.map((runner) => this.writeStatus(runner)));
  }

  private async writeStatus(runner: PodRunner): Promise<void> {
    if (runner.terminating || this.stopped) return;
    const status = runner.status();
    const text = JSON.stringify(status);
    if (this.lastStatus.get(runner.uid) === text) return;
    const { namespace, name } = runner.pod.metadata;
    this.writing.add(runner.uid);
    try {
      await this.rest.request('PATCH', `/api/v1/namespaces/${namespace}/pods/${name}/status`, { metadata: { uid: runner.uid }, status }, MERGE_PATCH);
      this.lastStatus.set(runner.uid, text);
    } catch (error) {
      if (!isNotFound(error) && !isConflict(error)) this.log(`status of ${namespace}/${name}: ${String(error)}`);
    } finally {
      this.writing.delete(runner.uid);
      if (this.statusQueue.has(runner.uid)) this.queueStatus(runner);
    }
  }

  private scheduleVolumeSync(): void {
    this.volumeSync ??= setTimeout(() => {
      this.volumeSync = undefined;
      for (const runner of this.runners.values()) void runner.sync(runner.pod);
    }, 10);
  }
}
