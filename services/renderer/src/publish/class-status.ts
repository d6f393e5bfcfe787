import type { StatusFact } from '@microgateway/contracts';
import { statusKey } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import type { KV } from '@nats-io/kv';
import type { ResourceCache } from '../cache/resource-cache.js';
import { translateGatewayClass } from '../translate/index.js';

/** The reporter of GatewayClass facts that no Gateway's translation owns (see statusKey). */
export const CLASS_STATUS_REPORTER = 'renderer@class';

/**
 * Each GatewayClass of this instance gets a fact of its own, so a class without Gateways is
 * Accepted and follows its generation (conformance GatewayClassObservedGenerationBump). Every
 * replica sees the change and may publish; a value equal to the stored one is not rewritten, so
 * replicas agree without a job queue. Work is serialized per class.
 */
export class ClassStatusPublisher {
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly cache: ResourceCache,
    private readonly status: KV,
    private readonly controllerName: string,
    private readonly logger: Logger,
  ) {}

  publish(name: string): void {
    const previous = this.pending.get(name) ?? Promise.resolve();
    const next = previous.then(() => this.publishNow(name)).catch((error: unknown) => this.logger.warn({ err: error, gatewayClass: name }, 'could not publish the GatewayClass status fact'));
    this.pending.set(name, next);
    void next.finally(() => {
      if (this.pending.get(name) === next) this.pending.delete(name);
    });
  }

  publishAll(): void {
    for (const gatewayClass of this.cache.resources().gatewayClasses) this.publish(gatewayClass.metadata.name);
  }

  private async publishNow(name: string): Promise<void> {
    const resources = this.cache.resources();
    const gatewayClass = resources.gatewayClasses.find((c) => c.metadata.name === name);
    const fact: StatusFact | undefined = gatewayClass === undefined ? undefined : translateGatewayClass(resources, gatewayClass, { controllerName: this.controllerName });
    const key = statusKey({ kind: 'GatewayClass', name }, CLASS_STATUS_REPORTER);
    const current = await this.status.get(key);
    const stored = current?.operation === 'PUT' ? current.string() : undefined;
    if (fact === undefined) {
      if (stored !== undefined) await this.status.delete(key);
      return;
    }
    const json = JSON.stringify(fact);
    if (json !== stored) await this.status.put(key, json);
  }
}
