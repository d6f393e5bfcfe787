import { API_GROUP } from './instance.js';

/** Kubernetes names and labels Microgateway gives to the objects it owns. */

/** Which Gateway an Engine's Deployment, Service, ConfigMap and Pods belong to (value: see {@link boundedName}). */
export const GATEWAY_NAME_LABEL = `${API_GROUP}/gateway`;
/** What part of Microgateway an object is (`engine`, `bootstrap`, `ca`). */
export const COMPONENT_LABEL = `${API_GROUP}/component`;
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'microgateway';

/** The default instance's CA Secret, in the system namespace (DESIGN §2). */
export const CA_SECRET_NAME = 'microgateway-ca-cert';

/**
 * An instance's CA Secret in the system namespace: `microgateway-ca-cert` for the default
 * instance, `microgateway-<instance>-ca-cert` for others — two instances never share a CA key.
 */
export function caSecretName(instance: string): string {
  return instance === 'default' ? CA_SECRET_NAME : `microgateway-${instance}-ca-cert`;
}

/** Kubernetes object names (DNS-1123 subdomains) are at most 253 characters. */
export const MAX_OBJECT_NAME = 253;
/** Label values and DNS-1123 labels (e.g. Service names) are at most 63 characters. */
export const MAX_LABEL_VALUE = 63;

/** FNV-1a, 32 bit: a tiny pure hash that keeps shortened names distinct. Not for security. */
function fnv1a(value: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(value)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * `<base><suffix>` when it fits in `max` characters; otherwise `base` is cut and a hash of the
 * full name is inserted, so long Gateway names still give distinct, valid, stable names.
 * Trailing `-`/`.` of the cut part are dropped (names must end alphanumeric).
 */
export function boundedName(base: string, suffix: string, max: number): string {
  const full = `${base}${suffix}`;
  if (full.length <= max) return full;
  const hash = `-${fnv1a(full)}`;
  const room = max - hash.length - suffix.length;
  if (room < 1) throw new Error(`cannot fit a name with suffix ${JSON.stringify(suffix)} in ${max} characters`);
  const cut = base.slice(0, room).replace(/[-.]+$/, '');
  return `${cut}${hash}${suffix}`;
}

/** The bootstrap Secret of a Gateway's Engine, in the Gateway's namespace. */
export function bootstrapSecretName(gatewayName: string): string {
  return boundedName(gatewayName, '-mgw-bootstrap', MAX_OBJECT_NAME);
}

/** A Gateway name as a label value (label values are limited to 63 characters). */
export function gatewayLabelValue(gatewayName: string): string {
  return boundedName(gatewayName, '', MAX_LABEL_VALUE);
}

/** A DNS-1035 label (Service names): lowercase alphanumerics and `-`, starting with a letter. */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `<base><suffix>` as a DNS-1035 label of at most 63 characters, the strictest name any object
 * the deployer creates must carry (Services). A Gateway name is a DNS-1123 subdomain: it may start
 * with a digit and contain dots. Such a name is made valid (`gw-` in front, dots as `-`) and a hash
 * of the original is added, so `1gw` and a Gateway literally named `gw-1gw` never share a name.
 */
export function dnsLabelName(base: string, suffix: string): string {
  if (DNS_1035_LABEL.test(`${base}${suffix}`)) return boundedName(base, suffix, MAX_LABEL_VALUE);
  const prefix = /^[a-z]/.test(base) ? '' : 'gw-';
  const cleaned = `${prefix}${base.replace(/\./g, '-')}`;
  return boundedName(`${cleaned}-${fnv1a(base)}`, suffix, MAX_LABEL_VALUE);
}
