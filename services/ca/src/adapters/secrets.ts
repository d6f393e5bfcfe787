import { CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';

/**
 * Secrets, the only kind the ca may touch. Writes are optimistic: create fails on an existing
 * Secret and replace carries the resourceVersion it read, so two replicas racing on one Secret
 * cannot both win — the loser sees a conflict and re-reads.
 */

export const FIELD_MANAGER = 'microgateway-ca';

export class SecretConflictError extends Error {
  override name = 'SecretConflictError';
}

/** A Secret as the ca reads it: data decoded to text. */
export interface StoredSecret {
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ownerUids: string[];
  data: Record<string, string>;
}

/** What the ca writes: metadata it owns plus the full data (text). */
export interface SecretWrite {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: NonNullable<V1Secret['metadata']>['ownerReferences'];
  data: Record<string, string>;
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

export function decodeSecret(secret: V1Secret): StoredSecret {
  const meta = secret.metadata ?? {};
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(secret.data ?? {})) data[key] = Buffer.from(value, 'base64').toString('utf8');
  return {
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    uid: meta.uid ?? '',
    resourceVersion: meta.resourceVersion ?? '',
    labels: meta.labels ?? {},
    annotations: meta.annotations ?? {},
    ownerUids: (meta.ownerReferences ?? []).map((ref) => ref.uid),
    data,
  };
}

function toV1Secret(write: SecretWrite, resourceVersion?: string): V1Secret {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(write.data)) data[key] = Buffer.from(value, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: write.name,
      namespace: write.namespace,
      labels: write.labels,
      ...(write.annotations ? { annotations: write.annotations } : {}),
      ...(write.ownerReferences ? { ownerReferences: write.ownerReferences } : {}),
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data,
  };
}

export class SecretStore {
  readonly api: CoreV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.api = kubeConfig.makeApiClient(CoreV1Api);
  }

  async get(namespace: string, name: string): Promise<StoredSecret | undefined> {
    try {
      return decodeSecret(await this.api.readNamespacedSecret({ namespace, name }));
    } catch (error) {
      if (statusCode(error) === 404) return undefined;
      throw error;
    }
  }

  /** Creates the Secret; SecretConflictError when it already exists. */
  async create(write: SecretWrite): Promise<StoredSecret> {
    try {
      return decodeSecret(await this.api.createNamespacedSecret({ namespace: write.namespace, body: toV1Secret(write), fieldManager: FIELD_MANAGER }));
    } catch (error) {
      if (statusCode(error) === 409) throw new SecretConflictError(`Secret ${write.namespace}/${write.name} already exists`);
      throw error;
    }
  }

  /** Replaces the Secret if it is still at `resourceVersion`; SecretConflictError when it changed or vanished. */
  async replace(write: SecretWrite, resourceVersion: string): Promise<StoredSecret> {
    try {
      const body = toV1Secret(write, resourceVersion);
      return decodeSecret(await this.api.replaceNamespacedSecret({ namespace: write.namespace, name: write.name, body, fieldManager: FIELD_MANAGER }));
    } catch (error) {
      const code = statusCode(error);
      if (code === 409 || code === 404) throw new SecretConflictError(`Secret ${write.namespace}/${write.name} changed while being replaced`);
      throw error;
    }
  }

  /** Creates or replaces, as the observed state says; conflicts surface for the caller to retry. */
  async write(write: SecretWrite, observed: StoredSecret | undefined): Promise<StoredSecret> {
    return observed ? this.replace(write, observed.resourceVersion) : this.create(write);
  }

  /** Deletes the Secret if it is still the one with `uid`; absent is fine. */
  async delete(namespace: string, name: string, uid: string): Promise<void> {
    try {
      await this.api.deleteNamespacedSecret({ namespace, name, body: { preconditions: { uid } } });
    } catch (error) {
      const code = statusCode(error);
      if (code === 404 || code === 409) return;
      throw error;
    }
  }
}
