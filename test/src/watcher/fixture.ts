// What the watcher's integration suites and its benchmark share: a real kube-apiserver and NATS,
// the watcher's RBAC from deploy/ applied to a minted service account, the built watcher started
// the way a Pod starts it, and readers of what it wrote (KV buckets, the events stream).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { jetstream } from '@nats-io/jetstream';
import { DeliverPolicy } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { bucketName, eventsStreamName, microgatewayEventSchema } from '@microgateway/contracts';
import type { MicrogatewayEvent } from '@microgateway/contracts';
import { parseAllDocuments } from 'yaml';
import { freePort, startProcess, waitFor } from '../harness/index.js';
import type { KubeControlPlane, NatsHandle, ProcessHandle } from '../harness/index.js';
import { natsRoleUser } from '../harness/nats-users.js';
import type { NatsRoleUser } from '../harness/nats-users.js';
import { repoRoot } from '../toolchain/paths.js';

export const WATCHER_NAMESPACE = 'microgateway-system';
export const WATCHER_ACCOUNT = 'watcher';

/** deploy/base/rbac/watcher.yaml, rewritten for another instance than `default` when asked. */
export function watcherRbac(instance = 'default'): KubernetesObject[] {
  let text = readFileSync(join(repoRoot(), 'deploy/base/rbac/watcher.yaml'), 'utf8');
  if (instance !== 'default') {
    text = text
      .replaceAll('microgateway-default-watcher', `microgateway-${instance}-watcher`)
      .replaceAll('mgw-default-watcher', `mgw-${instance}-watcher`)
      .replaceAll('microgateway.dev/instance: default', `microgateway.dev/instance: ${instance}`);
  }
  return parseAllDocuments(text).map((doc) => doc.toJS() as KubernetesObject);
}

/** Server-side applies manifests as the admin. */
export async function applyManifests(kube: KubeControlPlane, manifests: KubernetesObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kube.kubeConfig());
  for (const manifest of manifests) {
    await api.patch(manifest, undefined, undefined, 'watcher-itest', true, PatchStrategy.ServerSideApply);
  }
}

/** The auditor's NATS user, with the permissions deploy/ ships (libs/contracts natsIdentity); connect with its inboxPrefix. */
export function auditorUser(password: string, instance = 'default'): NatsRoleUser {
  return natsRoleUser(instance, 'auditor', password);
}

export interface WatcherProcess {
  proc: ProcessHandle;
  url: string;
  metrics(): Promise<string>;
  /** The value of one sample on /metrics (0 when absent). */
  metric(name: string, labels?: string): Promise<number>;
}

export interface StartWatcherOptions {
  name: string;
  instance: string;
  kubeconfigPath: string;
  nats: NatsHandle;
  workDir: string;
  logLevel?: string;
}

