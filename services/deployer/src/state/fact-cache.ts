import type { GatewayRef, ResourceRef, StatusFact, XdsOutcomeFact } from '@microgateway/contracts';
import { XDS_STATUS_REPORTER, parseStatusKey, resourceKey, statusFactSchema, xdsOutcomeFactSchema } from '@microgateway/contracts';
import type { GatewayClassStatusFact, GatewayStatusFact, HttpRouteStatusFact, XdsOutcome } from '../status/index.js';

/**
 * The `status` bucket as this replica last saw it: every service's facts about every object, by
 * object and reporter. A value that breaks its contract is dropped (and reported by the caller);
 * the object's other facts stand.
 */

export interface FactEntry {
  key: string;
  operation: 'PUT' | 'DEL' | 'PURGE';
  value: Uint8Array;
}

export type FactChange = { kind: 'changed'; ref: ResourceRef } | { kind: 'invalid'; key: string; problem: string };

export class FactCache {
  private readonly facts = new Map<string, Map<string, StatusFact>>();
  private readonly engineConfig = new Map<string, XdsOutcomeFact>();

  apply(entry: FactEntry): FactChange {
    let parsedKey: { ref: ResourceRef; reporter: string };
    try {
      parsedKey = parseStatusKey(entry.key);
    } catch (error) {
      return { kind: 'invalid', key: entry.key, problem: (error as Error).message };
    }
    const { ref, reporter } = parsedKey;
    const id = resourceKey(ref);
    if (entry.operation !== 'PUT') {
      if (reporter === XDS_STATUS_REPORTER) this.engineConfig.delete(id);
      else this.facts.get(id)?.delete(reporter);
      return { kind: 'changed', ref };
    }
    const json = parseJson(entry.value);
    if (reporter === XDS_STATUS_REPORTER) {
      const fact = xdsOutcomeFactSchema.safeParse(json);
      if (!fact.success) return { kind: 'invalid', key: entry.key, problem: fact.error.message };
      this.engineConfig.set(id, fact.data);
      return { kind: 'changed', ref };
    }
    const fact = statusFactSchema.safeParse(json);
    if (!fact.success) return { kind: 'invalid', key: entry.key, problem: fact.error.message };
    const byReporter = this.facts.get(id) ?? new Map<string, StatusFact>();
    byReporter.set(reporter, fact.data);
    this.facts.set(id, byReporter);
    return { kind: 'changed', ref };
  }

  gatewayFacts(gateway: GatewayRef): GatewayStatusFact[] {
    return this.of({ kind: 'Gateway', ...gateway }).filter((f): f is GatewayStatusFact => f.kind === 'Gateway');
  }

  routeFacts(ref: { namespace: string; name: string }): HttpRouteStatusFact[] {
    return this.of({ kind: 'HTTPRoute', ...ref }).filter((f): f is HttpRouteStatusFact => f.kind === 'HTTPRoute');
  }

  classFacts(name: string): GatewayClassStatusFact[] {
    return this.of({ kind: 'GatewayClass', name }).filter((f): f is GatewayClassStatusFact => f.kind === 'GatewayClass');
  }

  xdsOutcome(gateway: GatewayRef): XdsOutcome | undefined {
    const fact = this.engineConfig.get(resourceKey({ kind: 'Gateway', ...gateway }));
    if (fact === undefined) return undefined;
    return fact.outcome === 'applied' ? { kind: 'applied', version: fact.version } : { kind: 'rejected', version: fact.version, message: fact.message ?? '' };
  }

  private of(ref: ResourceRef): StatusFact[] {
    return [...(this.facts.get(resourceKey(ref))?.values() ?? [])];
  }
}

function parseJson(value: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(value).toString('utf8'));
  } catch {
    return undefined;
  }
}
