import {
  COMPONENT_LABEL,
  INSTANCE_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  SYSTEM_NAMESPACE,
  type InstanceName,
} from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import type { TrustState } from './authority.js';
import { publishCertificateEvent, type CertificateEvents } from './adapters/events.js';
import { SecretConflictError, type SecretStore } from './adapters/secrets.js';
import type { CaMetrics } from './metrics.js';
import {
  SERVING_CA_KEY,
  SERVING_CERT_KEY,
  SERVING_KEY_KEY,
  backoffDelay,
  dependsOnTrust,
  evaluateServingSecret,
  inspectCertificate,
  signServingCertificate,
  type BackoffPolicy,
  type Clock,
  type KeyPairPem,
  type RandomBytes,
  type ServingVerdict,
} from './pki/index.js';

/** One serving certificate the ca keeps: a Secret in the system namespace naming a Service. */
export interface ServingTarget {
  /** What it serves, for logs and errors ("xDS", "webhook"). */
  what: string;
  secretName: string;
  /** Its `microgateway.dev/component` label value (XDS_SERVING_COMPONENT, WEBHOOK_SERVING_COMPONENT). */
  component: string;
  dnsNames: readonly string[];
}

export interface ServingDeps {
  instance: InstanceName;
  target: ServingTarget;
  store: SecretStore;
  trust: () => TrustState;
  /** Re-reads the CA Secret (see TrustHolder.refresh). */
  refreshTrust: () => Promise<void>;
  events: CertificateEvents;
  metrics: CaMetrics;
  logger: Logger;
  clock: Clock;
  random: RandomBytes;
  generateKeys: () => Promise<KeyPairPem>;
  lifetimeMs: number;
  renewEveryMs: number;
  backoff: BackoffPolicy;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Keeps one serving certificate (the renderer's xDS one, the deployer's webhook one: one Secret in
 * the system namespace each) valid and renewed. Every replica runs one per certificate; writes carry the resourceVersion they read, so when replicas
 * race, one write wins and the others find a valid certificate on their next look.
 */
export class ServingCertificateKeeper {
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(private readonly deps: ServingDeps) {}

  /** Makes the certificate valid now, then keeps it so on a timer. */
  async start(): Promise<void> {
    await this.reconcile();
  }

  /** Looks again now (the CA or its bundle changed). */
  poke(): void {
    this.arm(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async reconcile(): Promise<void> {
    try {
      const renewAt = await this.ensure();
      this.failures = 0;
      this.arm(renewAt.getTime() - this.deps.clock.now().getTime());
    } catch (error) {
      this.failures++;
      const delay = backoffDelay(this.failures, this.deps.backoff);
      this.deps.metrics.failures.inc({ kind: 'serving', reason: (error as Error).name || 'Error' });
      this.deps.logger.warn({ err: error, retryInMs: delay }, `could not ensure the ${this.deps.target.what} serving certificate; retrying`);
      this.arm(delay);
    }
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reconcile(), Math.min(MAX_TIMER_MS, Math.max(0, delayMs)));
    this.timer.unref();
  }

  /** One pass; returns when to look again. Conflicts (another replica wrote) are looked at again at once. */
  private async ensure(): Promise<Date> {
    const name = this.deps.target.secretName;
    for (let attempt = 0; attempt < 5; attempt++) {
      const observed = await this.deps.store.get(SYSTEM_NAMESPACE, name);
      let verdict = this.evaluate(observed?.data);
      if (dependsOnTrust(verdict)) {
        await this.deps.refreshTrust();
        verdict = this.evaluate(observed?.data);
      }
      if (verdict.action === 'keep') return verdict.renewAt;
      try {
        await this.issue(name, verdict, observed);
      } catch (error) {
        if (!(error instanceof SecretConflictError)) throw error;
      }
    }
    throw new Error(`the ${this.deps.target.what} serving Secret kept changing under us`);
  }

  private evaluate(data: Readonly<Record<string, string>> | undefined): ServingVerdict {
    const trust = this.deps.trust();
    return evaluateServingSecret({
      data,
      dnsNames: this.deps.target.dnsNames,
      signingCaPem: trust.ca.certificatePem,
      caBundlePem: trust.bundlePem,
      policy: { renewEveryMs: this.deps.renewEveryMs, clock: this.deps.clock },
    });
  }

  private async issue(name: string, verdict: Exclude<ServingVerdict, { action: 'keep' }>, observed: Awaited<ReturnType<SecretStore['get']>>): Promise<void> {
    const { deps } = this;
    const { target } = deps;
    const started = Date.now();
    const trust = deps.trust();
    const keys = await deps.generateKeys();
    const certificatePem = signServingCertificate({
      ca: trust.ca,
      dnsNames: target.dnsNames,
      publicKeyPem: keys.publicKeyPem,
      validity: { notBefore: deps.clock.now(), lifetimeMs: deps.lifetimeMs },
      random: deps.random,
    });
    const labels = { [INSTANCE_LABEL]: deps.instance, [COMPONENT_LABEL]: target.component, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
    const data = { [SERVING_CERT_KEY]: certificatePem, [SERVING_KEY_KEY]: keys.privateKeyPem, [SERVING_CA_KEY]: trust.bundlePem };
    await deps.store.write({ namespace: SYSTEM_NAMESPACE, name, labels, data }, observed);
    const facts = inspectCertificate(certificatePem);
    const action = verdict.action;
    deps.metrics.issued.inc({ kind: 'serving', action });
    deps.metrics.issuanceSeconds.observe({ kind: 'serving', action }, (Date.now() - started) / 1_000);
    deps.logger.info({ secret: name, action, reason: verdict.reason, serial: facts.serial }, `${target.what} serving certificate written`);
    const certificate = {
      secret: { namespace: SYSTEM_NAMESPACE, name },
      serial: facts.serial,
      notBefore: facts.notBefore.toISOString(),
      notAfter: facts.notAfter.toISOString(),
      dnsNames: [...target.dnsNames],
    };
    await publishCertificateEvent(deps.events, verdict, certificate);
  }
}
