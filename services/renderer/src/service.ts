import type { GatewayRef } from '@microgateway/contracts';
import { bucketName, controllerName, parseGatewayKey, parseXdsKey } from '@microgateway/contracts';
import type { ServiceContext, StartedService } from '@microgateway/runtime';
import { awaitBucket, ensureEventsStream } from '@microgateway/runtime';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { Kvm } from '@nats-io/kv';
import type { KvFeed } from './cache/kv-feed.js';
import { startKvFeed } from './cache/kv-feed.js';
import { ResourceCache } from './cache/resource-cache.js';
import { RevisionWaiter } from './cache/revision-waiter.js';
import { ChangeRouter } from './change-router.js';
import type { RendererConfig } from './config.js';
import { RenderJobQueue } from './jobs/render-queue.js';
import { createRendererMetrics } from './metrics.js';
import { RenderEvents } from './publish/events.js';
import { ClassStatusPublisher } from './publish/class-status.js';
import { KvOutputWriter } from './publish/kv-writer.js';
import { RenderJobHandler } from './render-job.js';
import { startXdsService, type XdsService } from './xds-server/index.js';

/** NATS's default max_payload, for a server that does not say. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

interface Buckets {
  resources: KV;
  secrets: KV;
  xds: KV;
  infra: KV;
  status: KV;
}

/**
 * Creates the output buckets and opens the input buckets, waiting for the watcher to create them:
 * the renderer's NATS user may read the watcher's buckets but not create them (issue 14).
 */
async function openBuckets(kvm: Kvm, instance: string, awaitInput: (name: string) => Promise<KV>): Promise<Buckets> {
  const [resources, secrets, xds, infra, status] = await Promise.all([
    awaitInput(bucketName(instance, 'resources')),
    awaitInput(bucketName(instance, 'secrets')),
    kvm.create(bucketName(instance, 'xds'), { history: 1, description: 'Envoy resources per Gateway, one key each, and a manifest (renderer)' }),
    kvm.create(bucketName(instance, 'infra'), { history: 1, description: 'what the deployer runs per Gateway (renderer)' }),
    kvm.create(bucketName(instance, 'status'), { history: 1, description: 'condition facts per object and reporter' }),
  ]);
  return { resources, secrets, xds, infra, status };
}

async function keysOf(kv: KV, filter: string): Promise<string[]> {
  const out: string[] = [];
  for await (const key of await kv.keys(filter)) out.push(key);
  return out;
}

/** Every Gateway to re-check at startup: those in the cache and those with published output (maybe deleted since). */
async function knownGateways(cache: ResourceCache, buckets: Buckets): Promise<GatewayRef[]> {
  const found = new Map<string, GatewayRef>();
  const add = (ref: GatewayRef): void => void found.set(`${ref.namespace}/${ref.name}`, ref);
  for (const gateway of cache.world().gateways) add({ namespace: gateway.metadata.namespace, name: gateway.metadata.name });
  for (const key of await keysOf(buckets.xds, '*.*.manifest')) add(parseXdsKey(key).gateway);
  for (const key of await keysOf(buckets.infra, '>')) add(parseGatewayKey(key));
  return [...found.values()];
}

/**
 * The renderer: a resources cache fed by the KV watch, render jobs through the shared work queue,
 * and the outputs in KV `xds`, `infra`, `status` plus `config.rendered` events.
 */
export async function startRenderer(context: ServiceContext<RendererConfig>): Promise<StartedService> {
  const { config, logger, nats } = context;
  const settings = config.renderer;
  const metrics = createRendererMetrics(context.metrics);
  const js = jetstream(nats.connection);
  const jsm = await jetstreamManager(nats.connection);
  await ensureEventsStream(jsm, config.instance, { maxAgeMs: settings.eventsMaxAgeHours * 3_600_000 });
  const buckets = await openBuckets(new Kvm(js), config.instance, (name) => awaitBucket(js, jsm, name, { signal: context.signal, logger, creator: 'watcher' }));
  const queue = await RenderJobQueue.open(
    js,
    jsm,
    config.instance,
    {
      ackWaitMs: settings.jobs.ackWaitSeconds * 1000,
      duplicateWindowMs: settings.jobs.duplicateWindowSeconds * 1000,
      concurrency: settings.jobs.concurrency,
      retryDelayMs: settings.jobs.retryDelayMs,
    },
    { logger, events: { onOutcome: (outcome) => metrics.jobs.inc({ outcome }), onRedelivered: () => metrics.redelivered.inc() } },
  );

  const cache = new ResourceCache();
  const waiter = new RevisionWaiter(() => cache.revisions);
  const classes = new ClassStatusPublisher(cache, buckets.status, settings.controllerName ?? controllerName(config.instance), logger);
  const router = new ChangeRouter(cache, (job) => queue.enqueue(job), metrics, logger, { onApplied: () => waiter.advanced(), onClassChanged: (name) => classes.publish(name) });
  let stopping = false;
  const feeds: KvFeed[] = [];
  for (const bucket of ['resources', 'secrets'] as const) {
    const feed = await startKvFeed(bucket, buckets[bucket], (entry) => router.accept(entry), logger);
    feeds.push(feed);
    // A watch that ends while running would leave the cache stale: fail the process (runService
    // exits on an unhandled rejection) so it is restarted and reloads.
    void feed.done.then(() => {
      if (!stopping) throw new Error(`the KV watch of ${bucket} ended`);
    });
  }
  await Promise.all(feeds.map((f) => f.synced));
  router.goLive();
  classes.publishAll();
  const after = cache.revisions;
  const gateways = await knownGateways(cache, buckets);
  router.resync(gateways, after);
  logger.info({ objects: cache.size, gateways: gateways.length, revisions: after }, 'resources cache loaded; re-checking every Gateway');

  const handler = new RenderJobHandler({
    cache,
    waiter,
    writer: new KvOutputWriter(buckets, nats.connection.info?.max_payload ?? DEFAULT_MAX_PAYLOAD, logger),
    events: new RenderEvents(js, config.instance, logger, () => metrics.eventFailures.inc()),
    enqueue: (job) => queue.enqueue(job),
    metrics,
    logger,
    controllerName: settings.controllerName ?? controllerName(config.instance),
    cacheWaitMs: settings.jobs.cacheWaitMs,
    retryDelayMs: settings.jobs.retryDelayMs,
  });
  const consuming = queue.consume((job, attempt) => handler.handle(job, attempt));
  const xds = await startXds(context, js, buckets);
  void consuming.then(() => {
    if (!stopping) throw new Error('the render job consumer ended');
  });

  return {
    ...(xds === undefined ? {} : { readinessChecks: { xds: xds.readiness } }),
    stop: async () => {
      stopping = true;
      await xds?.stop();
      for (const feed of feeds) feed.stop();
      waiter.close();
      await queue.stop();
      await router.flushed();
    },
  };
}

/** Every replica serves xDS when its serving certificate is configured (DESIGN §4). */
async function startXds(context: ServiceContext<RendererConfig>, js: ReturnType<typeof jetstream>, buckets: Buckets): Promise<XdsService | undefined> {
  const { config, logger } = context;
  const { tlsDir, ...server } = config.xds;
  if (tlsDir === undefined) {
    logger.warn('xds.tlsDir is not set: this replica renders but serves no Engines');
    return undefined;
  }
  return startXdsService({ tlsDir, ...server }, { instance: config.instance, js, xds: buckets.xds, status: buckets.status, metrics: context.metrics, logger });
}
