// One Pod on the node: its network namespace and IP, its volume files, its init containers (in
// order, each to completion) and then its containers; its status; its graceful termination.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContainerRunner } from './container.js';
import type { BackoffPolicy, MountBinding } from './container.js';
import { buildEnv, ConfigError } from './env.js';
import type { EnvSources } from './env.js';
import type { ImageBinary } from './images.js';
import { containerArgv, describeKnownImages, resolveImage } from './images.js';
import type { ClusterNetwork, PodIpAllocator } from './network.js';
import { createPodNetwork, podNamespace, removePodNetwork } from './network.js';
import type { MountPoints } from './mount-points.js';
import { PodVolumes } from './pod-volumes.js';
import type { KubeRest } from './rest.js';
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from './types.js';

export interface PodServices {
  rest: KubeRest;
  net: ClusterNetwork;
  ips: PodIpAllocator;
  images: readonly ImageBinary[];
  sources: EnvSources;
  podsDir: string;
  backoff: BackoffPolicy;
  /** Shared by all Pods of the node: mount points the agent created on the host. */
  mountPoints: MountPoints;
  /** The cluster DNS server's IP, when the cluster runs one. */
  clusterDns?: string;
  /** The Pod's status may have changed: write it. */
  statusChanged: (runner: PodRunner) => void;
  log: (line: string) => void;
}

export const CLUSTER_DOMAIN = 'cluster.local';

type Phase = 'setup' | 'init' | 'running' | 'terminating' | 'gone';

export class PodRunner {
  readonly uid: string;
  readonly dir: string;
  private podIp = '';
  private phase: Phase = 'setup';
  private setupError: { reason: string; message: string } | undefined;
  private readonly volumes: PodVolumes;
  private initRunners: ContainerRunner[] = [];
  private runners: ContainerRunner[] = [];
  private readonly startTime = new Date().toISOString();
  private readonly transitions = new Map<string, { status: string; at: string }>();

  constructor(
    public pod: Pod,
    private readonly services: PodServices,
  ) {
    this.uid = pod.metadata.uid;
    this.dir = join(services.podsDir, `${pod.metadata.namespace}_${pod.metadata.name}_${this.uid}`);
    this.volumes = new PodVolumes(join(this.dir, 'volumes'));
  }

  get ip(): string {
    return this.podIp;
  }

  get terminating(): boolean {
    return this.phase === 'terminating' || this.phase === 'gone';
  }

  /** Network, volumes, then the containers. Setup failures are retried by `sync`. */
  async start(): Promise<void> {
    mkdirSync(join(this.dir, 'logs'), { recursive: true });
    this.podIp = this.services.ips.allocate(this.uid);
    await createPodNetwork(this.services.net, this.uid, this.podIp);
    this.services.statusChanged(this);
    await this.sync(this.pod);
  }

  private syncing: Promise<void> = Promise.resolve();

  /** Called on every change of the Pod and of the ConfigMaps/Secrets, and periodically; one at a time. */
  sync(pod: Pod): Promise<void> {
    this.pod = pod;
    this.syncing = this.syncing.then(() => this.syncNow());
    return this.syncing;
  }

  private async syncNow(): Promise<void> {
    const pod = this.pod;
    if (this.terminating || !this.podIp) return;
    try {
      await this.volumes.sync(this.volumeContext());
    } catch (error) {
      // A missing ConfigMap/Secret volume keeps the kubelet in ContainerCreating (FailedMount), unlike a missing env source.
      return this.failSetup(error, 'ContainerCreating');
    }
    if (this.phase === 'setup') {
      this.setupError = undefined;
      try {
        this.initRunners = (pod.spec.initContainers ?? []).map((c) => this.makeRunner(c, 'Never'));
        this.runners = pod.spec.containers.map((c) => this.makeRunner(c, pod.spec.restartPolicy ?? 'Always'));
      } catch (error) {
        return this.failSetup(error);
      }
      this.phase = 'init';
    }
    if (this.phase === 'init') this.advanceInit();
  }