export async function startWatcher(o: StartWatcherOptions): Promise<WatcherProcess> {
  const port = await freePort();
  const configFile = join(o.workDir, `${o.name}.yaml`);
  // Short lease timings so that failover fits in a test; the defaults are 6 s / 4 s / 1 s.
  writeFileSync(
    configFile,
    [`logLevel: ${o.logLevel ?? 'info'}`, 'shutdownTimeoutMs: 5000', 'watcher:', '  leaderElection:', '    leaseDurationSeconds: 3', '    renewDeadlineMs: 2000', '    retryPeriodMs: 500', ''].join('\n'),
  );
  const proc = startProcess({
    name: o.name,
    command: process.execPath,
    args: [join(repoRoot(), 'services/watcher/dist/main.js'), '--config', configFile],
    env: {
      MGW_INSTANCE: o.instance,
      MGW_NATS_URL: o.nats.url,
      MGW_NATS_USER: o.nats.admin.user,
      MGW_NATS_PASSWORD: o.nats.admin.password,
      MGW_KUBECONFIG: o.kubeconfigPath,
      MGW_HTTP_PORT: String(port),
      POD_NAME: o.name,
    },
    logFile: join(o.workDir, `${o.name}.log`),
  });
  const url = `http://127.0.0.1:${port}`;
  const metrics = async (): Promise<string> => (await fetch(`${url}/metrics`)).text();
  const metric = async (name: string, labels = ''): Promise<number> => {
    const text = await metrics();
    const escaped = `${name}${labels}`.replace(/[{}"=,.+]/g, (c) => `\\${c}`);
    const match = new RegExp(`^${escaped} ([0-9.e+-]+)$`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  };
  await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, { timeoutMs: 60_000, what: `${o.name} /readyz`, process: proc, intervalMs: 200 });
  return { proc, url, metrics, metric };
}

export async function connectAdmin(nats: NatsHandle): Promise<NatsConnection> {
  return connect({ servers: nats.url, user: nats.admin.user, pass: nats.admin.password });
}

export interface KvValue {
  revision: number;
  object: { metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> }; [key: string]: unknown };
}

/** Everything a bucket holds now (empty when the bucket does not exist yet). */
export async function readBucket(nc: NatsConnection, instance: string, purpose: 'resources' | 'secrets'): Promise<Map<string, KvValue>> {
  const out = new Map<string, KvValue>();
  let kv;
  try {
    kv = await new Kvm(jetstream(nc)).open(bucketName(instance, purpose));
  } catch {
    return out;
  }
  const status = await kv.status();
  const last = status.streamInfo.state.last_seq;
  if (last === 0) return out;
  const watch = await kv.watch({ key: '>' });
  for await (const entry of watch) {
    if (entry.operation === 'PUT') out.set(entry.key, { revision: entry.revision, object: entry.json() });
    else out.delete(entry.key);
    if (entry.revision >= last) break;
  }
  watch.stop();
  return out;
}

export interface ReceivedEvent {
  event: MicrogatewayEvent;
  subject: string;
  at: number;
}

/** Collects every event of an instance from the start of the stream, parsed with the contract. */
export async function collectEvents(nc: NatsConnection, instance: string): Promise<{ events: ReceivedEvent[]; stop(): void }> {
  const js = jetstream(nc);
  const events: ReceivedEvent[] = [];
  await waitFor(async () => (await js.streams.get(eventsStreamName(instance))) !== undefined, { timeoutMs: 30_000, what: 'the events stream' });
  const consumer = await js.consumers.get(eventsStreamName(instance), { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume();
  void (async () => {
    for await (const message of messages) {
      events.push({ event: microgatewayEventSchema.parse(message.json()), subject: message.subject, at: Date.now() });
    }
  })();
  return { events, stop: () => void messages.stop() };
}

/** The apiserver's objects of one kind in one namespace, name → resourceVersion. */
export async function listVersions(kube: KubeControlPlane, apiVersion: string, kind: string, namespace: string): Promise<Map<string, string>> {
  const api = KubernetesObjectApi.makeApiClient(kube.kubeConfig());
  const list = await api.list(apiVersion, kind, namespace);
  return new Map(list.items.map((item) => [item.metadata?.name ?? '', item.metadata?.resourceVersion ?? '']));
}

/** KV's objects of one kind in one namespace, name → resourceVersion. */
export function kvVersions(bucket: Map<string, KvValue>, kind: string, namespace: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of bucket) {
    if (key.startsWith(`${kind}.`) && value.object.metadata.namespace === namespace) out.set(value.object.metadata.name, value.object.metadata.resourceVersion ?? '');
  }
  return out;
}

/** Runs `task` over `items` with at most `concurrency` at once. */
export async function inParallel<T>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export function httpRoute(namespace: string, name: string, gateway: { namespace: string; name: string }, hostname: string): KubernetesObject & { spec: unknown } {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace },
    spec: {
      parentRefs: [{ name: gateway.name, namespace: gateway.namespace }],
      hostnames: [hostname],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'backend', port: 80 }] }],
    },
  };
}
