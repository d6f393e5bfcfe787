import {
  COMPONENT_LABEL,
  GATEWAY_NAME_LABEL,
  INSTANCE_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  dnsLabelName,
  gatewayLabelValue,
  type GatewayInfra,
} from '@microgateway/contracts';
import { sortedMap, type ObjectMeta, type OwnerReference, type StringMap } from './objects.js';
import type { RenderSettings } from './settings.js';

/** The `microgateway.dev/component` value of everything that makes up an Engine. */
export const ENGINE_COMPONENT = 'engine';
/** Gateway API GEP-1762: the label implementations put on a Gateway's generated resources. */
export const GEP_1762_GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
/** Pod template annotation: changes whenever the bootstrap does, so a new bootstrap rolls the Pods. */
export const BOOTSTRAP_CHECKSUM_ANNOTATION = 'microgateway.dev/bootstrap-checksum';

/**
 * The name of every object of a Gateway's Engine (ServiceAccount, ConfigMap, Deployment, Service,
 * PodDisruptionBudget): a DNS-1035 label, because the Service needs one, of at most 63 characters.
 */
export function engineObjectName(gatewayName: string): string {
  return dnsLabelName(gatewayName, '-engine');
}

/** The labels that select a Gateway's Engine Pods; they never change for a Gateway (selectors are immutable). */
export function engineSelector(infra: GatewayInfra, settings: RenderSettings): StringMap {
  return {
    [INSTANCE_LABEL]: settings.instance,
    [GATEWAY_NAME_LABEL]: gatewayLabelValue(infra.gateway.name),
    [COMPONENT_LABEL]: ENGINE_COMPONENT,
  };
}

/** Labels of every Engine object: the user's (Gateway `spec.infrastructure.labels`) under ours, which win. */
export function engineLabels(infra: GatewayInfra, settings: RenderSettings, extra: StringMap = {}): StringMap {
  return sortedMap({
    ...infra.labels,
    ...extra,
    ...engineSelector(infra, settings),
    [GEP_1762_GATEWAY_NAME_LABEL]: gatewayLabelValue(infra.gateway.name),
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
  });
}

/**
 * The Gateway as controlling owner, so deleting it garbage-collects its Engine. blockOwnerDeletion
 * stays false: setting it true would need update rights on `gateways/finalizers`, which the
 * deployer has no reason to hold.
 */
function ownerReferences(infra: GatewayInfra): OwnerReference[] | undefined {
  const { uid, name } = infra.gateway;
  if (uid === undefined) return undefined;
  return [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name, uid, controller: true, blockOwnerDeletion: false }];
}

export interface MetaOptions {
  labels?: StringMap;
  annotations?: StringMap;
}

/** The metadata of an Engine object; empty annotations are left out so server-side apply owns nothing it does not set. */
export function engineMeta(infra: GatewayInfra, settings: RenderSettings, options: MetaOptions = {}): ObjectMeta {
  const annotations = sortedMap({ ...infra.annotations, ...options.annotations });
  const owners = ownerReferences(infra);
  return {
    name: engineObjectName(infra.gateway.name),
    namespace: infra.gateway.namespace,
    labels: engineLabels(infra, settings, options.labels),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    ...(owners ? { ownerReferences: owners } : {}),
  };
}
