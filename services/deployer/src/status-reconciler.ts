import type { Condition, GatewayRef, GatewayStatus } from '@microgateway/contracts';
import { ConditionType, resourceKey } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import type { KubeEvents } from './adapters/kube-events.js';
import { isConflict, isRetryable } from './adapters/kube-errors.js';
import type { LiveObject, StatusStore, StatusTarget } from './adapters/status-store.js';
import type { DeployerMetrics } from './metrics.js';
import { engineObjectName } from './render/index.js';
import type { FactCache } from './state/fact-cache.js';
import type { InfraCache } from './state/infra-cache.js';
import type { EngineObservation } from './status/index.js';
import { gatewayClassStatus, gatewayStatus, httpRouteStatus, statusChanged } from './status/index.js';

/**
 * Writes Kubernetes status: the deployer is its only writer (DESIGN §1). Any change of a fact, of
 * an Engine's Deployment or Service schedules the objects concerned; each is read, its desired
 * status computed by the pure merge, and written only when that changes something. Writes carry
 * the resourceVersion read, so replicas racing on one object resolve by conflict and re-read
 * (each change is written once). Pending targets are coalesced per object.
 */

export interface StatusReconcilerDeps {
  store: StatusStore;
  facts: FactCache;
  infra: InfraCache;
  engine: (namespace: string, objectName: string) => EngineObservation;
  events: KubeEvents;
  metrics: DeployerMetrics;
  logger: Logger;
  controllerName: string;
  now?: () => Date;
  concurrency?: number;
  retryDelayMs?: number;
}

const MAX_CONFLICT_RETRIES = 5;

export class StatusReconciler {
  private readonly pending = new Map<string, StatusTarget>();
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: StatusReconcilerDeps) {}

  schedule(target: StatusTarget): void {
    if (this.stopped) return;
    this.pending.set(resourceKey(target), target);
    this.pump();
  }

  /** Resolves once nothing is pending or running (tests, shutdown). */
  async idle(): Promise<void> {
    if (this.pending.size === 0 && this.running === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pending.clear();
    await this.idle();
  }

  private pump(): void {
    const limit = this.deps.concurrency ?? 4;
    while (this.running < limit && this.pending.size > 0) {
      const [key, target] = this.pending.entries().next().value as [string, StatusTarget];
      this.pending.delete(key);
      this.running += 1;
      void this.reconcileWithRetry(target).finally(() => {
        this.running -= 1;
        this.pump();
        if (this.pending.size === 0 && this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
    }
  }

  private async reconcileWithRetry(target: StatusTarget): Promise<void> {
    for (let attempt = 1; attempt <= MAX_CONFLICT_RETRIES; attempt += 1) {
      try {
        await this.reconcile(target);
        return;
      } catch (error) {
        if (isConflict(error)) continue;
        this.deps.metrics.statusWrites.inc({ kind: target.kind, result: 'failed' });
        this.deps.logger.warn({ err: error, target }, 'could not write status');
        if (isRetryable(error) && !this.stopped) setTimeout(() => this.schedule(target), this.deps.retryDelayMs ?? 2_000).unref();
        return;
      }
    }
    // Still conflicting: someone writes as fast as we read. Try again later rather than spin.
    setTimeout(() => this.schedule(target), this.deps.retryDelayMs ?? 2_000).unref();
  }

  private async reconcile(target: StatusTarget): Promise<void> {
    const live = await this.deps.store.read(target);
    if (live === undefined) return;
    const now = (this.deps.now ?? (() => new Date()))().toISOString();
    const desired = this.desired(target, live, now);
    if (desired === undefined || !statusChanged(live.status, desired)) {
      this.deps.metrics.statusWrites.inc({ kind: target.kind, result: 'unchanged' });
      return;
    }
    await this.deps.store.write(live, desired);
    this.deps.metrics.statusWrites.inc({ kind: target.kind, result: 'written' });
    if (target.kind === 'Gateway') await this.gatewayEvents(live, desired as GatewayStatus);
  }

  private desired(target: StatusTarget, live: LiveObject, now: string): unknown {
    const { facts } = this.deps;
    const generation = live.metadata.generation ?? 0;
    if (target.kind === 'GatewayClass') {
      const classFacts = facts.classFacts(target.name);
      return classFacts.length === 0 ? undefined : gatewayClassStatus({ generation, existing: live.status as never, facts: classFacts, now });
    }
    if (target.kind === 'HTTPRoute') {
      const routeFacts = facts.routeFacts({ namespace: target.namespace ?? '', name: target.name });
      return httpRouteStatus({ existing: live.status as never, facts: routeFacts, controllerName: this.deps.controllerName, now });
    }
    const gateway: GatewayRef = { namespace: target.namespace ?? '', name: target.name };
    const rendererFacts = facts.gatewayFacts(gateway);
    // Not ours (no translation reports it): its status belongs to whoever owns its class.
    if (rendererFacts.length === 0) return undefined;
    const deployed = this.deps.infra.get(gateway) !== undefined;
    return gatewayStatus({
      generation,
      existing: live.status as GatewayStatus | undefined,
      rendererFacts,
      xds: facts.xdsOutcome(gateway),
      engine: deployed ? this.deps.engine(gateway.namespace, engineObjectName(gateway.name)) : undefined,
      now,
    });
  }

  /** Events where an operator looks: the Engine's config was rejected, or its Engine cannot become ready. */
  private async gatewayEvents(live: LiveObject, desired: GatewayStatus): Promise<void> {
    const before = programmed(live.status as GatewayStatus | undefined);
    const after = programmed(desired);
    if (after === undefined || after.status !== 'False' || (before?.status === 'False' && before.reason === after.reason && before.message === after.message)) return;
    const target = { apiVersion: live.apiVersion, kind: live.kind, namespace: live.metadata.namespace ?? '', name: live.metadata.name, uid: live.metadata.uid };
    if (after.reason === 'Invalid') await this.deps.events.record(target, 'Warning', 'ConfigRejected', after.message);
    else if (/ProgressDeadlineExceeded|progress deadline/i.test(after.message)) await this.deps.events.record(target, 'Warning', 'EngineNotReady', after.message);
  }
}

function programmed(status: GatewayStatus | undefined): Condition | undefined {
  return status?.conditions?.find((c) => c.type === ConditionType.Programmed);
}
