import type { GatewayRef, XdsManifest } from '@microgateway/contracts';
import { encodeToken, gatewayKey, infraKey, rendererStatusReporter, revisionsCover, xdsManifestKey, xdsManifestSchema, xdsResourceKey } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import { JetStreamApiError } from '@nats-io/jetstream';
import type { KV, KvEntry } from '@nats-io/kv';
import type { RenderOutput, Serialized } from './output.js';
import { digestOf, manifestResources } from './output.js';

/**
 * Writes one render's output to KV `xds`, `infra` and `status`, touching only what changed:
 *
 * - xds: changed resources first, then the manifest (compare-and-set on its revision, the commit
 *   point), then the keys of removed resources — an xDS server that follows the manifest never
 *   sees it name a missing key.
 * - The manifest also carries the digests of the status facts and the infra entry, so an unchanged
 *   render reads one key and writes nothing.
 * - A render from inputs older than the manifest's is stale and writes nothing.
 */

export class PermanentRenderError extends Error {}

export type PublishResult =
  | { kind: 'unchanged' }
  | { kind: 'stale' }
  | { kind: 'conflict' }
  | {
      kind: 'written';
      manifest: XdsManifest | undefined;
      /** The version of the manifest this write replaced (undefined: the Gateway had none). */
      previousVersion: string | undefined;
      xdsChanged: boolean;
      puts: number;
      deletes: number;
    };

export interface OutputBuckets {
  xds: KV;
  infra: KV;
  status: KV;
}

interface StatusMemo {
  manifestRevision: number;
  digests: Map<string, string>;
}

/** KV writes awaiting their acks at once (a first render of a large Gateway writes thousands of facts). */
const WRITE_CONCURRENCY = 256;

/** JetStream's answers to a compare-and-set whose expected revision is not the key's last one. */
const WRONG_LAST_SEQUENCE = [10071, 10164];

function isWrongLastSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && WRONG_LAST_SEQUENCE.includes(error.code);
}

/**
 * A KV value as sent: nats.js sends a large Uint8Array noticeably faster than the same string
 * (measured here: a 1.4 MB RouteConfiguration put and seen by a watcher in ~8 ms instead of 11–20).
 */
function wireValue(json: string): string | Uint8Array {
  return json.length > 65_536 ? Buffer.from(json, 'utf8') : json;
}

/** Runs `run` over `items` with up to WRITE_CONCURRENCY in flight at any time (a window, not batches). */
async function inBatches<T>(items: readonly T[], run: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await run(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, items.length) }, worker));
}

async function collect(iterator: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterator) out.push(item);
  return out;
}

function isLive(entry: KvEntry | null): entry is KvEntry {
  return entry !== null && entry.operation === 'PUT';
}

/** A value to put: text, or its UTF-8 when the render already has it. */
interface Put {
  key: string;
  value: string | Uint8Array;
}

interface Plan {
  xdsPuts: Put[];
  xdsDeletes: string[];
  infraPut?: { key: string; json: string };
  statusPuts: { key: string; json: string; digest: string }[];
  statusDeletes: string[];
  /** What the status puts and deletes were planned against: nothing (digest unchanged), this replica's memo, or the keys in KV. */
  statusBase: 'unchanged' | 'memo' | 'kv';
  manifest: XdsManifest;
  xdsChanged: boolean;
}

type PublishedXds = NonNullable<RenderOutput['published']>['xds'];

interface XdsPlan {
  puts: Put[];
  deletes: string[];
  resources: XdsManifest['resources'];
  digest: string;
  version: string;
  changed: boolean;
}

/**
 * The xds keys to write and delete. Without new resources (the Gateway is not accepted) Engines
 * keep the last good config: the previous manifest's resources stay as they are.
 */
function planXds(gateway: GatewayRef, xds: PublishedXds, previous: XdsManifest | undefined, force: boolean): XdsPlan {
  const before = new Map((previous?.resources ?? []).map((r) => [xdsResourceKey(gateway, r.type, r.name), r.digest]));
  if (xds === undefined) {
    const digest = previous?.digest ?? digestOf([]);
    return { puts: [], deletes: [], resources: previous?.resources ?? [], digest, version: previous?.version ?? digest.slice(7, 23), changed: false };
  }
  const keep = new Set(xds.entries.map((e) => e.key));
  return {
    puts: xds.entries.filter((e) => force || before.get(e.key) !== e.digest).map((e) => ({ key: e.key, value: e.bytes ?? wireValue(e.json) })),
    deletes: [...before.keys()].filter((key) => !keep.has(key)),
    resources: manifestResources(xds.entries),
    digest: xds.digest,
    version: xds.version,
    changed: xds.digest !== previous?.digest,
  };
}

