import {
  CA_COMPONENT,
  COMPONENT_LABEL,
  INSTANCE_LABEL,
  SYSTEM_NAMESPACE,
  WEBHOOK_SERVING_COMPONENT,
  XDS_SERVING_COMPONENT,
  caSecretName,
  deployerWebhookSecretName,
  deployerWebhookServiceName,
  rendererServiceName,
  rendererServingSecretName,
  sidecarInjectorWebhookConfigName,
  type InstanceName,
} from '@microgateway/contracts';
import type { ServiceContext, StartedService } from '@microgateway/runtime';
import type { KubeConfig } from '@kubernetes/client-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { TrustHolder, ensureCertificateAuthority } from './authority.js';
import type { CaConfig } from './config.js';
import { CertificateEvents } from './adapters/events.js';
import { InfraBucket } from './adapters/infra.js';
import { CertJobQueue } from './adapters/job-queue.js';
import { generateEcKeyPair, generateRsaKeyPair, secureRandom } from './adapters/keys.js';
import { SecretInformer, type SecretSource } from './adapters/secret-informer.js';
import { SecretStore } from './adapters/secrets.js';
import { WebhookConfigStore } from './adapters/webhook-configs.js';
import { BootstrapIssuer } from './issuer.js';
import { createCaMetrics, recordExpiries } from './metrics.js';
import { bootstrapSecretSelector, type Clock } from './pki/index.js';
import { CaRotator } from './rotator.js';
import { ServingCertificateKeeper, type ServingTarget } from './serving.js';
import { CertificateTracker } from './tracker.js';
import { WebhookBundleKeeper } from './webhook-bundle.js';

const EXPIRY_METRIC_INTERVAL_MS = 15_000;
/** The webhook configuration is watched; this resync only covers a missed event. */
const WEBHOOK_BUNDLE_RESYNC_MS = 30_000;
const WEBHOOK_BUNDLE_RETRY_MS = 5_000;

/** The in-cluster names of the renderer Service: what Engines dial and the serving certificate names. */
export function defaultXdsServerNames(instance: InstanceName): string[] {
  const service = rendererServiceName(instance);
  return [`${service}.${SYSTEM_NAMESPACE}.svc`, `${service}.${SYSTEM_NAMESPACE}.svc.cluster.local`, `${service}.${SYSTEM_NAMESPACE}`, service];
}

/** The in-cluster names of the deployer's webhook Service: what the API server calls (ADR 0013). */
export function defaultWebhookServerNames(instance: InstanceName): string[] {
  const service = deployerWebhookServiceName(instance);
  return [`${service}.${SYSTEM_NAMESPACE}.svc`, service];
}

/** Every serving certificate the ca keeps: the renderer's xDS one and the deployer's webhook one. */
export function servingTargets(instance: InstanceName, xdsServerNames: readonly string[]): ServingTarget[] {
  return [
    { what: 'xDS', secretName: rendererServingSecretName(instance), component: XDS_SERVING_COMPONENT, dnsNames: xdsServerNames },
    { what: 'webhook', secretName: deployerWebhookSecretName(instance), component: WEBHOOK_SERVING_COMPONENT, dnsNames: defaultWebhookServerNames(instance) },
  ];
}

const systemClock: Clock = { now: () => new Date() };

/** Every bootstrap Secret of the instance, in all namespaces. */
function bootstrapSecrets(store: SecretStore, instance: InstanceName): SecretSource {
  const labelSelector = bootstrapSecretSelector(instance);
  return { path: '/api/v1/secrets', labelSelector, list: () => store.api.listSecretForAllNamespaces({ labelSelector }) };
}

/** The CA Secret and the serving Secrets (its namespace's Secrets labelled as any of them; the holder and the rotator pick them by name). */
function systemSecrets(store: SecretStore, instance: InstanceName): SecretSource {
  const labelSelector = `${INSTANCE_LABEL}=${instance},${COMPONENT_LABEL} in (${CA_COMPONENT},${XDS_SERVING_COMPONENT},${WEBHOOK_SERVING_COMPONENT})`;
  return {
    path: `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets`,
    labelSelector,
    list: () => store.api.listNamespacedSecret({ namespace: SYSTEM_NAMESPACE, labelSelector }),
  };
}

/**
 * Wires the ca: the CA first (nothing can be signed without it), then the serving certificate,
 * the work queue and its workers, and last the watches that turn changes into jobs.
 */
