import type { GatewayInfra } from '@microgateway/contracts';
import { ENGINE_CONFIG_KEY } from './container.js';
import { engineMeta, engineSelector } from './names.js';
import type { ConfigMapObject, PodDisruptionBudgetObject, ServiceAccountObject } from './objects.js';
import type { RenderSettings } from './settings.js';

/** The ServiceAccount, the ConfigMap and the PodDisruptionBudget next to the Engine Deployment. */

/** An identity of the Engine's own, with no API token: Engines authenticate to xDS by certificate. */
export function renderServiceAccount(infra: GatewayInfra, settings: RenderSettings): ServiceAccountObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: engineMeta(infra, settings), automountServiceAccountToken: false };
}

export function renderConfigMap(infra: GatewayInfra, settings: RenderSettings, bootstrap: string): ConfigMapObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: engineMeta(infra, settings), data: { [ENGINE_CONFIG_KEY]: bootstrap } };
}

/**
 * Voluntary disruptions (node drains) leave at least one Engine Pod. Only for more than one
 * replica: on a single Pod it would block every drain. Unhealthy Pods may always be evicted, so an
 * Engine that never became ready does not block a drain either.
 */
export function renderPodDisruptionBudget(infra: GatewayInfra, settings: RenderSettings): PodDisruptionBudgetObject | undefined {
  if (infra.replicas <= 1) return undefined;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: engineMeta(infra, settings),
    spec: { minAvailable: 1, selector: { matchLabels: engineSelector(infra, settings) }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
  };
}
