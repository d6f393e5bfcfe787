import type { InstanceName } from '../instance.js';
import { instanceNameSchema } from '../instance.js';

/**
 * What the ca writes and what the deployer mounts: the keys of the bootstrap Secret (one file per
 * key in the Engine's volume), where the Engine mounts it, and the SDS files that point Envoy at
 * the certificate files so a renewal is picked up without a restart.
 */

/** The Engine's client certificate (PEM), as in kubernetes.io/tls Secrets. */
export const BOOTSTRAP_CERT_KEY = 'tls.crt';
/** The Engine's private key (PEM, PKCS#8). */
export const BOOTSTRAP_KEY_KEY = 'tls.key';
/** The CA bundle (PEM): every CA the Engine trusts for the xDS server, current CA first. */
export const BOOTSTRAP_CA_KEY = 'ca.crt';
/** SDS file (JSON) with the `tls_certificate` Secret named {@link ENGINE_TLS_SDS_SECRET}. */
export const BOOTSTRAP_TLS_SDS_KEY = 'tls-certificate.sds.json';
/** SDS file (JSON) with the `validation_context` Secret named {@link ENGINE_CA_SDS_SECRET}. */
export const BOOTSTRAP_CA_SDS_KEY = 'validation-context.sds.json';

/** Every key of a complete bootstrap Secret. */
export const BOOTSTRAP_SECRET_KEYS = [
  BOOTSTRAP_CERT_KEY,
  BOOTSTRAP_KEY_KEY,
  BOOTSTRAP_CA_KEY,
  BOOTSTRAP_TLS_SDS_KEY,
  BOOTSTRAP_CA_SDS_KEY,
] as const;
export type BootstrapSecretKey = (typeof BOOTSTRAP_SECRET_KEYS)[number];

/**
 * Where the Engine mounts its bootstrap Secret. The SDS files name files under this directory, so
 * the deployer must mount the Secret here (the ca's `bootstrap.mountPath` setting changes both).
 */
export const BOOTSTRAP_MOUNT_PATH = '/etc/microgateway/bootstrap';

/** SDS resource names the Engine's bootstrap refers to (`sds_config` of its xDS cluster's TLS context). */
export const ENGINE_TLS_SDS_SECRET = 'engine-client-certificate';
export const ENGINE_CA_SDS_SECRET = 'microgateway-ca-bundle';

/** The `microgateway.dev/component` label values of the Secrets the ca writes. */
export const BOOTSTRAP_COMPONENT = 'bootstrap';
export const CA_COMPONENT = 'ca';
export const XDS_SERVING_COMPONENT = 'xds-serving';
/** The deployer's admission webhook serving certificate (sidecar injection, ADR 0013). */
export const WEBHOOK_SERVING_COMPONENT = 'webhook-serving';

/** The renderer's xDS serving certificate and key, in the system namespace (`tls.crt`, `tls.key`, `ca.crt`). */
export function rendererServingSecretName(instance: InstanceName): string {
  return `microgateway-${instanceNameSchema.parse(instance)}-renderer-xds-tls`;
}

/** The renderer's Service, which Engines dial for xDS; the serving certificate names it. */
export function rendererServiceName(instance: InstanceName): string {
  return `microgateway-${instanceNameSchema.parse(instance)}-renderer`;
}

/** The deployer's admission webhook serving certificate and key, in the system namespace (`tls.crt`, `tls.key`, `ca.crt`). */
export function deployerWebhookSecretName(instance: InstanceName): string {
  return `microgateway-${instanceNameSchema.parse(instance)}-deployer-webhook-tls`;
}

/** The deployer's webhook Service, which the API server calls; the webhook serving certificate names it. */
export function deployerWebhookServiceName(instance: InstanceName): string {
  return `microgateway-${instanceNameSchema.parse(instance)}-deployer-webhook`;
}

/**
 * The MutatingWebhookConfiguration of the sidecar injection (created by the installer; the ca only
 * keeps its webhooks' `clientConfig.caBundle` equal to the CA bundle).
 */
export function sidecarInjectorWebhookConfigName(instance: InstanceName): string {
  return `microgateway-${instanceNameSchema.parse(instance)}-sidecar-injector`;
}
