import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { isNotFound } from './kube-errors.js';

/**
 * Reads Gateway API objects and writes their status subresource. A write carries the
 * resourceVersion it read, so two deployer replicas (or a user's edit) racing on one object
 * cannot overwrite each other blindly: the loser gets a conflict, re-reads and recomputes.
 */

const GROUP = 'gateway.networking.k8s.io';
const VERSION = 'v1';

export type StatusKind = 'GatewayClass' | 'Gateway' | 'HTTPRoute';

const PLURALS: Record<StatusKind, string> = { GatewayClass: 'gatewayclasses', Gateway: 'gateways', HTTPRoute: 'httproutes' };

export interface StatusTarget {
  kind: StatusKind;
  namespace?: string | undefined;
  name: string;
}

export interface LiveObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; generation?: number; resourceVersion?: string; uid?: string; [key: string]: unknown };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export class StatusStore {
  private readonly api: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  async read(target: StatusTarget): Promise<LiveObject | undefined> {
    try {
      const plural = PLURALS[target.kind];
      const object: unknown =
        target.namespace === undefined
          ? await this.api.getClusterCustomObject({ group: GROUP, version: VERSION, plural, name: target.name })
          : await this.api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: target.namespace, plural, name: target.name });
      return object as LiveObject;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Replaces the status of the object as read (its resourceVersion guards the write). */
  async write(live: LiveObject, status: unknown): Promise<void> {
    const kind = live.kind as StatusKind;
    const plural = PLURALS[kind];
    const body = { apiVersion: live.apiVersion, kind: live.kind, metadata: live.metadata, status };
    const { name, namespace } = live.metadata;
    if (namespace === undefined) await this.api.replaceClusterCustomObjectStatus({ group: GROUP, version: VERSION, plural, name, body });
    else await this.api.replaceNamespacedCustomObjectStatus({ group: GROUP, version: VERSION, namespace, plural, name, body });
  }
}
