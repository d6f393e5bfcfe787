import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { DeployJob, GatewayRef, ResourceRef } from '@microgateway/contracts';
import { bucketName, controllerName, deployJobMessageId, deployJobSchema } from '@microgateway/contracts';
import type { ServiceContext, StartedService } from '@microgateway/runtime';
import { WorkQueue, awaitBucket, ensureEventsStream, startKvWatch } from '@microgateway/runtime';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { EngineObjects } from './adapters/engine-objects.js';
import { EngineWatch } from './adapters/engine-watch.js';
import { KubeEvents } from './adapters/kube-events.js';
import { StatusStore } from './adapters/status-store.js';
import type { DeployerConfig } from './config.js';
import { DeployJobHandler } from './deploy-job.js';
import { createDeployerMetrics } from './metrics.js';
import { renderSettings } from './render/index.js';
import { engineObjectName } from './render/index.js';
import { FactCache } from './state/fact-cache.js';
import { InfraCache } from './state/infra-cache.js';
import { StatusReconciler } from './status-reconciler.js';

/**
 * The deployer: deploy jobs (one per infra change, through the shared work queue) apply each
 * Gateway's Engine objects; every replica watches the status facts and the Engines' Deployments
 * and Services and writes Kubernetes status when the merge of them changes.
 */
export async function startDeployer(context: ServiceContext<DeployerConfig>, kubeConfig: KubeConfig): Promise<StartedService> {
  const { config, logger, nats, signal } = context;
  const settings = config.deployer;
  const instance = config.instance;
  const metrics = createDeployerMetrics(context.metrics);
  const js = jetstream(nats.connection);
  const jsm = await jetstreamManager(nats.connection);
  await ensureEventsStream(jsm, instance, { maxAgeMs: settings.eventsMaxAgeHours * 3_600_000 });
  const [infraKv, statusKv] = await Promise.all([
    awaitBucket(js, jsm, bucketName(instance, 'infra'), { signal, logger, creator: 'renderer' }),
    awaitBucket(js, jsm, bucketName(instance, 'status'), { signal, logger, creator: 'renderer' }),
  ]);

  const infra = new InfraCache();
  const facts = new FactCache();
  const events = new KubeEvents(kubeConfig, 'microgateway-deployer', logger);
  const reconciler = new StatusReconciler({
    store: new StatusStore(kubeConfig),
    facts,
    infra,
    engine: (namespace, objectName) => engineWatch.observation(namespace, objectName),
    events,
    metrics,
    logger: logger.child({ runner: 'status' }),
    controllerName: settings.controllerName ?? controllerName(instance),
    concurrency: settings.statusConcurrency,
  });
  const gatewayStatus = (gateway: GatewayRef): void => reconciler.schedule({ kind: 'Gateway', ...gateway });
  // Engine object (namespace/name) → its Gateway, for Deployment and Service events.
  const engines = new Map<string, GatewayRef>();
  const engineWatch = new EngineWatch(kubeConfig, instance, (namespace, objectName) => {
    const gateway = engines.get(`${namespace}/${objectName}`);
    if (gateway) gatewayStatus(gateway);
  }, logger.child({ runner: 'engines' }));

  const queue = await WorkQueue.open(js, jsm, {
    instance, kind: 'deploy', owner: 'deployer', schema: deployJobSchema, logger,
    options: { ackWaitMs: settings.jobs.ackWaitSeconds * 1_000, duplicateWindowMs: settings.jobs.duplicateWindowSeconds * 1_000, concurrency: settings.jobs.concurrency, retryDelayMs: settings.jobs.retryDelayMs },
    events: { onOutcome: (outcome) => outcome === 'invalid' && metrics.deploys.inc({ outcome: 'invalid' }) },
  });
  const render = renderSettings({ ...settings.engine, instance });
  const settingsDigest = createHash('sha256').update(JSON.stringify(render)).digest('hex').slice(0, 12);
  const enqueue = (job: DeployJob): void => {
    queue.enqueue(job, deployJobMessageId(job, settingsDigest)).catch((error: unknown) => logger.warn({ err: error, gateway: job.gateway }, 'could not enqueue a deploy job'));
  };
  const handler = new DeployJobHandler({
    instance, infra, objects: new EngineObjects(kubeConfig, instance), settings: render, events, js, metrics,
    logger: logger.child({ runner: 'deploy' }), onApplied: (job) => gatewayStatus(job.gateway),
    retryDelayMs: settings.jobs.retryDelayMs, maxRetryDelayMs: settings.jobs.maxRetryDelayMs,
  });

  await engineWatch.start();
  const infraWatch = await startKvWatch(infraKv, (entry) => {
    const change = infra.apply(entry);
    if (change.kind === 'invalid') {
      metrics.invalidValues.inc({ bucket: 'infra' });
      logger.error({ key: change.key, problem: change.problem }, 'ignoring an infra value that breaks the contract');
      return;
    }
    const engineKey = `${change.gateway.namespace}/${engineObjectName(change.gateway.name)}`;
    if (change.kind === 'delete') engines.delete(engineKey);
    else engines.set(engineKey, change.gateway);
    const reason = change.kind === 'delete' ? 'infra-deleted' : 'infra-changed';
    enqueue({ gateway: change.gateway, revision: change.revision, reason, requestedAt: new Date().toISOString() });
  });
  const factWatch = await startKvWatch(statusKv, (entry) => {
    const change = facts.apply(entry);
    if (change.kind === 'invalid') {
      metrics.invalidValues.inc({ bucket: 'status' });
      logger.error({ key: change.key, problem: change.problem }, 'ignoring a status fact that breaks the contract');
      return;
    }
    scheduleFor(change.ref);
  });
  const scheduleFor = (ref: ResourceRef): void => {
    if (ref.kind === 'Gateway' || ref.kind === 'HTTPRoute') reconciler.schedule({ kind: ref.kind, namespace: ref.namespace, name: ref.name });
    else if (ref.kind === 'GatewayClass') reconciler.schedule({ kind: 'GatewayClass', name: ref.name });
  };
  await Promise.all([infraWatch.synced, factWatch.synced]);
  logger.info({ gateways: infra.gateways().length }, 'infra and status loaded');
  const consuming = queue.consume((job, attempt) => handler.handle(job, attempt));
  for (const [what, loop] of [['the infra watch', infraWatch.done], ['the status watch', factWatch.done], ['the deploy workers', consuming]] as const) {
    // A loop that ends by itself leaves the deployer deaf: fail the process so it is restarted.
    void loop.then(() => {
      if (!signal.aborted) throw new Error(`${what} ended unexpectedly`);
    });
  }

  return {
    stop: async () => {
      infraWatch.stop();
      factWatch.stop();
      await queue.stop();
      await reconciler.stop();
      await engineWatch.stop();
    },
  };
}
