import { gatewayKey, type CertJobReason, type GatewayRef } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import type { InfraChange } from './adapters/infra.js';
import type { CertJobQueue } from './adapters/job-queue.js';
import type { StoredSecret } from './adapters/secrets.js';
import type { BootstrapIssuer } from './issuer.js';
import { GATEWAY_NAME_ANNOTATION, type Clock, type GatewayOwner } from './pki/index.js';

/** setTimeout's limit (~24.8 days); a later renewal is re-armed when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const ENQUEUE_RETRY_MS = 2_000;

/** The timer functions the tracker arms renewals with; the real ones by default, a manual queue in tests. */
export interface Timers {
  set(callback: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (callback, delayMs) => setTimeout(callback, delayMs).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface Scheduled {
  timer: unknown;
  serial: string;
  notAfter: Date;
}

export interface TrackerDeps {
  queue: Pick<CertJobQueue, 'enqueue'>;
  issuer: Pick<BootstrapIssuer, 'evaluate'>;
  clock: Clock;
  logger: Logger;
  timers?: Timers;
  /**
   * Names the CA state a judgement was made under (TrustHolder.fingerprint). It goes into the id of
   * repair jobs, so a Secret version judged again after a CA rotation step is not deduplicated
   * against a job for the same version under the previous step.
   */
  trustVersion?: () => string;
}

/**
 * Every replica's view of the Gateways (from the infra bucket) and their bootstrap Secrets (from
 * the Secret watch). It turns what it notices into cert jobs and keeps one renewal timer per
 * certificate, armed at its renewal time: scheduled, not polled. All replicas notice the same
 * facts and enqueue the same message ids, so each fact becomes one job, handled by one replica;
 * no leader is needed, and a replica that dies takes nothing with it.
 */
export class CertificateTracker {
  private readonly gateways = new Map<string, GatewayOwner>();
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly scheduled = new Map<string, Scheduled>();
  private infraSynced = false;
  private stopped = false;
  private readonly timers: Timers;

  constructor(private readonly deps: TrackerDeps) {
    this.timers = deps.timers ?? realTimers;
  }

  onInfraChange(change: InfraChange): void {
    const key = gatewayKey(change.gateway);
    if (change.kind === 'upsert') {
      this.gateways.set(key, change.gateway);
      this.enqueue(change.gateway, 'infra-changed', `rev-${change.revision}`);
      return;
    }
    this.gateways.delete(key);
    this.cancel(key);
    // An invalid entry still goes to a worker, which reports it (and leaves the Secret alone).
    this.enqueue(change.gateway, change.kind === 'invalid' ? 'infra-changed' : 'infra-deleted', `rev-${change.revision}`);
  }

  /** The initial infra entries are known: Secrets of Gateways that vanished while we were away can go. */
  onInfraSynced(): void {
    this.infraSynced = true;
    for (const [key, secret] of this.secrets) if (!this.gateways.has(key)) this.orphaned(secret);
  }

  onSecretUpsert(secret: StoredSecret): void {
    const gateway = gatewayOf(secret);
    if (!gateway) return;
    const key = gatewayKey(gateway);
    this.secrets.set(key, secret);
    const owner = this.gateways.get(key);
    if (!owner) {
      if (this.infraSynced) this.orphaned(secret);
      return;
    }
    const verdict = this.deps.issuer.evaluate(owner, secret);
    if (verdict.action === 'keep') {
      this.schedule(owner, verdict.certificate.serial, verdict.renewAt, verdict.certificate.notAfter);
      return;
    }
    this.cancel(key);
    if (verdict.action === 'renew') this.enqueue(owner, 'renewal-due', `serial-${verdict.certificate.serial}`);
    else this.enqueue(owner, 'secret-changed', `rv-${secret.resourceVersion}${this.deps.trustVersion ? `-ca-${this.deps.trustVersion()}` : ''}`);
  }

  onSecretDelete(secret: StoredSecret): void {
    const gateway = gatewayOf(secret);
    if (!gateway) return;
    const key = gatewayKey(gateway);
    this.secrets.delete(key);
    this.cancel(key);
    if (this.gateways.has(key)) this.enqueue(gateway, 'secret-changed', `deleted-${secret.uid}`);
  }

  /** Re-judges every known Secret (after the CA changed): those signed by the old CA get repair jobs. */
  resync(): void {
    for (const secret of [...this.secrets.values()]) this.onSecretUpsert(secret);
  }

  /** The bootstrap Secrets of the Gateways in infra; undefined until the infra bucket was read (an empty view would prove nothing). */
  leafSecrets(): StoredSecret[] | undefined {
    if (!this.infraSynced) return undefined;
    return [...this.secrets].filter(([key]) => this.gateways.has(key)).map(([, secret]) => secret);
  }

  /** notAfter of every certificate with a renewal timer (for the expiry metric). */
  notAfters(): Date[] {
    return [...this.scheduled.values()].map((s) => s.notAfter);
  }

  get pendingRenewals(): number {
    return this.scheduled.size;
  }

  stop(): void {
    this.stopped = true;
    for (const key of [...this.scheduled.keys()]) this.cancel(key);
  }

  private orphaned(secret: StoredSecret): void {
    const gateway = gatewayOf(secret);
    if (gateway) this.enqueue(gateway, 'infra-deleted', `orphan-${secret.uid}`);
  }

  private schedule(gateway: GatewayOwner, serial: string, renewAt: Date, notAfter: Date): void {
    const key = gatewayKey(gateway);
    const existing = this.scheduled.get(key);
    if (existing?.serial === serial) return;
    this.cancel(key);
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, renewAt.getTime() - this.deps.clock.now().getTime()));
    const timer = this.timers.set(() => {
      this.scheduled.delete(key);
      if (delay === MAX_TIMER_MS) this.schedule(gateway, serial, renewAt, notAfter);
      else this.enqueue(gateway, 'renewal-due', `serial-${serial}`);
    }, delay);
    this.scheduled.set(key, { timer, serial, notAfter });
  }

  private cancel(key: string): void {
    const existing = this.scheduled.get(key);
    if (existing) this.timers.clear(existing.timer);
    this.scheduled.delete(key);
  }

  private enqueue(gateway: GatewayRef, reason: CertJobReason, fact: string): void {
    if (this.stopped) return;
    const job = { gateway: { namespace: gateway.namespace, name: gateway.name }, reason, requestedAt: new Date().toISOString() };
    this.deps.queue.enqueue(job, fact).catch((error: unknown) => {
      // NATS is away: the fact is still true when it returns, so try again (the id dedupes).
      this.deps.logger.warn({ err: error, gateway, reason }, 'could not enqueue a cert job; retrying');
      setTimeout(() => this.enqueue(gateway, reason, fact), ENQUEUE_RETRY_MS).unref();
    });
  }
}

function gatewayOf(secret: StoredSecret): GatewayRef | undefined {
  const name = secret.annotations[GATEWAY_NAME_ANNOTATION];
  return name ? { namespace: secret.namespace, name } : undefined;
}
