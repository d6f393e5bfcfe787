import type { InstanceName } from './instance.js';
import type { GatewayRef } from './keys.js';
import { rendererServiceName } from './pki/bootstrap.js';
import { SYSTEM_NAMESPACE } from './instance.js';

/**
 * Engine conventions (DESIGN §5) that the deployer's bootstrap, the renderer's xDS server and the
 * tests must agree on.
 */

/** Envoy's admin interface; bound to 127.0.0.1 only, never exposed. */
export const ENGINE_ADMIN_PORT = 19000;
/** Readiness and liveness: `GET /ready` on all interfaces (a listener that proxies to the admin's /ready). */
export const ENGINE_READY_PORT = 19001;
export const ENGINE_READY_PATH = '/ready';
/** Prometheus metrics: `GET /metrics` (the admin's /stats/prometheus). */
export const ENGINE_METRICS_PORT = 19002;
export const ENGINE_METRICS_PATH = '/metrics';

/** Container ports the Engine uses itself: a Gateway listener port mapping onto one cannot be served. */
export const ENGINE_RESERVED_CONTAINER_PORTS: readonly number[] = [ENGINE_ADMIN_PORT, ENGINE_READY_PORT, ENGINE_METRICS_PORT];

/**
 * Sidecar mode: the Engine's inbound listener. The Network Manager redirects the Pod's inbound TCP
 * to it with iptables (the original destination port stays readable through SO_ORIGINAL_DST).
 */
export const ENGINE_INBOUND_PORT = 15006;
/** The non-root user the Engine runs as (the distroless `nonroot` id); sidecar rules exempt its own traffic. */
export const ENGINE_UID = 65532;

/** The port of the renderer's xDS (ADS gRPC) server and Service. */
export const XDS_SERVER_PORT = 18000;
/** The name of the xDS cluster in every Engine's static bootstrap. */
export const XDS_CLUSTER_NAME = 'microgateway-xds';

/** The renderer Service's in-cluster DNS name, which Engines dial and the serving certificate names. */
export function xdsServerHost(instance: InstanceName): string {
  return `${rendererServiceName(instance)}.${SYSTEM_NAMESPACE}.svc`;
}

/**
 * The Envoy node id of an Engine: `<namespace>/<gateway>/<pod>`. The xDS server trusts the client
 * certificate, never the node id; a node id naming another Gateway than the certificate is refused.
 */
export function engineNodeId(gateway: GatewayRef, podName: string): string {
  return `${gateway.namespace}/${gateway.name}/${podName}`;
}

/** The Gateway a node id names, or undefined when it is not an Engine node id. */
export function parseEngineNodeId(nodeId: string): { gateway: GatewayRef; pod: string } | undefined {
  const parts = nodeId.split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  const [namespace = '', name = '', pod = ''] = parts;
  return { gateway: { namespace, name }, pod };
}

/** The Envoy node cluster (`--service-cluster`) of a Gateway's Engines: one per Gateway. */
export function engineNodeCluster(gateway: GatewayRef): string {
  return `${gateway.namespace}/${gateway.name}`;
}
