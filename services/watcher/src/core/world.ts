import { API_GROUP, GATEWAY_API_GROUP, controllerName } from '@microgateway/contracts';
import type { InstanceName } from '@microgateway/contracts';
import { nsName } from './fields.js';
import type { CachedObject } from './objects.js';

/**
 * Which objects belong to an instance's world (DESIGN.md §2): the GatewayClasses with its
 * controllerName, their Gateways, the HTTPRoutes attached to those, and what they reference —
 * backend Services and their EndpointSlices, listener certificate Secrets (across namespaces only
 * with a ReferenceGrant), the ReferenceGrants that could allow references from those Gateways and
 * routes, the Namespaces they live in (for allowedRoutes selectors), and microgateway.dev objects
 * that carry the instance label, are named by a parametersRef or extensionRef, or target an
 * in-world Gateway or route. Everything else is invisible to the instance.
 *
 * Works on each object's precomputed links (see links.ts), so it is set lookups per object.
 */

/** The objects the watcher knows, by kind. */
export interface ObjectsByKind {
  of(kind: string): Iterable<CachedObject>;
  /** The microgateway.dev kinds currently watched. */
  readonly extensionKinds: readonly string[];
}

interface Selection {
  keys: Set<string>;
  classes: Set<string>;
  gateways: Set<string>;
  routes: Set<string>;
  services: Set<string>;
  secrets: Set<string>;
  extensions: Set<string>;
  /** Namespaces holding in-world objects, by kind (Gateway, HTTPRoute). */
  namespacesOf: Map<string, Set<string>>;
}

function idOf(object: CachedObject): string {
  return nsName(object.ref.namespace ?? '', object.ref.name);
}

function add(selection: Selection, object: CachedObject): void {
  selection.keys.add(object.key);
  const namespace = object.ref.namespace;
  if (namespace === undefined) return;
  let namespaces = selection.namespacesOf.get(object.ref.kind);
  if (!namespaces) selection.namespacesOf.set(object.ref.kind, (namespaces = new Set()));
  namespaces.add(namespace);
}

export function selectWorld(instance: InstanceName, objects: ObjectsByKind): Set<string> {
  const s: Selection = {
    keys: new Set(),
    classes: new Set(),
    gateways: new Set(),
    routes: new Set(),
    services: new Set(),
    secrets: new Set(),
    extensions: new Set(),
    namespacesOf: new Map(),
  };
  const controller = controllerName(instance);
  for (const gc of objects.of('GatewayClass')) {
    if (gc.links.controllerName !== controller) continue;
    s.classes.add(gc.ref.name);
    add(s, gc);
    for (const ref of gc.links.extensions) s.extensions.add(ref);
  }
  selectGateways(s, objects);
  selectRoutes(s, objects);
  for (const service of objects.of('Service')) if (s.services.has(idOf(service))) add(s, service);
  for (const slice of objects.of('EndpointSlice')) if (slice.links.service !== undefined && s.services.has(slice.links.service)) add(s, slice);
  for (const secret of objects.of('Secret')) if (s.secrets.has(idOf(secret))) add(s, secret);
  selectReferenceGrants(s, objects);
  selectNamespaces(s, objects);
  for (const kind of objects.extensionKinds) selectExtensions(s, objects, kind, instance);
  return s.keys;
}

function selectGateways(s: Selection, objects: ObjectsByKind): void {
  const ourGateways: CachedObject[] = [];
  for (const gateway of objects.of('Gateway')) {
    const className = gateway.links.gatewayClassName;
    if (className === undefined || !s.classes.has(className)) continue;
    s.gateways.add(idOf(gateway));
    add(s, gateway);
    ourGateways.push(gateway);
    for (const ref of gateway.links.extensions) s.extensions.add(ref);
  }
  for (const gateway of ourGateways) {
    const namespace = gateway.ref.namespace ?? '';
    for (const cert of gateway.links.certificates) {
      // A Secret in another namespace is mirrored only when that namespace granted it: the
      // watcher must not copy out what the Gateway's owner has no right to.
      if (cert.namespace !== namespace && !secretGranted(objects, namespace, cert)) continue;
      s.secrets.add(nsName(cert.namespace, cert.name));
    }
  }
}

/** Whether a ReferenceGrant in the Secret's namespace lets Gateways of `fromNamespace` use it. */
function secretGranted(objects: ObjectsByKind, fromNamespace: string, secret: { namespace: string; name: string }): boolean {
  for (const grant of objects.of('ReferenceGrant')) {
    if (grant.ref.namespace !== secret.namespace) continue;
    const from = grant.links.grantsFrom.some((f) => f.group === GATEWAY_API_GROUP && f.kind === 'Gateway' && f.namespace === fromNamespace);
    if (from && grant.links.grantsSecrets.some((t) => (t.name ?? secret.name) === secret.name)) return true;
  }
  return false;
}

function selectRoutes(s: Selection, objects: ObjectsByKind): void {
  for (const route of objects.of('HTTPRoute')) {
    if (!route.links.parentGateways.some((gateway) => s.gateways.has(gateway))) continue;
    s.routes.add(idOf(route));
    add(s, route);
    for (const service of route.links.services) s.services.add(service);
    for (const ref of route.links.extensions) s.extensions.add(ref);
  }
}

function selectReferenceGrants(s: Selection, objects: ObjectsByKind): void {
  for (const grant of objects.of('ReferenceGrant')) {
    if (grant.links.grantsFrom.some((from) => s.namespacesOf.get(from.kind)?.has(from.namespace) ?? false)) add(s, grant);
  }
}

function selectNamespaces(s: Selection, objects: ObjectsByKind): void {
  const wanted = new Set([...(s.namespacesOf.get('Gateway') ?? []), ...(s.namespacesOf.get('HTTPRoute') ?? [])]);
  for (const namespace of objects.of('Namespace')) if (wanted.has(namespace.ref.name)) add(s, namespace);
}

function targetsOurWorld(s: Selection, object: CachedObject): boolean {
  return object.links.targets.some((target) => {
    const colon = target.indexOf(':');
    const kind = target.slice(0, colon);
    const id = target.slice(colon + 1);
    return (kind === 'Gateway' && s.gateways.has(id)) || (kind === 'HTTPRoute' && s.routes.has(id));
  });
}

function selectExtensions(s: Selection, objects: ObjectsByKind, kind: string, instance: InstanceName): void {
  for (const object of objects.of(kind)) {
    if (object.watched.group !== API_GROUP) continue;
    const named = s.extensions.has(`${kind}:${idOf(object)}`);
    if (object.links.instanceLabel === instance || named || targetsOurWorld(s, object)) add(s, object);
  }
}
