import { createHash } from 'node:crypto';
import type { GatewayRef, XdsManifest, XdsTypeShort } from '@microgateway/contracts';
import { gatewayKey, parseXdsKey, xdsManifestSchema, xdsResourceKey } from '@microgateway/contracts';
import type { Logger } from '@microgateway/runtime';
import type { Snapshot, SnapshotResource } from './protocol/index.js';

/**
 * Every Gateway's current Envoy configuration, as the xDS streams need it: one KV watch of the
 * whole `xds` bucket per replica (not one per Engine), assembled into snapshots of encoded
 * resources.
 *
 * The renderer writes a Gateway's changed resources first and its manifest last (the commit
 * point). A snapshot is built only when every resource the manifest lists is present with the
 * digest the manifest names, so an Engine never sees half a render; until then the previous
 * snapshot stays. Each resource is encoded once per change and shared by every stream.
 */

export interface EncodedAny {
  type_url: string;
  value: Buffer;
}

export type Encode = (resource: Record<string, unknown>) => EncodedAny;

export interface StoreEntry {
  key: string;
  operation: 'PUT' | 'DEL' | 'PURGE';
  value: Uint8Array;
}

export type SnapshotListener = (snapshot: Snapshot<EncodedAny>) => void;

/** A Gateway whose manifest could not be turned into a snapshot (its Engines keep the previous one). */
export interface EncodeFailure {
  gateway: GatewayRef;
  version: string;
  message: string;
}

interface StoredValue {
  json: string;
  digest: string;
  encoded?: EncodedAny;
}

export class XdsStore {
  private readonly values = new Map<string, StoredValue>();
  private readonly manifests = new Map<string, XdsManifest>();
  private readonly snapshots = new Map<string, Snapshot<EncodedAny>>();
  private readonly builtAt = new Map<string, number>();
  private readonly listeners = new Map<string, Set<SnapshotListener>>();
  private readonly failedVersions = new Map<string, string>();

  constructor(
    private readonly encode: Encode,
    private readonly logger: Logger,
    private readonly onEncodeFailure: (failure: EncodeFailure) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Applies one KV entry (from the watch, in revision order). */
  apply(entry: StoreEntry): void {
    let parsed;
    try {
      parsed = parseXdsKey(entry.key);
    } catch {
      this.logger.warn({ key: entry.key }, 'ignoring an xds key that is not a manifest or resource key');
      return;
    }
    const id = gatewayKey(parsed.gateway);
    if (parsed.kind === 'resource') {
      if (entry.operation === 'PUT') this.putValue(entry.key, entry.value);
      else this.values.delete(entry.key);
      if (entry.operation === 'PUT' && this.manifests.has(id) && this.snapshotVersion(id) !== this.manifests.get(id)?.version) this.tryBuild(id);
      return;
    }
    if (entry.operation !== 'PUT') {
      // The Gateway is gone: its Engines are being removed; connected ones keep what they have.
      this.manifests.delete(id);
      this.snapshots.delete(id);
      return;
    }
    const manifest = parseManifest(entry.value);
    if (manifest === undefined) {
      this.logger.error({ key: entry.key }, 'ignoring an xds manifest that does not satisfy the contract');
      return;
    }
    this.manifests.set(id, manifest);
    this.tryBuild(id);
  }

  current(gateway: GatewayRef): Snapshot<EncodedAny> | undefined {
    return this.snapshots.get(gatewayKey(gateway));
  }

  /** When the current snapshot of a Gateway was built (ms), for push latency. */
  builtAtMs(gateway: GatewayRef, version: string): number | undefined {
    const id = gatewayKey(gateway);
    return this.snapshots.get(id)?.version === version ? this.builtAt.get(id) : undefined;
  }

  /** Calls `listener` with every new snapshot of the Gateway; returns the unsubscribe function. */
  subscribe(gateway: GatewayRef, listener: SnapshotListener): () => void {
    const id = gatewayKey(gateway);
    const set = this.listeners.get(id) ?? new Set();
    set.add(listener);
    this.listeners.set(id, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(id);
    };
  }

  get gatewayCount(): number {
    return this.snapshots.size;
  }

  private putValue(key: string, value: Uint8Array): void {
    const json = Buffer.from(value).toString('utf8');
    this.values.set(key, { json, digest: `sha256:${createHash('sha256').update(json).digest('hex')}` });
  }

  private snapshotVersion(id: string): string | undefined {
    return this.snapshots.get(id)?.version;
  }

  private tryBuild(id: string): void {
    const manifest = this.manifests.get(id);
    if (manifest === undefined || this.snapshotVersion(id) === manifest.version) return;
    const resources = new Map<XdsTypeShort, Map<string, SnapshotResource<EncodedAny>>>();
    for (const listed of manifest.resources) {
      const stored = this.values.get(xdsResourceKey(manifest.gateway, listed.type, listed.name));
      // Not there yet, or an older value: the keys of this render are still arriving.
      if (stored === undefined || stored.digest !== listed.digest) return;
      const body = this.encoded(stored, manifest);
      if (body === undefined) return;
      const byName = resources.get(listed.type) ?? new Map<string, SnapshotResource<EncodedAny>>();
      byName.set(listed.name, { name: listed.name, version: listed.digest.slice('sha256:'.length, 'sha256:'.length + 16), body });
      resources.set(listed.type, byName);
    }
    const snapshot: Snapshot<EncodedAny> = { version: manifest.version, resources };
    this.snapshots.set(id, snapshot);
    this.builtAt.set(id, this.now());
    for (const listener of this.listeners.get(id) ?? []) listener(snapshot);
  }

  private encoded(stored: StoredValue, manifest: XdsManifest): EncodedAny | undefined {
    if (stored.encoded !== undefined) return stored.encoded;
    try {
      stored.encoded = this.encode(JSON.parse(stored.json) as Record<string, unknown>);
      return stored.encoded;
    } catch (error) {
      const id = gatewayKey(manifest.gateway);
      if (this.failedVersions.get(id) !== manifest.version) {
        this.failedVersions.set(id, manifest.version);
        this.onEncodeFailure({ gateway: manifest.gateway, version: manifest.version, message: (error as Error).message });
      }
      return undefined;
    }
  }
}

function parseManifest(value: Uint8Array): XdsManifest | undefined {
  try {
    const parsed = xdsManifestSchema.safeParse(JSON.parse(Buffer.from(value).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