export async function startCa(context: ServiceContext<CaConfig>, kubeConfig: KubeConfig): Promise<StartedService> {
  const { config, logger, nats, signal } = context;
  const { certificates, jobs } = config;
  const instance = config.instance;
  const clock = systemClock;
  const metrics = createCaMetrics(context.metrics);
  const store = new SecretStore(kubeConfig);
  const generateKeys = generateEcKeyPair;
  const backoff = { initialMs: jobs.backoffInitialSeconds * 1_000, maxMs: jobs.backoffMaxSeconds * 1_000 };
  const renewEveryMs = certificates.renewEverySeconds * 1_000;

  const initialTrust = await ensureCertificateAuthority({
    store, instance, clock, random: secureRandom, generateKeys: () => generateRsaKeyPair(certificates.caRsaKeyBits), caLifetimeMs: certificates.caLifetimeSeconds * 1_000, logger: logger.child({ runner: 'authority' }),
  });
  const trust = new TrustHolder(initialTrust, caSecretName(instance), clock, logger.child({ runner: 'authority' }));
  const refreshTrust = (): Promise<void> => trust.refresh(store);
  const js = jetstream(nats.connection);
  const jsm = await jetstreamManager(nats.connection);
  const events = new CertificateEvents(js, instance, logger, () => metrics.eventFailures.inc());
  const xdsServerNames = config.bootstrap.xdsServerNames ?? defaultXdsServerNames(instance);

  const targets = servingTargets(instance, xdsServerNames);
  const serving = targets.map((target) => new ServingCertificateKeeper({
    instance, target, store, trust: () => trust.current(), refreshTrust, events, metrics, logger: logger.child({ runner: 'serving', secret: target.secretName }), clock, random: secureRandom, generateKeys,
    lifetimeMs: certificates.servingLifetimeSeconds * 1_000, renewEveryMs, backoff,
  }));
  await Promise.all(serving.map((keeper) => keeper.start()));
  const webhookBundle = new WebhookBundleKeeper({
    store: new WebhookConfigStore(kubeConfig, sidecarInjectorWebhookConfigName(instance)), trust: () => trust.current(), metrics, logger: logger.child({ runner: 'webhook-bundle' }),
    resyncMs: WEBHOOK_BUNDLE_RESYNC_MS, retryMs: WEBHOOK_BUNDLE_RETRY_MS,     // Started once the rotator it pokes exists (below).
    onBundlesChanged: () => rotator.poke(),
  });

  const queue = await CertJobQueue.open(js, jsm, instance, { ackWaitMs: jobs.ackWaitSeconds * 1_000, duplicateWindowMs: jobs.duplicateWindowSeconds * 1_000, concurrency: jobs.concurrency, retryDelayMs: jobs.backoffInitialSeconds * 1_000 }, logger);
  const infra = await InfraBucket.open(js, jsm, instance, { signal, logger });
  const issuer = new BootstrapIssuer({
    instance, trust: () => trust.current(), refreshTrust, infra, store, events, metrics, logger: logger.child({ runner: 'issuer' }), clock, random: secureRandom, generateKeys,
    layout: { mountPath: config.bootstrap.mountPath, xdsServerNames }, lifetimeMs: certificates.bootstrapLifetimeSeconds * 1_000, renewEveryMs, backoff,
  });
  const workers = queue.consume((job, attempt) => issuer.handle(job, attempt));

  const tracker = new CertificateTracker({ queue, issuer, clock, logger: logger.child({ runner: 'tracker' }), trustVersion: () => trust.fingerprint() });
  const rotator = new CaRotator({
    store, instance, clock, random: secureRandom, generateCaKeys: () => generateRsaKeyPair(certificates.caRsaKeyBits), caLifetimeMs: certificates.caLifetimeSeconds * 1_000,
    rotateAtFraction: certificates.caRotateAtFraction, minPhaseMs: certificates.caRotationMinPhaseSeconds * 1_000,
    bootstrapSecrets: () => tracker.leafSecrets(), servingSecretNames: targets.map((t) => t.secretName), otherBundles: () => webhookBundle.bundles(), onCaWritten: (secret) => trust.observe(secret), logger: logger.child({ runner: 'rotation' }),
  });
  const informer = new SecretInformer(
    kubeConfig,
    bootstrapSecrets(store, instance),
    {
      onUpsert: (secret) => (tracker.onSecretUpsert(secret), rotator.poke()),
      onDelete: (secret) => (tracker.onSecretDelete(secret), rotator.poke()),
    },
    logger.child({ runner: 'secrets' }),
  );
  const systemInformer = new SecretInformer(
    kubeConfig,
    systemSecrets(store, instance),
    { onUpsert: (secret) => (trust.observe(secret), rotator.observe(secret)), onDelete: () => undefined },
    logger.child({ runner: 'system-secrets' }),
  );
  // A rotation step changes the signer or the bundle: every leaf is judged again at once.
  trust.onChange(() => {
    tracker.resync();
    for (const keeper of serving) keeper.poke();
    webhookBundle.poke();
  });
  await systemInformer.start();
  await informer.start();
  await webhookBundle.start();
  let infraSynced = false;
  const watching = infra.watch((change) => tracker.onInfraChange(change), {
    signal,
    logger,
    onSynced: () => {
      infraSynced = true;
      tracker.onInfraSynced();
      rotator.poke();
    },
  });
  const expiryTimer = setInterval(() => recordExpiries(metrics.expiring, tracker.notAfters(), clock.now()), EXPIRY_METRIC_INTERVAL_MS);
  expiryTimer.unref();
  // A watch or consumer loop that ends by itself leaves the ca deaf. The rejection below is left
  // unhandled on purpose: runService logs it as fatal and exits, so the Pod is restarted.
  for (const [what, loop] of [['the infra watch', watching], ['the cert workers', workers]] as const) {
    void loop.then(() => {
      if (!signal.aborted) throw new Error(`${what} ended unexpectedly`);
    });
  }

  return {
    readinessChecks: {
      infra: () => (infraSynced ? { ready: true } : { ready: false, reason: 'reading the infra bucket' }),
    },
    stop: async () => {
      clearInterval(expiryTimer);
      tracker.stop();
      rotator.stop();
      for (const keeper of serving) keeper.stop();
      await webhookBundle.stop();
      await informer.stop();
      await systemInformer.stop();
      await queue.stop();
      await Promise.allSettled([watching, workers]);
    },
  };
}
