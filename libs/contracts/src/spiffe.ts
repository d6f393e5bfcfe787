import type { InstanceName } from './instance.js';
import { API_GROUP, instanceNameSchema } from './instance.js';
import type { GatewayRef } from './keys.js';

/**
 * The identity in an Engine's client certificate (URI SAN). The xDS server authorizes on it, so
 * the parser is strict: anything that is not exactly what {@link spiffeId} builds is refused.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SPIFFE_PATTERN = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/gateway\/([^/]+)$/;

export interface EngineIdentity {
  instance: InstanceName;
  gateway: GatewayRef;
}

/** The SPIFFE trust domain of an instance: `<instance>.microgateway.dev`. */
export function trustDomain(instance: InstanceName): string {
  return `${instance}.${API_GROUP}`;
}

function assertGateway(gateway: GatewayRef): void {
  if (!DNS_LABEL.test(gateway.namespace) || gateway.namespace.length > 63) {
    throw new Error(`invalid Gateway namespace ${JSON.stringify(gateway.namespace)}`);
  }
  if (!DNS_SUBDOMAIN.test(gateway.name) || gateway.name.length > 253) {
    throw new Error(`invalid Gateway name ${JSON.stringify(gateway.name)}`);
  }
}

/** `spiffe://<instance>.microgateway.dev/ns/<ns>/gateway/<name>`. */
export function spiffeId(instance: InstanceName, gateway: GatewayRef): string {
  instanceNameSchema.parse(instance);
  assertGateway(gateway);
  return `spiffe://${trustDomain(instance)}/ns/${gateway.namespace}/gateway/${gateway.name}`;
}

/** Inverse of {@link spiffeId}; throws on any other URI. */
export function parseSpiffeId(uri: string): EngineIdentity {
  const match = SPIFFE_PATTERN.exec(uri);
  const domainSuffix = `.${API_GROUP}`;
  const [, domain = '', namespace = '', name = ''] = match ?? [];
  if (!match || !domain.endsWith(domainSuffix)) throw new Error(`not a Microgateway Engine identity: ${JSON.stringify(uri)}`);
  const instance = instanceNameSchema.safeParse(domain.slice(0, -domainSuffix.length));
  if (!instance.success) throw new Error(`invalid instance in trust domain of ${JSON.stringify(uri)}`);
  const gateway = { namespace, name };
  assertGateway(gateway);
  return { instance: instance.data, gateway };
}
