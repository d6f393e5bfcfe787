import {
  API_GROUP,
  BOOTSTRAP_CA_KEY,
  BOOTSTRAP_CA_SDS_KEY,
  BOOTSTRAP_CERT_KEY,
  BOOTSTRAP_COMPONENT,
  BOOTSTRAP_KEY_KEY,
  BOOTSTRAP_TLS_SDS_KEY,
  COMPONENT_LABEL,
  GATEWAY_NAME_LABEL,
  INSTANCE_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  bootstrapSecretName,
  gatewayLabelValue,
  type BootstrapSecretKey,
  type GatewayRef,
  type InstanceName,
} from '@microgateway/contracts';
import { tlsCertificateSds, validationContextSds } from './sds.js';

/** The full Gateway name (label values are cut to 63 characters; this annotation is not). */
export const GATEWAY_NAME_ANNOTATION = `${API_GROUP}/gateway-name`;

/** A Gateway as the ca sees it: its name and, when the infra entry carries it, the uid its bootstrap Secret's owner reference needs. */
export interface GatewayOwner extends GatewayRef {
  uid?: string | undefined;
}

/** The plain shape of the Secret fields the ca sets (a V1Secret subset; the core imports no client library). */
export interface SecretManifest {
  apiVersion: 'v1';
  kind: 'Secret';
  type: 'Opaque';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    ownerReferences: {
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller: boolean;
      blockOwnerDeletion: boolean;
    }[];
  };
  stringData: Record<BootstrapSecretKey, string>;
}

export interface BootstrapMaterial {
  certificatePem: string;
  privateKeyPem: string;
  caBundlePem: string;
}

export interface BootstrapLayout {
  /** Where the Engine mounts the Secret; the SDS files name files under it. */
  mountPath: string;
  /** The DNS names the xDS server's certificate must carry. */
  xdsServerNames: readonly string[];
}

/** The SDS files a bootstrap Secret must hold for this layout (also what the checks compare against). */
export function expectedSdsFiles(layout: BootstrapLayout): Pick<Record<BootstrapSecretKey, string>, typeof BOOTSTRAP_TLS_SDS_KEY | typeof BOOTSTRAP_CA_SDS_KEY> {
  return {
    [BOOTSTRAP_TLS_SDS_KEY]: tlsCertificateSds(layout.mountPath),
    [BOOTSTRAP_CA_SDS_KEY]: validationContextSds(layout.mountPath, layout.xdsServerNames),
  };
}

export function bootstrapSecretLabels(instance: InstanceName, gatewayName: string): Record<string, string> {
  return {
    [INSTANCE_LABEL]: instance,
    [GATEWAY_NAME_LABEL]: gatewayLabelValue(gatewayName),
    [COMPONENT_LABEL]: BOOTSTRAP_COMPONENT,
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
  };
}

/** The label selector of every bootstrap Secret of an instance. */
export function bootstrapSecretSelector(instance: InstanceName): string {
  return `${INSTANCE_LABEL}=${instance},${COMPONENT_LABEL}=${BOOTSTRAP_COMPONENT}`;
}

/**
 * The whole bootstrap Secret of a Gateway. The owner reference (when the uid is known) makes
 * Kubernetes' garbage collector delete it with the Gateway; blockOwnerDeletion stays false because setting it needs update rights
 * on Gateways, which the ca does not have (it may touch Secrets only).
 */
export function bootstrapSecret(instance: InstanceName, gateway: GatewayOwner, material: BootstrapMaterial, layout: BootstrapLayout): SecretManifest {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name: bootstrapSecretName(gateway.name),
      namespace: gateway.namespace,
      labels: bootstrapSecretLabels(instance, gateway.name),
      annotations: { [GATEWAY_NAME_ANNOTATION]: gateway.name },
      ownerReferences:
        gateway.uid === undefined
          ? []
          : [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name: gateway.name, uid: gateway.uid, controller: true, blockOwnerDeletion: false }],
    },
    stringData: {
      [BOOTSTRAP_CERT_KEY]: material.certificatePem,
      [BOOTSTRAP_KEY_KEY]: material.privateKeyPem,
      [BOOTSTRAP_CA_KEY]: material.caBundlePem,
      ...expectedSdsFiles(layout),
    },
  };
}

/** True when the labels mark a bootstrap Secret of this instance (only those may be deleted or repaired on our own initiative). */
export function isBootstrapSecretOf(labels: Readonly<Record<string, string>>, instance: InstanceName): boolean {
  return labels[INSTANCE_LABEL] === instance && labels[COMPONENT_LABEL] === BOOTSTRAP_COMPONENT;
}
