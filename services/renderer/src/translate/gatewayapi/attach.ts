import type { Gateway, HttpRoute, ParentReference } from '@microgateway/contracts';
import { FromNamespaces, GATEWAY_API_GROUP, RouteReason } from '@microgateway/contracts';
import type { ResourceIndex } from '../resources.js';
import { routeHostnamesOnListener } from './hostnames.js';
import type { ListenerState, Problem } from './listeners.js';
import { listenerUsable } from './listeners.js';
import { selectorMatches, selectorValid } from './selector.js';

/**
 * Route attachment (Gateway API spec, HTTPRoute `parentRefs` and Listener `allowedRoutes`): a
 * parentRef selects listeners by `sectionName` and `port`; a listener admits the route when the
 * route's namespace is allowed (Same, All, Selector) and HTTPRoute is among its kinds; the route is
 * served on the hostnames it shares with the listener.
 */

export interface Attachment {
  listener: ListenerState;
  /** Hostnames (or `*`) the route serves on this listener. */
  hostnames: string[];
}

export interface ParentResult {
  parentRef: ParentReference;
  attachments: Attachment[];
  /** Why Accepted=False for this parent, when it is. */
  rejected?: Problem;
}

/** Whether a parentRef of `route` names `gateway` (defaults: group gateway.networking.k8s.io, kind Gateway, the route's namespace). */
export function refersTo(route: HttpRoute, ref: ParentReference, gateway: Gateway): boolean {
  return (
    (ref.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP &&
    (ref.kind ?? 'Gateway') === 'Gateway' &&
    (ref.namespace ?? route.metadata.namespace) === gateway.metadata.namespace &&
    ref.name === gateway.metadata.name
  );
}

function namespaceAllowed(index: ResourceIndex, state: ListenerState, gateway: Gateway, routeNamespace: string): boolean {
  const from = state.spec.allowedRoutes?.namespaces?.from ?? FromNamespaces.Same;
  if (from === FromNamespaces.All) return true;
  if (from === FromNamespaces.Same) return routeNamespace === gateway.metadata.namespace;
  if (from === FromNamespaces.Selector) {
    const selector = state.spec.allowedRoutes?.namespaces?.selector;
    if (selector === undefined || !selectorValid(selector)) return false;
    return selectorMatches(selector, index.namespaceLabels(routeNamespace));
  }
  return false;
}

function kindAllowed(state: ListenerState): boolean {
  return state.supportedKinds.some((k) => k.kind === 'HTTPRoute');
}

function describeRef(ref: ParentReference): string {
  const section = ref.sectionName === undefined ? '' : ` sectionName ${ref.sectionName}`;
  const port = ref.port === undefined ? '' : ` port ${ref.port}`;
  return `${ref.name}${section}${port}`.trim();
}

/** Attaches `route` through one of its parentRefs that names the Gateway; counts attachedRoutes. */
export function attachParent(
  index: ResourceIndex,
  gateway: Gateway,
  listeners: readonly ListenerState[],
  route: HttpRoute,
  parentRef: ParentReference,
): ParentResult {
  const selected = listeners.filter(
    (l) => (parentRef.sectionName === undefined || l.spec.name === parentRef.sectionName) && (parentRef.port === undefined || l.spec.port === parentRef.port),
  );
  if (selected.length === 0) {
    return { parentRef, attachments: [], rejected: { reason: RouteReason.NoMatchingParent, message: `Gateway has no listener matching ${describeRef(parentRef)}` } };
  }
  const allowed = selected.filter((l) => namespaceAllowed(index, l, gateway, route.metadata.namespace) && kindAllowed(l));
  if (allowed.length === 0) {
    return {
      parentRef,
      attachments: [],
      rejected: { reason: RouteReason.NotAllowedByListeners, message: `no listener of ${describeRef(parentRef)} allows HTTPRoutes from namespace ${route.metadata.namespace}` },
    };
  }
  // A route attaches to the allowed listeners whose hostnames intersect its own (a route whose
  // hostnames match no listener is not Accepted and not counted). Listener readiness does not
  // matter for attachedRoutes (spec, ListenerStatus.attachedRoutes; conformance
  // GatewayWithAttachedRoutes and HTTPRouteHostnameIntersection).
  const matching = allowed
    .map((listener) => ({ listener, hostnames: routeHostnamesOnListener(listener.hostname, route.spec.hostnames ?? []) }))
    .filter((a) => a.hostnames.length > 0);
  if (matching.length === 0) {
    return {
      parentRef,
      attachments: [],
      rejected: { reason: RouteReason.NoMatchingListenerHostname, message: `no route hostname matches a listener hostname of ${describeRef(parentRef)}` },
    };
  }
  for (const { listener } of matching) listener.attachedRoutes.add(`${route.metadata.namespace}/${route.metadata.name}`);
  const attachments = matching.filter((a) => listenerUsable(a.listener));
  if (attachments.length === 0) {
    return { parentRef, attachments: [], rejected: { reason: RouteReason.Pending, message: `the listeners of ${describeRef(parentRef)} are not ready (see the Gateway's listener conditions)` } };
  }
  return { parentRef, attachments };
}
