import { KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { GatewayRef, InstanceName } from '@microgateway/contracts';
import { INSTANCE_LABEL } from '@microgateway/contracts';
import type { KubeObject } from '../render/index.js';
import { engineObjectName } from '../render/index.js';
import { isNotFound } from './kube-errors.js';

/**
 * The Engine's objects in the cluster: server-side apply with one fixed field manager, and
 * deletion of a removed Gateway's objects. An object that exists without this instance's label
 * (another instance's, or a user's that happens to have the name) is never touched.
 */

export const FIELD_MANAGER = 'microgateway-deployer';

/** The kinds the deployer creates, in the order a removal deletes them (consumers first). */
const ENGINE_KINDS: readonly { apiVersion: string; kind: string }[] = [
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
];

export class ForeignObjectError extends Error {
  override name = 'ForeignObjectError';
  constructor(
    readonly object: { kind: string; namespace: string; name: string },
    readonly owner: string | undefined,
  ) {
    super(
      `${object.kind} ${object.namespace}/${object.name} exists and is not this instance's (${INSTANCE_LABEL}=${owner ?? '<none>'}); refusing to modify it`,
    );
  }
}

export class EngineObjects {
  private readonly api: KubernetesObjectApi;

  constructor(
    kubeConfig: KubeConfig,
    private readonly instance: InstanceName,
  ) {
    this.api = KubernetesObjectApi.makeApiClient(kubeConfig);
  }

  /** Applies the objects in order; throws ForeignObjectError before writing anything when one is not ours. */
  async apply(objects: readonly KubeObject[]): Promise<void> {
    for (const object of objects) await this.assertOurs(object.apiVersion, object.kind, object.metadata.namespace ?? '', object.metadata.name);
    for (const object of objects) {
      await this.api.patch(object as unknown as KubernetesObject, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
    }
  }

  /** Deletes what apply would have created for the Gateway, leaving anything not labelled for this instance. */
  async remove(gateway: GatewayRef, keep: ReadonlySet<string> = new Set()): Promise<string[]> {
    const name = engineObjectName(gateway.name);
    const deleted: string[] = [];
    for (const { apiVersion, kind } of ENGINE_KINDS) {
      if (keep.has(kind)) continue;
      const existing = await this.read(apiVersion, kind, gateway.namespace, name);
      if (existing === undefined || existing.metadata?.labels?.[INSTANCE_LABEL] !== this.instance) continue;
      try {
        await this.api.delete({ apiVersion, kind, metadata: { name, namespace: gateway.namespace } }, undefined, undefined, undefined, undefined, 'Background');
        deleted.push(kind);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return deleted;
  }

  private async assertOurs(apiVersion: string, kind: string, namespace: string, name: string): Promise<void> {
    const existing = await this.read(apiVersion, kind, namespace, name);
    if (existing === undefined) return;
    const owner = existing.metadata?.labels?.[INSTANCE_LABEL];
    if (owner !== this.instance) throw new ForeignObjectError({ kind, namespace, name }, owner);
  }

  private async read(apiVersion: string, kind: string, namespace: string, name: string): Promise<KubernetesObject | undefined> {
    try {
      return await this.api.read({ apiVersion, kind, metadata: { name, namespace } });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