  private failSetup(error: unknown, reasonForConfig = 'CreateContainerConfigError'): void {
    if (!(error instanceof ConfigError)) {
      this.services.log(`${this.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const reason = error instanceof ConfigError ? reasonForConfig : 'ContainerCreating';
    const message = error instanceof Error ? error.message : String(error);
    if (this.setupError?.message !== message) {
      this.setupError = { reason, message };
      this.services.statusChanged(this);
    }
  }

  /** Init containers one at a time; each must exit 0 (a failed one is retried with backoff unless restartPolicy is Never). */
  private advanceInit(): void {
    for (const init of this.initRunners) {
      const finished = init.finished;
      if (finished?.exitCode === 0) continue;
      if (finished && this.pod.spec.restartPolicy === 'Never') return this.services.statusChanged(this);
      if (!init.running && !finished) init.start();
      else if (finished) setTimeout(() => init.start(), this.services.backoff.initialMs);
      return;
    }
    this.phase = 'running';
    for (const runner of this.runners) runner.start();
    this.services.statusChanged(this);
  }

  private makeRunner(spec: Container, restartPolicy: 'Always' | 'OnFailure' | 'Never'): ContainerRunner {
    const hooks = {
      podIp: () => this.podIp,
      restartPolicy,
      backoff: this.services.backoff,
      changed: () => {
        if (this.phase === 'init') this.advanceInit();
        this.services.statusChanged(this);
      },
      log: (line: string) => this.services.log(`${this.name}: ${line}`),
    };
    const image = resolveImage(this.services.images, spec.image);
    if (!image) {
      const error = `no local binary stands in for image "${spec.image}" on this node (it runs: ${describeKnownImages(this.services.images)})`;
      return new ContainerRunner(spec, { error, reason: 'ErrImagePull' }, hooks);
    }
    const env = buildEnv({ pod: this.pod, podIp: this.podIp, hostIp: this.services.net.gateway, sources: this.services.sources, base: this.baseEnv() }, spec.envFrom, spec.env);
    const expand = (word: string): string => word.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n: string) => env[n] ?? m);
    const argv = containerArgv(image, spec.command?.map(expand), spec.args?.map(expand));
    return new ContainerRunner(
      spec,
      {
        argv,
        env,
        cwd: spec.workingDir && existsSync(spec.workingDir) ? spec.workingDir : this.dir,
        mounts: this.mountsOf(spec),
        netns: podNamespace(this.services.net, this.uid),
        logFile: join(this.dir, 'logs', `${spec.name}.log`),
      },
      hooks,
    );
  }

  private baseEnv(): Record<string, string> {
    const apiIp = firstServiceIp(this.services.net.serviceCidr);
    return {
      PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOSTNAME: this.pod.metadata.name,
      KUBERNETES_SERVICE_HOST: apiIp,
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_SERVICE_PORT_HTTPS: '443',
      KUBERNETES_PORT: `tcp://${apiIp}:443`,
    };
  }

  private readonly mountReleases: (() => void)[] = [];

  private mountsOf(spec: Container): MountBinding[] {
    const resolvConf = this.resolvConf();
    const volumes = (spec.volumeMounts ?? []).map((m) => {
      const binding = {
        source: m.subPath ? join(this.volumes.pathOf(m.name), m.subPath) : this.volumes.pathOf(m.name),
        target: m.mountPath,
        file: Boolean(m.subPath),
        readOnly: Boolean(m.readOnly),
      };
      this.mountReleases.push(this.services.mountPoints.acquire(binding.target, binding.file));
      return binding;
    });
    return resolvConf ? [...volumes, { source: resolvConf, target: '/etc/resolv.conf', file: true, readOnly: true }] : volumes;
  }

  /**
   * What the kubelet gives a ClusterFirst Pod when the cluster has DNS: the cluster's server and
   * search path through the Pod's namespace, with ndots:5 (so `nats` finds `nats.<ns>.svc…`).
   */
  private resolvConf(): string | undefined {
    const server = this.services.clusterDns;
    const policy = this.pod.spec.dnsPolicy ?? 'ClusterFirst';
    if (!server || policy === 'Default' || policy === 'None') return undefined;
    const ns = this.pod.metadata.namespace;
    const path = join(this.dir, 'resolv.conf');
    writeFileSync(path, `nameserver ${server}\nsearch ${ns}.svc.${CLUSTER_DOMAIN} svc.${CLUSTER_DOMAIN} ${CLUSTER_DOMAIN}\noptions ndots:5\n`);
    return path;
  }

  private volumeContext(): Parameters<PodVolumes['sync']>[0] {
    return { pod: this.pod, podIp: this.podIp, hostIp: this.services.net.gateway, sources: this.services.sources, rest: this.services.rest };
  }

  /** Stops every container (SIGTERM, SIGKILL after the grace period) and removes the network and files. */
  async terminate(graceSeconds: number): Promise<void> {
    if (this.phase === 'gone') return;
    this.phase = 'terminating';
    const graceMs = Math.max(graceSeconds, 0) * 1000;
    await Promise.all([...this.initRunners, ...this.runners].map((r) => r.stop(graceMs)));
    await removePodNetwork(this.services.net, this.uid);
    this.services.ips.release(this.uid);
    for (const release of this.mountReleases.splice(0)) release();
    this.phase = 'gone';
    rmSync(this.dir, { recursive: true, force: true });
  }

  get name(): string {
    return `${this.pod.metadata.namespace}/${this.pod.metadata.name}`;
  }

  /** Container processes (for tests and diagnostics). */
  pids(): number[] {
    return [...this.initRunners, ...this.runners].map((r) => r.pid).filter((pid): pid is number => pid !== undefined);
  }

  status(): PodStatus {
    const containerStatuses = this.runners.length > 0 ? this.runners.map((r) => r.status()) : this.pod.spec.containers.map((c) => this.waitingStatus(c));
    const initContainerStatuses = this.initRunners.map((r) => r.status());
    const initialized = this.phase === 'running' || (this.pod.spec.initContainers ?? []).length === 0;
    const containersReady = this.phase === 'running' && this.runners.every((r) => r.ready);
    const conditions: PodCondition[] = [
      this.condition('PodScheduled', true),
      this.condition('Initialized', initialized),
      this.condition('ContainersReady', containersReady),
      this.condition('Ready', containersReady),
    ];
    return {
      phase: this.podPhase(containerStatuses),
      ...(this.podIp ? { podIP: this.podIp, podIPs: [{ ip: this.podIp }] } : {}),
      hostIP: this.services.net.gateway,
      hostIPs: [{ ip: this.services.net.gateway }],
      startTime: this.startTime,
      conditions,
      containerStatuses,
      ...(initContainerStatuses.length > 0 ? { initContainerStatuses } : {}),
    };
  }

  private waitingStatus(c: Container): ContainerStatus {
    const reason = this.setupError?.reason ?? 'ContainerCreating';
    return {
      name: c.name, image: c.image, imageID: '', ready: false, started: false, restartCount: 0,
      state: { waiting: { reason, ...(this.setupError ? { message: this.setupError.message } : {}) } }, lastState: {},
    };
  }

  private podPhase(statuses: ContainerStatus[]): string {
    if (this.phase !== 'running') return 'Pending';
    const terminated = statuses.filter((s) => 'terminated' in s.state);
    if (this.pod.spec.restartPolicy !== 'Always' && this.pod.spec.restartPolicy !== undefined && terminated.length === statuses.length) {
      return terminated.every((s) => 'terminated' in s.state && s.state.terminated.exitCode === 0) ? 'Succeeded' : 'Failed';
    }
    return this.runners.some((r) => r.everStarted) ? 'Running' : 'Pending';
  }

  /** A condition whose lastTransitionTime changes only when its status does. */
  private condition(type: string, ok: boolean): PodCondition {
    const status = ok ? 'True' : 'False';
    const previous = this.transitions.get(type);
    const at = previous?.status === status ? previous.at : new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.transitions.set(type, { status, at });
    return { type, status, lastTransitionTime: at, lastProbeTime: null };
  }
}

/** The first usable address of a range: the `kubernetes` Service's ClusterIP. */
export function firstServiceIp(cidr: string): string {
  return serviceIp(cidr, 1);
}

/** The address `offset` past a /24 range's base: `10.202.7.0/24`, 10 → `10.202.7.10`. */
export function serviceIp(cidr: string, offset: number): string {
  const [base] = cidr.split('/');
  const octets = (base ?? '').split('.').map(Number);
  octets[3] = (octets[3] ?? 0) + offset;
  return octets.join('.');
}
