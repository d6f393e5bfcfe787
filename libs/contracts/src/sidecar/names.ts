import type { InstanceName } from '../instance.js';
import { instanceNameSchema } from '../instance.js';
import { MAX_OBJECT_NAME, boundedName } from '../kube-names.js';

/** On a Pod or its Namespace: `"true"` asks for the Engine sidecar, `"false"` on a Pod refuses it. */
export const SIDECAR_INJECT_LABEL = 'sidecar.microgateway.dev/inject';
/** Which instance injects a Pod; absent means `default`. */
export const SIDECAR_INSTANCE_LABEL = 'sidecar.microgateway.dev/instance';
/** The digest of the template a Pod was injected with: makes injection idempotent and shows outdated Pods. */
export const SIDECAR_TEMPLATE_DIGEST_ANNOTATION = 'sidecar.microgateway.dev/template-digest';

/** The names of the containers the injection adds. */
export const SIDECAR_ENGINE_CONTAINER = 'microgateway-engine';
export const NETWORK_MANAGER_CONTAINER = 'microgateway-network-manager';

/** The operator configuration ConfigMap in the system namespace (`microgateway-operator-config` for `default`). */
export function operatorConfigMapName(instance: InstanceName): string {
  const name = instanceNameSchema.parse(instance);
  return name === 'default' ? 'microgateway-operator-config' : `microgateway-${name}-operator-config`;
}

/** The bootstrap Secret of a SidecarGateway's Engines (certificate naming the namespace and the SidecarGateway). */
export function sidecarBootstrapSecretName(sidecarGateway: string): string {
  return boundedName(sidecarGateway, '-mgw-sidecar-bootstrap', MAX_OBJECT_NAME);
}

/** The ConfigMap with a SidecarGateway's Engine bootstrap (rendered by the deployer). */
export function sidecarEngineConfigName(sidecarGateway: string): string {
  return boundedName(sidecarGateway, '-mgw-sidecar-engine', MAX_OBJECT_NAME);
}