function planInfra(infra: NonNullable<RenderOutput['published']>['infra'], previous: XdsManifest | undefined, force: boolean): Plan['infraPut'] {
  if (infra === undefined || (!force && infra.digest === previous?.infraDigest)) return undefined;
  return { key: infra.key, json: infra.json };
}

export class KvOutputWriter {
  /** What this replica last wrote as status per Gateway, valid while the manifest revision matches. */
  private readonly statusMemo = new Map<string, StatusMemo>();

  constructor(
    private readonly buckets: OutputBuckets,
    private readonly maxPayload: number,
    private readonly logger: Logger,
  ) {}

  /**
   * `force` rewrites every key, not only those whose digest differs from the manifest's: after a
   * concurrent write or a replica that died between its key writes and its manifest, keys may
   * hold values the manifest does not describe.
   */
  async publish(output: RenderOutput, force: boolean, current?: Promise<KvEntry | null>): Promise<PublishResult> {
    const manifestKey = xdsManifestKey(output.gateway);
    const entry = await (current ?? this.readManifest(output.gateway));
    const previous = this.parseManifest(entry);
    if (previous !== undefined && revisionsCover(previous.inputs, output.inputs) && !revisionsCover(output.inputs, previous.inputs)) {
      return { kind: 'stale' };
    }
    if (output.published === undefined) return this.remove(output.gateway, entry, previous);
    const plan = await this.plan(output, previous, entry, force);
    if (plan === undefined) return { kind: 'unchanged' };
    this.checkSizes(plan);
    await inBatches(plan.xdsPuts, (p) => this.buckets.xds.put(p.key, p.value));
    if (plan.infraPut !== undefined) await this.buckets.infra.put(plan.infraPut.key, plan.infraPut.json);
    let revision: number;
    try {
      const json = JSON.stringify(plan.manifest);
      revision = entry === null ? await this.buckets.xds.create(manifestKey, json) : await this.buckets.xds.update(manifestKey, json, entry.revision);
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error;
      this.logger.debug({ err: error, gateway: output.gateway }, 'manifest changed under this render (another replica wrote it)');
      this.statusMemo.delete(gatewayKey(output.gateway));
      return { kind: 'conflict' };
    }
    // Status facts after the commit: Engines get a new configuration without waiting for thousands
    // of route conditions. A crash before they are written leaves the job unacked, and its
    // redelivery rewrites every key (force), so no fact is lost.
    await inBatches(plan.statusPuts, (p) => this.buckets.status.put(p.key, p.json));
    await inBatches(plan.xdsDeletes, (key) => this.buckets.xds.delete(key));
    await inBatches(plan.statusDeletes, (key) => this.buckets.status.delete(key));
    this.rememberStatus(output, plan, entry, revision);
    const puts = plan.xdsPuts.length + plan.statusPuts.length + (plan.infraPut ? 1 : 0) + 1;
    return {
      kind: 'written', manifest: plan.manifest, previousVersion: previous?.version, xdsChanged: plan.xdsChanged, puts, deletes: plan.xdsDeletes.length + plan.statusDeletes.length,
    };
  }

  /**
   * The Gateway's manifest entry as KV has it now. A render may read it before translating and pass
   * it to {@link publish}: reading early is safe, as the manifest is updated by compare-and-set on
   * the revision read (a write in between is a conflict).
   */
  readManifest(gateway: GatewayRef): Promise<KvEntry | null> {
    return this.buckets.xds.get(xdsManifestKey(gateway));
  }

  private parseManifest(entry: KvEntry | null): XdsManifest | undefined {
    if (!isLive(entry)) return undefined;
    try {
      const parsed = xdsManifestSchema.safeParse(JSON.parse(entry.string()));
      if (parsed.success) return parsed.data;
      this.logger.warn({ key: entry.key, problem: parsed.error.message }, 'xds manifest does not satisfy the contract; rewriting it');
    } catch (error) {
      this.logger.warn({ key: entry.key, err: error }, 'xds manifest is not JSON; rewriting it');
    }
    return undefined;
  }

  private async plan(output: RenderOutput, previous: XdsManifest | undefined, entry: KvEntry | null, force: boolean): Promise<Plan | undefined> {
    const published = output.published;
    if (published === undefined) return undefined;
    const xds = planXds(output.gateway, published.xds, previous, force);
    const infraPut = planInfra(published.infra, previous, force);
    const statusChanged = force || published.statusDigest !== previous?.statusDigest;
    const anything = force || previous === undefined || xds.changed || xds.deletes.length > 0 || infraPut !== undefined || statusChanged;
    if (!anything) return undefined;
    const status = statusChanged ? await this.statusChanges(output.gateway, published.status, entry, force) : { puts: [], deletes: [], base: 'unchanged' as const };
    const infraDigest = published.infra?.digest ?? previous?.infraDigest;
    const manifest: XdsManifest = {
      gateway: output.gateway,
      version: xds.version,
      digest: xds.digest,
      inputs: output.inputs,
      resources: xds.resources,
      statusDigest: published.statusDigest,
      ...(infraDigest === undefined ? {} : { infraDigest }),
    };
    return { xdsPuts: xds.puts, xdsDeletes: xds.deletes, infraPut, statusPuts: status.puts, statusDeletes: status.deletes, statusBase: status.base, manifest, xdsChanged: xds.changed };
  }

