import { bootstrapSecretName, spiffeId, type CertJob, type GatewayRef, type InstanceName } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import type { TrustState } from './authority.js';
import { publishCertificateEvent, type CertificateEvents } from './adapters/events.js';
import type { InfraBucket } from './adapters/infra.js';
import type { JobOutcome } from './adapters/job-queue.js';
import { SecretConflictError, type SecretStore, type StoredSecret } from './adapters/secrets.js';
import type { CaMetrics } from './metrics.js';
import {
  dependsOnTrust,
  isBootstrapSecretOf,
  backoffDelay,
  bootstrapSecret,
  evaluateBootstrapSecret,
  expectedSdsFiles,
  inspectCertificate,
  signEngineCertificate,
  type BackoffPolicy,
  type BootstrapLayout,
  type Clock,
  type GatewayOwner,
  type KeyPairPem,
  type RandomBytes,
  type Verdict,
} from './pki/index.js';

export interface IssuerDeps {
  instance: InstanceName;
  trust: () => TrustState;
  /** Re-reads the CA Secret (see TrustHolder.refresh). */
  refreshTrust: () => Promise<void>;
  infra: InfraBucket;
  store: SecretStore;
  events: CertificateEvents;
  metrics: CaMetrics;
  logger: Logger;
  clock: Clock;
  random: RandomBytes;
  generateKeys: () => Promise<KeyPairPem>;
  layout: BootstrapLayout;
  lifetimeMs: number;
  renewEveryMs: number;
  backoff: BackoffPolicy;
}

/** A conflict means another writer got there first: look again soon, without the failure backoff. */
const CONFLICT_RETRY_MS = 250;

/**
 * Handles cert jobs: gathers the state (infra entry, bootstrap Secret), lets the pure checks
 * decide, and acts. A job only says which Gateway to look at, so handling it twice is harmless:
 * the second time the checks find a valid Secret and nothing is issued.
 */
export class BootstrapIssuer {
  constructor(private readonly deps: IssuerDeps) {}

  async handle(job: CertJob, attempt: number): Promise<JobOutcome> {
    const outcome = await this.handleOnce(job).catch((error: unknown) => this.failed(job, attempt, error));
    this.deps.metrics.jobs.inc({ reason: job.reason, outcome: outcome.kind });
    return outcome;
  }

  private async handleOnce(job: CertJob): Promise<JobOutcome> {
    const { gateway } = job;
    const current = await this.deps.infra.get(gateway);
    const observed = await this.deps.store.get(gateway.namespace, bootstrapSecretName(gateway.name));
    if (!current || current.kind === 'delete') return this.remove(gateway, observed);
    if (current.kind === 'invalid') {
      this.deps.metrics.failures.inc({ kind: 'bootstrap', reason: 'InvalidInfraEntry' });
      this.deps.logger.error({ gateway, problem: current.problem }, 'the infra entry is invalid; no certificate until the renderer fixes it');
      return { kind: 'drop', why: 'invalid infra entry' };
    }
    let verdict = this.evaluate(current.gateway, observed);
    if (dependsOnTrust(verdict)) {
      await this.deps.refreshTrust();
      verdict = this.evaluate(current.gateway, observed);
    }
    if (verdict.action === 'keep') return { kind: 'ack' };
    await this.issue(job, current.gateway, observed, verdict);
    return { kind: 'ack' };
  }

  evaluate(gateway: GatewayOwner, observed: StoredSecret | undefined): Verdict {
    const trust = this.deps.trust();
    return evaluateBootstrapSecret({
      instance: this.deps.instance,
      gateway,
      secret: observed && { data: observed.data, ownerUids: observed.ownerUids },
      signingCaPem: trust.ca.certificatePem,
      caBundlePem: trust.bundlePem,
      sdsFiles: expectedSdsFiles(this.deps.layout),
      policy: { renewEveryMs: this.deps.renewEveryMs, clock: this.deps.clock },
    });
  }

  private async issue(job: CertJob, gateway: GatewayOwner, observed: StoredSecret | undefined, verdict: Exclude<Verdict, { action: 'keep' }>): Promise<void> {
    const { deps } = this;
    const trust = deps.trust();
    const keys = await deps.generateKeys();
    const certificatePem = signEngineCertificate({
      ca: trust.ca,
      instance: deps.instance,
      gateway,
      publicKeyPem: keys.publicKeyPem,
      validity: { notBefore: deps.clock.now(), lifetimeMs: deps.lifetimeMs },
      random: deps.random,
    });
    const manifest = bootstrapSecret(deps.instance, gateway, { certificatePem, privateKeyPem: keys.privateKeyPem, caBundlePem: trust.bundlePem }, deps.layout);
    const { metadata } = manifest;
    // A Secret of that name that we do not manage is replaced too: the name is ours by convention.
    await deps.store.write(
      { name: metadata.name, namespace: metadata.namespace, labels: metadata.labels, annotations: metadata.annotations, ownerReferences: metadata.ownerReferences, data: manifest.stringData },
      observed,
    );
    const facts = inspectCertificate(certificatePem);
    deps.metrics.issued.inc({ kind: 'bootstrap', action: verdict.action });
    deps.metrics.issuanceSeconds.observe({ kind: 'bootstrap', action: verdict.action }, Math.max(0, Date.now() - Date.parse(job.requestedAt)) / 1_000);
    deps.logger.info({ gateway: { namespace: gateway.namespace, name: gateway.name }, action: verdict.action, reason: verdict.reason, serial: facts.serial }, 'bootstrap certificate written');
    const certificate = {
      gateway: { namespace: gateway.namespace, name: gateway.name },
      secret: { namespace: metadata.namespace, name: metadata.name },
      serial: facts.serial,
      notBefore: facts.notBefore.toISOString(),
      notAfter: facts.notAfter.toISOString(),
      spiffeId: spiffeId(deps.instance, gateway),
    };
    await publishCertificateEvent(deps.events, verdict, certificate);
  }

  /** The Gateway has no infra entry (any more): its bootstrap Secret goes, if it is ours. */
  private async remove(gateway: GatewayRef, observed: StoredSecret | undefined): Promise<JobOutcome> {
    if (!observed || !isBootstrapSecretOf(observed.labels, this.deps.instance)) return { kind: 'ack' };
    await this.deps.store.delete(observed.namespace, observed.name, observed.uid);
    this.deps.logger.info({ gateway }, 'bootstrap Secret deleted with its Gateway');
    return { kind: 'ack' };
  }

  private failed(job: CertJob, attempt: number, error: unknown): JobOutcome {
    if (error instanceof SecretConflictError) return { kind: 'retry', delayMs: CONFLICT_RETRY_MS, why: error.message };
    const delayMs = backoffDelay(attempt, this.deps.backoff);
    this.deps.metrics.failures.inc({ kind: 'bootstrap', reason: (error as Error).name || 'Error' });
    this.deps.logger.warn({ err: error, gateway: job.gateway, attempt, retryInMs: delayMs }, 'cert job failed; retrying with backoff');
    // publish() reports its own failures; the job's outcome does not wait for the event.
    void this.deps.events.publish('dev.microgateway.certificate.failed', {
      gateway: { namespace: job.gateway.namespace, name: job.gateway.name },
      reason: (error as Error).name || 'Error',
      message: (error as Error).message,
      attempt,
      retryInSeconds: delayMs / 1_000,
    });
    return { kind: 'retry', delayMs, why: (error as Error).message };
  }
}
