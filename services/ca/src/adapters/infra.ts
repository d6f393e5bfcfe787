import { bucketName, infraGatewayIdentitySchema, infraKey, parseInfraKey, type GatewayRef, type InstanceName } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import { JetStreamApiError, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { GatewayOwner } from '../pki/index.js';

const STREAM_NOT_FOUND = 10059;
const BUCKET_POLL_MS = 1_000;

/** One change of the infra bucket as the ca understands it. */
export type InfraChange =
  | { kind: 'upsert'; gateway: GatewayOwner; revision: number; initial: boolean }
  | { kind: 'delete'; gateway: GatewayRef; revision: number; initial: boolean }
  /** The entry does not satisfy the contract; the ca cannot act on it (the renderer must fix it). */
  | { kind: 'invalid'; gateway: GatewayRef; revision: number; problem: string; initial: boolean };

/** Reads a KV entry of the infra bucket into an InfraChange (parsed with the contract, never trusted). */
export function toInfraChange(entry: KvEntry, initial: boolean): InfraChange | undefined {
  let gateway: GatewayRef;
  try {
    gateway = parseInfraKey(entry.key);
  } catch {
    return undefined;
  }
  if (entry.operation !== 'PUT') return { kind: 'delete', gateway, revision: entry.revision, initial };
  let value: unknown;
  try {
    value = JSON.parse(entry.string());
  } catch (error) {
    return { kind: 'invalid', gateway, revision: entry.revision, problem: `not JSON: ${(error as Error).message}`, initial };
  }
  const parsed = infraGatewayIdentitySchema.safeParse(value);
  if (!parsed.success) return { kind: 'invalid', gateway, revision: entry.revision, problem: parsed.error.message, initial };
  const { namespace, name, uid } = parsed.data.gateway;
  if (namespace !== gateway.namespace || name !== gateway.name) {
    return { kind: 'invalid', gateway, revision: entry.revision, problem: `the entry names ${namespace}/${name}, not its key's Gateway`, initial };
  }
  return { kind: 'upsert', gateway: { namespace, name, uid }, revision: entry.revision, initial };
}

/**
 * The renderer's `infra` bucket, read-only. The renderer creates it, so the ca waits for it to
 * exist instead of creating it with a configuration of its own.
 */
export class InfraBucket {
  private constructor(
    private readonly kv: KV,
    readonly name: string,
  ) {}

  static async open(js: JetStreamClient, jsm: JetStreamManager, instance: InstanceName, options: { signal: AbortSignal; logger: Logger }): Promise<InfraBucket> {
    const name = bucketName(instance, 'infra');
    let logged = false;
    for (;;) {
      try {
        await jsm.streams.info(`KV_${name}`);
        break;
      } catch (error) {
        if (!(error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND)) throw error;
      }
      if (!logged) options.logger.info({ bucket: name }, 'waiting for the renderer to create the infra bucket');
      logged = true;
      if (options.signal.aborted) throw new Error('stopped while waiting for the infra bucket');
      await new Promise((resolve) => setTimeout(resolve, BUCKET_POLL_MS));
    }
    return new InfraBucket(await new Kvm(js).open(name), name);
  }

  /** The Gateway's current entry, undefined when it has none. */
  async get(gateway: GatewayRef): Promise<InfraChange | undefined> {
    const entry = await this.kv.get(infraKey(gateway));
    return entry ? toInfraChange(entry, false) : undefined;
  }

  /**
   * Calls `onChange` for every current entry, then for every change, until `signal` aborts.
   * `onSynced` runs once the initial entries are delivered.
   */
  async watch(onChange: (change: InfraChange) => void, options: { signal: AbortSignal; onSynced: () => void; logger: Logger }): Promise<void> {
    let synced = false;
    const markSynced = (): void => {
      if (synced) return;
      synced = true;
      options.onSynced();
    };
    // The watcher first replays the last values (isUpdate false, delta counting down to 0), then
    // follows updates; an empty bucket starts with updates at once.
    if ((await this.kv.status()).values === 0) markSynced();
    const iterator = await this.kv.watch();
    options.signal.addEventListener('abort', () => iterator.stop(), { once: true });
    for await (const entry of iterator) {
      const change = toInfraChange(entry, !entry.isUpdate);
      if (change) onChange(change);
      else options.logger.warn({ key: entry.key }, 'ignoring an infra key that names no Gateway');
      if (entry.isUpdate || entry.delta === 0) markSynced();
    }
  }
}
