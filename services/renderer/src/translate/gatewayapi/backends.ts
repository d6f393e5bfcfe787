import type { HttpRoute, IrCluster, IrEndpoint, Service } from '@microgateway/contracts';
import { GATEWAY_API_GROUP, RouteReason } from '@microgateway/contracts';
import type { ResourceIndex } from '../resources.js';
import type { Problem } from './listeners.js';
import { referencePermitted } from './referencegrant.js';
import { compareStrings } from '../order.js';

/**
 * backendRefs (Gateway API spec, HTTPBackendRef / BackendObjectReference): a core Service and a
 * port of it, in the route's namespace or — with a ReferenceGrant — another. An unresolvable
 * reference sets ResolvedRefs=False with the spec's reason (InvalidKind, RefNotPermitted,
 * BackendNotFound, UnsupportedProtocol); requests meant for it get a 500.
 *
 * A Service port becomes one cluster named `<namespace>/<service>/<port>`: stable across route
 * edits, shared by every route that uses it.
 */

export interface BackendTarget {
  group?: string | undefined;
  kind?: string | undefined;
  name: string;
  namespace?: string | undefined;
  port?: number | undefined;
}

export type ResolvedBackend = { ok: true; cluster: IrCluster } | { ok: false; problem: Problem };

/** Service appProtocols (KEP-3726) the Engine can speak to; others are UnsupportedProtocol. */
const H2C = 'kubernetes.io/h2c';
const UNSUPPORTED_APP_PROTOCOLS = new Set(['kubernetes.io/ws', 'kubernetes.io/wss']);

export function clusterName(namespace: string, service: string, port: number): string {
  return `${namespace}/${service}/${port}`;
}

function fail(reason: string, message: string): ResolvedBackend {
  return { ok: false, problem: { reason, message } };
}

/** Ready endpoints of a Service port, from its EndpointSlices (matched by port name, as kube-proxy does). */
function endpointsOf(index: ResourceIndex, service: Service, portName: string): IrEndpoint[] {
  const seen = new Map<string, IrEndpoint>();
  for (const slice of index.endpointSlices(service.metadata.namespace, service.metadata.name)) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === portName)?.port;
    if (port === undefined) continue;
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready === false) continue;
      for (const address of endpoint.addresses) seen.set(`${address}:${port}`, { address, port });
    }
  }
  return [...seen.values()].sort((a, b) => compareStrings(a.address, b.address) || a.port - b.port);
}

/** Why `ref` is not a usable core Service reference from `route`, checked before the Service is looked up. */
function referenceProblem(index: ResourceIndex, route: HttpRoute, ref: BackendTarget, namespace: string): ResolvedBackend | undefined {
  const label = `${namespace}/${ref.name}`;
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') {
    return fail(RouteReason.InvalidKind, `backendRef ${ref.group ?? ''}/${ref.kind ?? ''} ${label} is not a core Service`);
  }
  const from = { group: GATEWAY_API_GROUP, kind: 'HTTPRoute', namespace: route.metadata.namespace };
  if (!referencePermitted(index, from, { group: '', kind: 'Service', namespace, name: ref.name })) {
    return fail(RouteReason.RefNotPermitted, `Service ${label} is in another namespace and no ReferenceGrant allows it`);
  }
  return undefined;
}

export function resolveBackend(index: ResourceIndex, route: HttpRoute, ref: BackendTarget): ResolvedBackend {
  const namespace = ref.namespace ?? route.metadata.namespace;
  const label = `${namespace}/${ref.name}`;
  const problem = referenceProblem(index, route, ref, namespace);
  if (problem !== undefined) return problem;
  const service = index.service(namespace, ref.name);
  if (service === undefined) return fail(RouteReason.BackendNotFound, `Service ${label} does not exist`);
  if (ref.port === undefined) return fail(RouteReason.BackendNotFound, `backendRef to Service ${label} has no port`);
  const servicePort = (service.spec.ports ?? []).find((p) => p.port === ref.port);
  if (servicePort === undefined) return fail(RouteReason.BackendNotFound, `Service ${label} has no port ${ref.port}`);
  if (servicePort.appProtocol !== undefined && UNSUPPORTED_APP_PROTOCOLS.has(servicePort.appProtocol)) {
    return fail(RouteReason.UnsupportedProtocol, `Service ${label} port ${ref.port} has appProtocol ${servicePort.appProtocol}, which is not supported`);
  }
  const cluster: IrCluster = {
    name: clusterName(namespace, ref.name, ref.port),
    service: { namespace, name: ref.name, port: ref.port },
    endpoints: endpointsOf(index, service, servicePort.name ?? ''),
  };
  if (servicePort.appProtocol === H2C) cluster.http2 = true;
  return { ok: true, cluster };
}