  /** Status keys to write and delete; from memory when this replica wrote the current manifest, else from KV. */
  private async statusChanges(
    gateway: GatewayRef,
    facts: Map<string, Serialized>,
    entry: KvEntry | null,
    force: boolean,
  ): Promise<{ puts: Plan['statusPuts']; deletes: string[]; base: 'memo' | 'kv' }> {
    const memo = this.statusMemo.get(gatewayKey(gateway));
    const known = memo !== undefined && entry !== null && memo.manifestRevision === entry.revision && !force;
    const before: Map<string, string | undefined> = known ? memo.digests : new Map((await this.statusKeys(gateway)).map((key) => [key, undefined]));
    const puts: Plan['statusPuts'] = [];
    for (const [key, value] of facts) if (before.get(key) !== value.digest) puts.push({ key, json: value.json, digest: value.digest });
    const deletes = [...before.keys()].filter((key) => !facts.has(key));
    return { puts, deletes, base: known ? 'memo' : 'kv' };
  }

  /**
   * Remembers the status digests now in KV for the new manifest revision. Updated in place when
   * the plan was made against the memo (a one-route change must not copy 10,000 digests).
   */
  private rememberStatus(output: RenderOutput, plan: Plan, entry: KvEntry | null, revision: number): void {
    const key = gatewayKey(output.gateway);
    const memo = this.statusMemo.get(key);
    const memoCurrent = memo !== undefined && entry !== null && memo.manifestRevision === entry.revision;
    if (memoCurrent && plan.statusBase !== 'kv') {
      // 'unchanged': the digest of every fact is the one the memo holds; 'memo': apply the difference.
      for (const put of plan.statusPuts) memo.digests.set(put.key, put.digest);
      for (const deleted of plan.statusDeletes) memo.digests.delete(deleted);
      memo.manifestRevision = revision;
      return;
    }
    this.statusMemo.set(key, { manifestRevision: revision, digests: new Map([...(output.published?.status ?? [])].map(([k, v]) => [k, v.digest])) });
  }

  private async statusKeys(gateway: GatewayRef): Promise<string[]> {
    return collect(await this.buckets.status.keys(`*.*.*.${encodeToken(rendererStatusReporter(gateway))}`));
  }

  /** The Gateway is gone or no longer ours: its manifest first (Engines stop being served), then the rest. */
  private async remove(gateway: GatewayRef, entry: KvEntry | null, previous: XdsManifest | undefined): Promise<PublishResult> {
    const statusKeys = await this.statusKeys(gateway);
    const infra = await this.buckets.infra.get(infraKey(gateway));
    if (!isLive(entry) && statusKeys.length === 0 && !isLive(infra)) return { kind: 'unchanged' };
    if (isLive(entry)) await this.buckets.xds.delete(xdsManifestKey(gateway), { previousSeq: entry.revision });
    const xdsKeys = (previous?.resources ?? []).map((r) => xdsResourceKey(gateway, r.type, r.name));
    await inBatches(xdsKeys, (key) => this.buckets.xds.delete(key));
    if (isLive(infra)) await this.buckets.infra.delete(infraKey(gateway));
    await inBatches(statusKeys, (key) => this.buckets.status.delete(key));
    this.statusMemo.delete(gatewayKey(gateway));
    return { kind: 'written', manifest: undefined, previousVersion: previous?.version, xdsChanged: false, puts: 0, deletes: xdsKeys.length + statusKeys.length + 2 };
  }

  private checkSizes(plan: Plan): void {
    const text = [...plan.statusPuts, ...(plan.infraPut ? [plan.infraPut] : [])].map((p) => ({ key: p.key, value: p.json }));
    for (const put of [...plan.xdsPuts, ...text]) {
      // Multi-byte characters make the byte length larger than the string length (at most three
      // bytes per UTF-16 unit); count bytes only when that could matter.
      if (typeof put.value === 'string' && put.value.length * 3 <= this.maxPayload) continue;
      const bytes = typeof put.value === 'string' ? Buffer.byteLength(put.value) : put.value.byteLength;
      if (bytes > this.maxPayload) {
        throw new PermanentRenderError(`${put.key} is ${bytes} bytes, above the NATS max_payload of ${this.maxPayload}; raise max_payload or split the Gateway`);
      }
    }
  }
}
