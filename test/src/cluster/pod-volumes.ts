// The files of a Pod's volumes, recomputed whenever a ConfigMap or Secret changes and when a
// service-account token nears its expiry; written only when their content changed.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, fieldValue } from './env.js';
import type { EnvSources } from './env.js';
import type { KubeRest } from './rest.js';
import type { DownwardApiFile, Pod, ProjectionSource, Volume } from './types.js';
import type { Payload } from './volumes.js';
import { configMapBytes, secretBytes, selectKeys, writeAtomically } from './volumes.js';

interface CachedToken {
  token: string;
  /** When to ask for a new one: 80% of its lifetime, as the kubelet does. */
  refreshAt: number;
}

export interface VolumeContext {
  pod: Pod;
  podIp: string;
  hostIp: string;
  sources: EnvSources;
  rest: KubeRest;
}

export class PodVolumes {
  private readonly hashes = new Map<string, string>();
  private readonly tokens = new Map<string, CachedToken>();

  constructor(readonly dir: string) {}

  pathOf(volume: string): string {
    return join(this.dir, volume);
  }

  /** Brings every volume's files up to date; throws ConfigError when a required object is missing. */
  async sync(ctx: VolumeContext): Promise<void> {
    for (const volume of ctx.pod.spec.volumes ?? []) {
      const payload = await this.payloadOf(volume, ctx);
      const target = this.pathOf(volume.name);
      if (payload === undefined) {
        mkdirSync(target, { recursive: true });
        continue;
      }
      const hash = hashPayload(payload);
      if (this.hashes.get(volume.name) === hash) continue;
      writeAtomically(target, payload, volume.secret || volume.projected ? 0o600 : 0o644);
      this.hashes.set(volume.name, hash);
    }
  }

  /** undefined: a plain directory (emptyDir and the kinds not projected here). */
  private async payloadOf(volume: Volume, ctx: VolumeContext): Promise<Payload | undefined> {
    const ns = ctx.pod.metadata.namespace;
    if (volume.configMap) {
      const cm = ctx.sources.configMap(ns, volume.configMap.name);
      if (!cm && !volume.configMap.optional) throw new ConfigError(`configmap "${volume.configMap.name}" not found`);
      return selectKeys(cm ? configMapBytes(cm) : {}, volume.configMap.items, `ConfigMap ${ns}/${volume.configMap.name}`);
    }
    if (volume.secret) {
      const secret = ctx.sources.secret(ns, volume.secret.secretName);
      if (!secret && !volume.secret.optional) throw new ConfigError(`secret "${volume.secret.secretName}" not found`);
      return selectKeys(secret ? secretBytes(secret) : {}, volume.secret.items, `Secret ${ns}/${volume.secret.secretName}`);
    }
    if (volume.downwardAPI) return downwardFiles(volume.downwardAPI.items, ctx);
    if (volume.projected) {
      const payload: Payload = new Map();
      for (const source of volume.projected.sources) {
        for (const [path, content] of await this.projectionOf(volume.name, source, ctx)) payload.set(path, content);
      }
      return payload;
    }
    return undefined;
  }

  private async projectionOf(volume: string, source: ProjectionSource, ctx: VolumeContext): Promise<Payload> {
    const ns = ctx.pod.metadata.namespace;
    if (source.serviceAccountToken) {
      const token = await this.token(`${volume}/${source.serviceAccountToken.path}`, source.serviceAccountToken, ctx);
      return new Map([[source.serviceAccountToken.path, Buffer.from(token)]]);
    }
    if (source.configMap) {
      const cm = ctx.sources.configMap(ns, source.configMap.name);
      if (!cm && !source.configMap.optional) throw new ConfigError(`configmap "${source.configMap.name}" not found`);
      return selectKeys(cm ? configMapBytes(cm) : {}, source.configMap.items, `ConfigMap ${ns}/${source.configMap.name}`);
    }
    if (source.secret) {
      const secret = ctx.sources.secret(ns, source.secret.name);
      if (!secret && !source.secret.optional) throw new ConfigError(`secret "${source.secret.name}" not found`);
      return selectKeys(secret ? secretBytes(secret) : {}, source.secret.items, `Secret ${ns}/${source.secret.name}`);
    }
    if (source.downwardAPI) return downwardFiles(source.downwardAPI.items, ctx);
    return new Map();
  }

  private async token(key: string, spec: NonNullable<ProjectionSource['serviceAccountToken']>, ctx: VolumeContext): Promise<string> {
    const cached = this.tokens.get(key);
    if (cached && Date.now() < cached.refreshAt) return cached.token;
    const pod = ctx.pod;
    const expirationSeconds = spec.expirationSeconds ?? 3600;
    const response = await ctx.rest.request<{ status: { token: string; expirationTimestamp: string } }>(
      'POST',
      `/api/v1/namespaces/${pod.metadata.namespace}/serviceaccounts/${pod.spec.serviceAccountName ?? 'default'}/token`,
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          audiences: spec.audience ? [spec.audience] : [],
          expirationSeconds,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
        },
      },
    );
    const expiresAt = Date.parse(response.status.expirationTimestamp);
    const issuedAt = Date.now();
    this.tokens.set(key, { token: response.status.token, refreshAt: issuedAt + 0.8 * (expiresAt - issuedAt) });
    return response.status.token;
  }
}

function downwardFiles(items: readonly DownwardApiFile[] | undefined, ctx: VolumeContext): Payload {
  const payload: Payload = new Map();
  for (const item of items ?? []) {
    if (!item.fieldRef) continue;
    const path = item.fieldRef.fieldPath;
    const value = path === 'metadata.labels' || path === 'metadata.annotations'
      ? Object.entries((path === 'metadata.labels' ? ctx.pod.metadata.labels : ctx.pod.metadata.annotations) ?? {}).sort().map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n')
      : fieldValue(ctx.pod, path, ctx.podIp, ctx.hostIp);
    payload.set(item.path, Buffer.from(value));
  }
  return payload;
}

function hashPayload(payload: Payload): string {
  const hash = createHash('sha256');
  for (const [path, content] of [...payload].sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(path).update('\0').update(content).update('\0');
  }
  return hash.digest('hex');
}
