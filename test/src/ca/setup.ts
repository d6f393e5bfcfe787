// Fixtures of the ca suites: the ca's RBAC applied from deploy/base/rbac/ca.yaml, the NATS objects the
// renderer and watcher would create, ca processes started as a Pod starts them, and a directory
// that mimics the kubelet's Secret volume (atomic `..data` symlink swap), so a real Envoy reads
// the bootstrap Secret exactly as it would in a Pod.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubernetesObjectApi, type KubernetesObject, type V1Secret } from '@kubernetes/client-node';
import {
  SYSTEM_NAMESPACE,
  bootstrapSecretName,
  bucketName,
  eventsStreamName,
  eventsSubjectFilter,
  infraKey,
  type GatewayRef,
  type InstanceName,
} from '@microgateway/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { parseAllDocuments } from 'yaml';
import { startKubeControlPlane, startNats, startProcess, waitFor, type KubeControlPlane, type NatsHandle, type ProcessHandle } from '../harness/index.js';
import { repoRoot } from '../toolchain/paths.js';

export const CA_SERVICE_ACCOUNT = 'ca';

/** Applies deploy/base/rbac/ca.yaml as the admin and returns a kubeconfig for the ca's service account. */
export async function caIdentity(kube: KubeControlPlane): Promise<string> {
  const kc = kube.kubeConfig();
  await ignoreConflict(kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: SYSTEM_NAMESPACE } } }));
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const text = readFileSync(join(repoRoot(), 'deploy', 'base', 'rbac', 'ca.yaml'), 'utf8');
  for (const doc of parseAllDocuments(text)) await ignoreConflict(objects.create(doc.toJS() as KubernetesObject));
  return (await kube.mintIdentity(SYSTEM_NAMESPACE, CA_SERVICE_ACCOUNT)).kubeconfigPath;
}

export async function ignoreConflict(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
}

export interface InstanceNats {
  nc: NatsConnection;
  infra: KV;
}

/** What the renderer (infra bucket) and watcher (events stream) create before the ca needs them. */
export async function prepareInstance(nats: NatsHandle, instance: InstanceName): Promise<InstanceNats> {
  const nc = await connect({ servers: nats.url, user: nats.admin.user, pass: nats.admin.password });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: eventsStreamName(instance), subjects: [eventsSubjectFilter(instance)], max_age: 3_600 * 1e9 });
  const infra = await new Kvm(nc).create(bucketName(instance, 'infra'), { history: 1 });
  return { nc, infra };
}

export interface CaProcessOptions {
  instance: InstanceName;
  workDir: string;
  nats: NatsHandle;
  kubeconfig: string;
  port: number;
  /** YAML of ca-specific settings (certificates, bootstrap, jobs). */
  configYaml: string;
  name?: string;
  /** debug by default; the scale suite turns it down. */
  logLevel?: string;
}

export function mainOfCa(): string {
  return join(repoRoot(), 'services', 'ca', 'dist', 'main.js');
}

export async function startCa(o: CaProcessOptions): Promise<ProcessHandle> {
  const name = o.name ?? `ca-${o.instance}`;
  const configFile = join(o.workDir, `${name}.yaml`);
  writeFileSync(configFile, `shutdownTimeoutMs: 5000\nlogLevel: ${o.logLevel ?? 'debug'}\n${o.configYaml}\n`);
  const proc = startProcess({
    name,
    command: process.execPath,
    args: [mainOfCa(), '--config', configFile],
    logFile: join(o.workDir, `${name}.log`),
    env: {
      MGW_CONFIG: '',
      MGW_INSTANCE: o.instance,
      MGW_HTTP_PORT: String(o.port),
      MGW_NATS_URL: o.nats.url,
      MGW_NATS_USER: o.nats.admin.user,
      MGW_NATS_PASSWORD: o.nats.admin.password,
      MGW_NATS_CREDS: '',
      MGW_KUBECONFIG: o.kubeconfig,
    },
  });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${o.port}/readyz`)).status === 200, { timeoutMs: 60_000, what: `${name} /readyz`, process: proc });
  return proc;
}

/**
 * Writes Secret data the way the kubelet updates a Secret volume: the files go into a fresh
 * hidden directory, `..data` is swapped to it with one rename, and each key is a symlink through
 * `..data`. Envoy's `watched_directory` sees the rename and reloads the SDS files.
 */
export function writeSecretVolume(dir: string, data: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  const version = `..${Date.now()}-${Math.random().toString(36).slice(2)}`;
  mkdirSync(join(dir, version));
  for (const [key, value] of Object.entries(data)) writeFileSync(join(dir, version, key), value);
  const temp = join(dir, '..data_tmp');
  rmSync(temp, { force: true });
  symlinkSync(version, temp);
  renameSync(temp, join(dir, '..data'));
  for (const key of Object.keys(data)) if (!existsSync(join(dir, key))) symlinkSync(join('..data', key), join(dir, key));
  for (const entry of readdirSync(dir)) if (entry.startsWith('..1') && entry !== version) rmSync(join(dir, entry), { recursive: true, force: true });
}

/** Kubernetes (RBAC on, the ca's identity minted) and NATS for one suite, with the lookups the suites share. */
export class CaTestEnvironment {
  private constructor(
    readonly workDir: string,
    readonly kube: KubeControlPlane,
    readonly nats: NatsHandle,
    readonly core: CoreV1Api,
    readonly kubeconfig: string,
  ) {}

  static async start(workDir: string): Promise<CaTestEnvironment> {
    if (!existsSync(mainOfCa())) throw new Error(`${mainOfCa()} is missing: build first (npx tsc -b at the repository root)`);
    const [kube, nats] = await Promise.all([startKubeControlPlane({ crds: 'none', workDir: join(workDir, 'kube') }), startNats({ name: 'ca-itest' })]);
    return new CaTestEnvironment(workDir, kube, nats, kube.kubeConfig().makeApiClient(CoreV1Api), await caIdentity(kube));
  }

  async stop(): Promise<void> {
    await this.nats.stop();
    await this.kube.stop();
  }

  async readSecret(namespace: string, name: string): Promise<V1Secret | undefined> {
    try {
      return await this.core.readNamespacedSecret({ namespace, name });
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }

  /** Writes the Gateway's infra entry as the renderer would (its namespace created first). */
  async addGateway(inst: InstanceNats, gateway: GatewayRef, uid: string): Promise<void> {
    await ignoreConflict(this.core.createNamespace({ body: { metadata: { name: gateway.namespace } } }));
    await inst.infra.put(infraKey(gateway), JSON.stringify({ gateway: { ...gateway, uid }, replicas: 1 }));
  }

  async waitForSecret(gateway: GatewayRef, accept: (s: V1Secret) => boolean, proc: ProcessHandle, timeoutMs = 15_000): Promise<V1Secret> {
    return waitFor(
      async () => {
        const secret = await this.readSecret(gateway.namespace, bootstrapSecretName(gateway.name));
        return secret && accept(secret) ? secret : undefined;
      },
      { timeoutMs, what: `bootstrap Secret of ${gateway.namespace}/${gateway.name}`, intervalMs: 10, process: proc },
    );
  }
}

export function decodeSecretData(secret: V1Secret): Record<string, string> {
  return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

/** The events of an instance's events stream, as text, oldest first. */
export async function readEvents(nc: NatsConnection, instance: InstanceName): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const stream = eventsStreamName(instance);
  const info = await jsm.streams.info(stream);
  const events: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (message) events.push(message.string());
  }
  return events;
}
