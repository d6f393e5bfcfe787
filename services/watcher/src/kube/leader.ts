// The watcher's leader election: one active writer per instance. Standbys keep their caches warm
// and poll the Lease; the leader renews it and gives up writing before anyone else could take it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@microgateway/runtime';
import type { LeaseObservation, LeaseSpecFields } from '../core/lease.js';
import { claim, mayAcquire, observe } from '../core/lease.js';
import type { KubeHttp } from './http.js';
import { KubeHttpError } from './http.js';

export interface LeaderElectionOptions {
  http: KubeHttp;
  logger: Logger;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  /** The leader stops leading when it could not renew for this long (< leaseDuration). */
  renewDeadlineMs: number;
  /** How often the leader renews and a standby retries. */
  retryPeriodMs: number;
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpecFields;
}

export class LeaderElector {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private observation: LeaseObservation | undefined;
  private leading = false;
  private lastRenewal = 0;

  constructor(private readonly o: LeaderElectionOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops electing; a leader releases the Lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
    if (this.leading) {
      this.setLeading(false);
      await this.release().catch((error: unknown) => this.o.logger.warn({ err: error }, 'could not release the leader Lease'));
    }
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.o.namespace)}/leases`;
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      let renewed = false;
      try {
        renewed = await this.tryAcquireOrRenew();
      } catch (error) {
        this.o.logger.warn({ err: error, lease: `${this.o.namespace}/${this.o.name}` }, 'leader election request failed');
      }
      const now = Date.now();
      if (renewed) {
        this.lastRenewal = now;
        this.setLeading(true);
      } else if (this.leading && now - this.lastRenewal >= this.o.renewDeadlineMs) {
        this.o.logger.error('could not renew the leader Lease in time; stepping down');
        this.setLeading(false);
      }
      await sleep(this.o.retryPeriodMs, undefined, { signal: this.abort.signal }).catch(() => undefined);
    }
  }

  private setLeading(leading: boolean): void {
    if (this.leading === leading) return;
    this.leading = leading;
    this.o.logger.info({ identity: this.o.identity, lease: `${this.o.namespace}/${this.o.name}` }, leading ? 'became the leader' : 'stopped leading');
    if (leading) this.o.onStartedLeading();
    else this.o.onStoppedLeading();
  }

  private async read(): Promise<Lease | undefined> {
    try {
      return await this.o.http.json<Lease>('GET', `${this.path}/${encodeURIComponent(this.o.name)}`, undefined, this.abort.signal);
    } catch (error) {
      if (error instanceof KubeHttpError && error.status === 404) return undefined;
      throw error;
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const lease = await this.read();
    if (lease === undefined) {
      const spec = claim({}, this.o.identity, this.o.leaseDurationSeconds, now);
      return this.write('POST', this.path, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.o.name, namespace: this.o.namespace }, spec });
    }
    const spec = lease.spec ?? {};
    this.observation = observe(this.observation, spec, now.getTime());
    if (!mayAcquire(spec, this.observation, this.o.identity, now.getTime())) return false;
    const next: Lease = { ...lease, spec: claim(spec, this.o.identity, this.o.leaseDurationSeconds, now) };
    return this.write('PUT', `${this.path}/${encodeURIComponent(this.o.name)}`, next);
  }

  /** Create or replace; a conflict (someone else wrote first) means we did not get it. */
  private async write(method: 'POST' | 'PUT', path: string, lease: Lease): Promise<boolean> {
    try {
      await this.o.http.json(method, path, lease, this.abort.signal);
      return true;
    } catch (error) {
      if (error instanceof KubeHttpError && error.status === 409) return false;
      throw error;
    }
  }

  private async release(): Promise<void> {
    const lease = await this.o.http.json<Lease>('GET', `${this.path}/${encodeURIComponent(this.o.name)}`);
    if (lease.spec?.holderIdentity !== this.o.identity) return;
    const spec: LeaseSpecFields = { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1 };
    await this.o.http.json('PUT', `${this.path}/${encodeURIComponent(this.o.name)}`, { ...lease, spec });
  }
}
