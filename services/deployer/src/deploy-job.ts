import { createHash, randomUUID } from 'node:crypto';
import type { DeployJob, GatewayInfra, InstanceName } from '@microgateway/contracts';
import { buildEvent, eventNatsSubject } from '@microgateway/contracts';
import type { JobOutcome, Logger } from '@microgateway/runtime';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { EngineObjects } from './adapters/engine-objects.js';
import { ForeignObjectError } from './adapters/engine-objects.js';
import { isRetryable } from './adapters/kube-errors.js';
import type { KubeEvents } from './adapters/kube-events.js';
import type { DeployerMetrics } from './metrics.js';
import type { KubeObject, RenderSettings } from './render/index.js';
import { engineObjectList, renderEngine } from './render/index.js';
import type { InfraCache } from './state/infra-cache.js';

/**
 * One deploy job: make the Gateway's Engine objects match its infra entry as this replica sees it
 * (once it has seen the job's revision). Apply is server-side apply, so a job repeated after a
 * crash or by a resync changes nothing that is already right.
 */

export interface DeployJobDeps {
  instance: InstanceName;
  infra: InfraCache;
  objects: EngineObjects;
  settings: RenderSettings;
  events: KubeEvents;
  js: JetStreamClient;
  metrics: DeployerMetrics;
  logger: Logger;
  /** Called after the objects changed, so the Gateway's status follows. */
  onApplied: (job: DeployJob) => void;
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

export class DeployJobHandler {
  constructor(private readonly deps: DeployJobDeps) {}

  async handle(job: DeployJob, attempt: number): Promise<JobOutcome> {
    const { infra, metrics, logger } = this.deps;
    if (infra.revision < job.revision) return { kind: 'retry', delayMs: 200, why: `waiting for infra revision ${job.revision} (have ${infra.revision})` };
    const entry = infra.get(job.gateway);
    try {
      if (entry === undefined) {
        const deleted = await this.deps.objects.remove(job.gateway);
        metrics.deploys.inc({ outcome: 'removed' });
        if (deleted.length > 0) logger.info({ gateway: job.gateway, deleted }, 'removed the Engine of a Gateway that is gone');
      } else {
        const objects = engineObjectList(renderEngine(entry, this.deps.settings));
        await this.deps.objects.apply(objects);
        // A Gateway that no longer needs a Service or PDB (no ports, one replica) loses them.
        await this.deps.objects.remove(job.gateway, new Set(objects.map((o) => o.kind)));
        metrics.deploys.inc({ outcome: 'applied' });
        await this.published(entry, objects);
      }
      this.deps.onApplied(job);
      return { kind: 'ack' };
    } catch (error) {
      return this.failed(job, attempt, entry, error);
    }
  }

  private async failed(job: DeployJob, attempt: number, entry: GatewayInfra | undefined, error: unknown): Promise<JobOutcome> {
    const { metrics, logger, events } = this.deps;
    const target = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', namespace: job.gateway.namespace, name: job.gateway.name, uid: entry?.gateway.uid };
    if (error instanceof ForeignObjectError) {
      metrics.deploys.inc({ outcome: 'refused' });
      logger.error({ gateway: job.gateway, object: error.object, owner: error.owner }, error.message);
      await events.record(target, 'Warning', 'EngineObjectConflict', error.message);
      return { kind: 'drop', why: error.message };
    }
    if (isRetryable(error)) {
      metrics.deploys.inc({ outcome: 'retry' });
      const delayMs = Math.min(this.deps.retryDelayMs * 2 ** (attempt - 1), this.deps.maxRetryDelayMs);
      logger.warn({ err: error, gateway: job.gateway, attempt, delayMs }, 'deploy failed; retrying');
      return { kind: 'retry', delayMs, why: (error as Error).message };
    }
    metrics.deploys.inc({ outcome: 'failed' });
    const message = `the Engine objects could not be applied: ${(error as Error).message}`;
    logger.error({ err: error, gateway: job.gateway }, message);
    await events.record(target, 'Warning', 'EngineApplyFailed', message);
    return { kind: 'drop', why: message };
  }

  /** `infra.applied`: which objects now stand for the Gateway (never their content). */
  private async published(entry: GatewayInfra, objects: readonly KubeObject[]): Promise<void> {
    const digest = `sha256:${createHash('sha256').update(JSON.stringify(objects)).digest('hex')}`;
    try {
      const event = buildEvent(
        'dev.microgateway.infra.applied',
        { gateway: { namespace: entry.gateway.namespace, name: entry.gateway.name }, digest, objects: objects.map((o) => ({ kind: o.kind, name: o.metadata.name })) },
        { instance: this.deps.instance, source: 'deployer', id: randomUUID(), time: new Date() },
      );
      await this.deps.js.publish(eventNatsSubject(this.deps.instance, event), JSON.stringify(event), { msgID: `infra.applied/${entry.gateway.namespace}/${entry.gateway.name}/${digest}` });
    } catch (error) {
      this.deps.metrics.eventFailures.inc();
      this.deps.logger.warn({ err: error, gateway: entry.gateway }, 'could not publish infra.applied');
    }
  }
}
