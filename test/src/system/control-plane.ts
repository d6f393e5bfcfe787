// The four services as host processes against a local cluster and NATS: what the quickstart and
// the system tests run. Each service is started the way a Pod starts it (built dist/main.js, a
// config file, MGW_* variables); the renderer's serving Secret, which a Pod would mount, is
// copied from the cluster into a directory the renderer reads.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { InstanceName } from '@microgateway/contracts';
import { SYSTEM_NAMESPACE, XDS_SERVER_PORT, rendererServingSecretName } from '@microgateway/contracts';
import { freePort, startProcess, waitFor } from '../harness/index.js';
import type { NatsCredentials, NatsHandle, ProcessHandle } from '../harness/index.js';
import { repoRoot } from '../toolchain/paths.js';

export const SERVICE_NAMES = ['ca', 'renderer', 'watcher', 'deployer'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ControlPlaneOptions {
  instance: InstanceName;
  workDir: string;
  nats: NatsHandle;
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  /** The host's address on the cluster network: Engines in Pods reach the renderer's xDS server there. */
  hostAddress: string;
  detached?: boolean;
  log?: (line: string) => void;
  /** Extra YAML per service, appended to its config file. */
  extraConfig?: Partial<Record<ServiceName, string>>;
  /** Each service's own NATS user (least privilege, issue 14); the admin for a service not listed. */
  natsUsers?: Partial<Record<ServiceName, NatsCredentials>>;
}

export interface RunningService {
  name: ServiceName;
  /** The health/metrics server. */
  url: string;
  proc: ProcessHandle;
  metric(name: string, labels?: string): Promise<number>;
}

export interface ControlPlane {
  services: Map<ServiceName, RunningService>;
  /** Where the renderer's xDS server listens. */
  xds: { host: string; port: number };
  /** Starts a service again (after a kill), with the same configuration. */
  restart(name: ServiceName): Promise<RunningService>;
  stop(): Promise<void>;
}

function mainOf(name: ServiceName): string {
  return join(repoRoot(), 'services', name, 'dist', 'main.js');
}

/** Starts ca, renderer, watcher and deployer in that order (the renderer needs the ca's serving certificate) and waits until all are ready. */
export async function startControlPlane(o: ControlPlaneOptions): Promise<ControlPlane> {
  const log = o.log ?? ((): void => undefined);
  const core = o.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: SYSTEM_NAMESPACE } } }).catch((error: unknown) => {
    if ((error as { code?: number }).code !== 409) throw error;
  });
  const tlsDir = join(o.workDir, 'renderer-xds-tls');
  const xds = { host: o.hostAddress, port: XDS_SERVER_PORT };
  const configs: Record<ServiceName, string> = {
    ca: '',
    renderer: `xds:\n  tlsDir: ${tlsDir}\n  host: ${xds.host}\n  port: ${xds.port}\n  shutdownGraceSeconds: 1\n`,
    watcher: '',
    deployer: `deployer:\n  engine:\n    xdsServerAddress: ${xds.host}\n    xdsServerPort: ${xds.port}\n`,
  };
  const services = new Map<ServiceName, RunningService>();
  const start = async (name: ServiceName): Promise<RunningService> => {
    const service = await launch(name, o, `${configs[name]}${o.extraConfig?.[name] ?? ''}`);
    services.set(name, service);
    return service;
  };
  try {
    // The ca writes the renderer's serving certificate first; it becomes ready only once the
    // renderer has created the infra bucket, so readiness is awaited after all have started.
    log('ca');
    await start('ca');
    await copyServingSecret(core, o.instance, tlsDir);
    for (const name of ['renderer', 'watcher', 'deployer'] as const) {
      log(name);
      await start(name);
    }
    for (const service of services.values()) await waitReady(service);
  } catch (error) {
    for (const service of services.values()) await service.proc.stop().catch(() => undefined);
    throw error;
  }
  return {
    services,
    xds,
    restart: async (name) => {
      const service = await start(name);
      await waitReady(service);
      return service;
    },
    stop: async () => {
      for (const name of [...SERVICE_NAMES].reverse()) await services.get(name)?.proc.stop().catch(() => undefined);
    },
  };
}

async function launch(name: ServiceName, o: ControlPlaneOptions, extraYaml: string): Promise<RunningService> {
  const port = await freePort();
  const credentials = o.natsUsers?.[name] ?? o.nats.admin;
  const configFile = join(o.workDir, `${name}.yaml`);
  mkdirSync(o.workDir, { recursive: true });
  writeFileSync(configFile, `shutdownTimeoutMs: 10000\nlogLevel: info\n${extraYaml}`);
  const proc = startProcess({
    name: `mgw-${name}`,
    command: process.execPath,
    args: [mainOf(name), '--config', configFile],
    logFile: join(o.workDir, `${name}.log`),
    detached: o.detached ?? false,
    registryDir: o.workDir,
    // Every variable the services read is set, so nothing from the developer's shell leaks in.
    env: {
      MGW_CONFIG: '',
      MGW_INSTANCE: o.instance,
      MGW_HTTP_PORT: String(port),
      MGW_NATS_URL: o.nats.url,
      MGW_NATS_USER: credentials.user,
      MGW_NATS_PASSWORD: credentials.password,
      MGW_NATS_CREDS: '',
      MGW_KUBECONFIG: o.kubeconfigPath,
      POD_NAME: `${name}-${process.pid}`,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    name,
    url,
    proc,
    async metric(metricName, labels) {
      const text = await (await fetch(`${url}/metrics`)).text();
      const wanted = labels === undefined ? metricName : `${metricName}{${labels}}`;
      return text
        .split('\n')
        .filter((l) => l.startsWith(`${wanted} `) || (labels === undefined && l.startsWith(`${metricName}{`)))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    },
  };
}

async function waitReady(service: RunningService): Promise<void> {
  await waitFor(async () => (await fetch(`${service.url}/readyz`).catch(() => undefined))?.status === 200, {
    timeoutMs: 90_000,
    what: `${service.name} /readyz`,
    process: service.proc,
  });
}

/** What the kubelet does for the renderer's Pod: the serving Secret's keys as files. */
async function copyServingSecret(core: CoreV1Api, instance: InstanceName, dir: string): Promise<void> {
  const name = rendererServingSecretName(instance);
  const secret = await waitFor(
    async () => core.readNamespacedSecret({ namespace: SYSTEM_NAMESPACE, name }).catch(() => undefined),
    { timeoutMs: 60_000, what: `the ca's serving Secret ${SYSTEM_NAMESPACE}/${name}` },
  );
  mkdirSync(dir, { recursive: true });
  for (const [key, value] of Object.entries(secret.data ?? {})) writeFileSync(join(dir, key), Buffer.from(value, 'base64'));
}
