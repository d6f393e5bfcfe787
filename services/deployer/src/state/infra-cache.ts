import type { GatewayInfra, GatewayRef } from '@microgateway/contracts';
import { gatewayInfraSchema, gatewayKey, parseInfraKey } from '@microgateway/contracts';

/**
 * The `infra` bucket as this replica last saw it: what each Gateway's Engine should be. Invalid
 * values are reported once and ignored (the Engine keeps what it has).
 */

export interface InfraEntry {
  key: string;
  operation: 'PUT' | 'DEL' | 'PURGE';
  revision: number;
  value: Uint8Array;
}

export type InfraChange =
  | { kind: 'upsert'; gateway: GatewayRef; revision: number }
  | { kind: 'delete'; gateway: GatewayRef; revision: number }
  | { kind: 'invalid'; key: string; revision: number; problem: string };

export class InfraCache {
  private readonly entries = new Map<string, GatewayInfra>();
  private lastRevision = 0;

  apply(entry: InfraEntry): InfraChange {
    this.lastRevision = Math.max(this.lastRevision, entry.revision);
    let gateway: GatewayRef;
    try {
      gateway = parseInfraKey(entry.key);
    } catch (error) {
      return { kind: 'invalid', key: entry.key, revision: entry.revision, problem: (error as Error).message };
    }
    const id = gatewayKey(gateway);
    if (entry.operation !== 'PUT') {
      this.entries.delete(id);
      return { kind: 'delete', gateway, revision: entry.revision };
    }
    const parsed = gatewayInfraSchema.safeParse(parseJson(entry.value));
    if (!parsed.success) return { kind: 'invalid', key: entry.key, revision: entry.revision, problem: parsed.error.message };
    this.entries.set(id, parsed.data);
    return { kind: 'upsert', gateway, revision: entry.revision };
  }

  get(gateway: GatewayRef): GatewayInfra | undefined {
    return this.entries.get(gatewayKey(gateway));
  }

  /** The highest KV revision applied: a job for a later revision waits until this replica has seen it. */
  get revision(): number {
    return this.lastRevision;
  }

  gateways(): GatewayInfra[] {
    return [...this.entries.values()];
  }
}

function parseJson(value: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(value).toString('utf8'));
  } catch {
    return undefined;
  }
}
