// What the renderer's integration suite and its benchmark share: the built renderer started the
// way a Pod starts it, the KV buckets the watcher would fill (written directly here, as the
// watcher would), and readers of what the renderer wrote (xds, infra, status, events, metrics).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bucketName, eventsStreamName, jobConsumerName, jobStreamName, microgatewayEventSchema, resourceKey, xdsManifestKey, xdsManifestSchema } from '@microgateway/contracts';
import type { GatewayRef, InstanceName, MicrogatewayEvent, XdsManifest } from '@microgateway/contracts';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ConsumerInfo } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { freePort, startProcess, waitFor } from '../harness/index.js';
import type { NatsHandle, ProcessHandle } from '../harness/index.js';
import { repoRoot } from '../toolchain/paths.js';

export function mainOfRenderer(): string {
  return join(repoRoot(), 'services', 'renderer', 'dist', 'main.js');
}

export interface RendererProcess {
  proc: ProcessHandle;
  /** The value of one sample on /metrics (0 when absent), e.g. metric('mgw_renderer_renders_total', 'result="written"'). */
  metric(name: string, labels?: string): Promise<number>;
}

export interface StartRendererOptions {
  name: string;
  instance: InstanceName;
  nats: NatsHandle;
  workDir: string;
  /** YAML of the `renderer:` section. */
  rendererYaml?: string;
  /** Further top-level YAML sections (e.g. `xds:`). */
  extraYaml?: string;
  logLevel?: string;
}

export async function startRenderer(o: StartRendererOptions): Promise<RendererProcess> {
  const port = await freePort();
  const configFile = join(o.workDir, `${o.name}.yaml`);
  writeFileSync(configFile, `shutdownTimeoutMs: 5000\nlogLevel: ${o.logLevel ?? 'info'}\nrenderer: ${o.rendererYaml ?? '{}'}\n${o.extraYaml ?? ''}`);
  const proc = startProcess({
    name: o.name,
    command: process.execPath,
    args: [mainOfRenderer(), '--config', configFile],
    logFile: join(o.workDir, `${o.name}.log`),
    env: {
      MGW_CONFIG: '',
      MGW_INSTANCE: o.instance,
      MGW_HTTP_PORT: String(port),
      MGW_NATS_URL: o.nats.url,
      MGW_NATS_USER: o.nats.admin.user,
      MGW_NATS_PASSWORD: o.nats.admin.password,
      MGW_NATS_CREDS: '',
    },
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, { timeoutMs: 60_000, what: `${o.name} /readyz`, process: proc });
  return {
    proc,
    async metric(name, labels) {
      const text = await (await fetch(`${base}/metrics`)).text();
      const wanted = labels === undefined ? name : `${name}{${labels}}`;
      const line = text.split('\n').find((l) => l.startsWith(`${wanted} `));
      return line === undefined ? 0 : Number(line.split(' ')[1]);
    },
  };
}

/** The NATS side of one instance as a test sees it. */
interface InstanceBuckets {
  resources: KV;
  secrets: KV;
  xds: KV;
  infra: KV;
  status: KV;
}

export class InstanceKv {
  readonly resources: KV;
  readonly secrets: KV;
  readonly xds: KV;
  readonly infra: KV;
  readonly status: KV;

  private constructor(
    readonly nc: NatsConnection,
    readonly instance: InstanceName,
    buckets: InstanceBuckets,
  ) {
    ({ resources: this.resources, secrets: this.secrets, xds: this.xds, infra: this.infra, status: this.status } = buckets);
  }

  /** Connects as the admin and creates the input buckets with the watcher's settings. */
  static async open(nats: NatsHandle, instance: InstanceName): Promise<InstanceKv> {
    const nc = await connect({ servers: nats.url, user: nats.admin.user, pass: nats.admin.password });
    const kvm = new Kvm(nc);
    const resources = await kvm.create(bucketName(instance, 'resources'), { history: 1, description: 'normalized Kubernetes objects (watcher)' });
    const secrets = await kvm.create(bucketName(instance, 'secrets'), { history: 1, description: 'Secrets referenced by Gateways (watcher)' });
    const [xds, infra, status] = await Promise.all(
      (['xds', 'infra', 'status'] as const).map((purpose) => kvm.create(bucketName(instance, purpose), { history: 1 })),
    );
    return new InstanceKv(nc, instance, { resources, secrets, xds: xds as KV, infra: infra as KV, status: status as KV });
  }

  /** Writes an object as the watcher would: key from resourceKey, the object as JSON. Secrets go to their own bucket. */
  async put<T extends { kind: string; metadata: { name: string; namespace?: string | undefined } }>(object: T): Promise<number> {
    const bucket = object.kind === 'Secret' ? this.secrets : this.resources;
    return bucket.put(resourceKey({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name }), JSON.stringify(object));
  }

  async delete(ref: { kind: string; namespace?: string; name: string }): Promise<void> {
    await (ref.kind === 'Secret' ? this.secrets : this.resources).delete(resourceKey(ref));
  }

  async manifest(gateway: GatewayRef): Promise<XdsManifest | undefined> {
    const entry = await this.xds.get(xdsManifestKey(gateway));
    return entry === null || entry.operation !== 'PUT' ? undefined : xdsManifestSchema.parse(entry.json());
  }

  /** Every live key of a bucket with its revision. */
  async revisions(kv: KV, filter = '>'): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for await (const key of await kv.keys(filter)) {
      const entry = await kv.get(key);
      if (entry !== null && entry.operation === 'PUT') out.set(key, entry.revision);
    }
    return out;
  }

  /** Every event on the instance's events stream so far, parsed with the contract. */
  async events(): Promise<MicrogatewayEvent[]> {
    const jsm = await jetstreamManager(this.nc);
    const stream = eventsStreamName(this.instance);
    const count = (await jsm.streams.info(stream)).state.messages;
    if (count === 0) return [];
    const consumer = await jetstream(this.nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    const out: MicrogatewayEvent[] = [];
    const messages = await consumer.fetch({ max_messages: count, expires: 5_000 });
    for await (const message of messages) {
      out.push(microgatewayEventSchema.parse(message.json()));
      if (out.length >= count) break;
    }
    return out;
  }

  /** The shared render consumer as the server sees it (ack-pending: jobs taken and not acked yet). */
  async renderConsumer(): Promise<ConsumerInfo> {
    return (await jetstreamManager(this.nc)).consumers.info(jobStreamName(this.instance, 'render'), jobConsumerName('render'));
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}
