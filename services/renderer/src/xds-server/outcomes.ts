import { randomUUID } from 'node:crypto';
import type { GatewayRef, InstanceName, XdsOutcomeFact } from '@microgateway/contracts';
import { buildEvent, eventNatsSubject, gatewayKey, statusKey, XDS_STATUS_REPORTER, xdsOutcomeFactSchema } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';

/**
 * What Engines answer becomes facts and events: an ACK of a new version → `config.accepted` and
 * the Gateway's EngineConfig fact `applied`; a NACK → `config.rejected` and the fact `rejected`
 * with Envoy's message (the deployer turns it into Programmed=False). The fact is written only when
 * the verdict or the version changes, so a thousand Engines ACKing the same version write once per
 * replica at most. A lost write is logged and counted, never breaks a stream.
 */

export interface Verdict {
  gateway: GatewayRef;
  node: string;
  version: string;
  typeUrl: string;
  message?: string;
}

export class OutcomeReporter {
  private readonly lastFact = new Map<string, string>();
  /** The version this replica last announced as accepted, per Gateway. */
  private readonly announced = new Map<string, string>();

  constructor(
    private readonly deps: {
      instance: InstanceName;
      js: JetStreamClient;
      status: KV;
      logger: Logger;
      onFailure: () => void;
    },
  ) {}

  /**
   * One `config.accepted` per Gateway and version from this replica (naming the first Engine that
   * holds it), not one per Engine: a thousand Engines of one Gateway would otherwise cost a
   * thousand JetStream publishes per push. Rejections stay per Engine — each is news.
   */
  async applied(verdict: Verdict): Promise<void> {
    const id = gatewayKey(verdict.gateway);
    const first = this.announced.get(id) !== verdict.version;
    if (first) this.announced.set(id, verdict.version);
    await Promise.all([this.writeFact(verdict, 'applied'), first ? this.publish('dev.microgateway.config.accepted', verdict) : undefined]);
  }

  async rejected(verdict: Verdict & { message: string }): Promise<void> {
    await Promise.all([this.writeFact(verdict, 'rejected'), this.publish('dev.microgateway.config.rejected', verdict)]);
  }

  private async writeFact(verdict: Verdict, outcome: XdsOutcomeFact['outcome']): Promise<void> {
    const { gateway } = verdict;
    const fact = xdsOutcomeFactSchema.parse({
      kind: 'EngineConfig',
      namespace: gateway.namespace,
      name: gateway.name,
      outcome,
      version: verdict.version,
      ...(outcome === 'rejected' ? { message: truncate(verdict.message ?? '', 32_768), typeUrl: verdict.typeUrl } : {}),
      node: verdict.node,
    });
    const id = gatewayKey(gateway);
    const memo = `${outcome}/${verdict.version}`;
    if (this.lastFact.get(id) === memo) return;
    // One type refused makes the version rejected; ACKs of its other types do not undo that.
    if (outcome === 'applied' && this.lastFact.get(id) === `rejected/${verdict.version}`) return;
    this.lastFact.set(id, memo);
    try {
      await this.deps.status.put(statusKey({ kind: 'Gateway', namespace: gateway.namespace, name: gateway.name }, XDS_STATUS_REPORTER), JSON.stringify(fact));
    } catch (error) {
      this.lastFact.delete(id);
      this.deps.onFailure();
      this.deps.logger.warn({ err: error, gateway, outcome }, 'could not write the Engine config fact');
    }
  }

  private async publish(type: 'dev.microgateway.config.accepted' | 'dev.microgateway.config.rejected', verdict: Verdict): Promise<void> {
    const data = { gateway: verdict.gateway, version: verdict.version, node: verdict.node, typeUrl: verdict.typeUrl, ...(type === 'dev.microgateway.config.rejected' ? { message: truncate(verdict.message ?? '', 4_096) } : {}) };
    try {
      const event = buildEvent(type, data, { instance: this.deps.instance, source: 'renderer', id: randomUUID(), time: new Date() });
      const msgID = `${type}/${verdict.gateway.namespace}/${verdict.gateway.name}/${verdict.node}/${verdict.version}/${verdict.typeUrl}`;
      await this.deps.js.publish(eventNatsSubject(this.deps.instance, event), JSON.stringify(event), { msgID });
    } catch (error) {
      this.deps.onFailure();
      this.deps.logger.warn({ err: error, gateway: verdict.gateway, type }, 'could not publish an Engine config event');
    }
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
