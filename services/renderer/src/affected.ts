import type { Gateway, GatewayClass, GatewayRef, HttpRoute, ResourceRef } from '@microgateway/contracts';
import { GATEWAY_PARAMETERS_KIND, SERVICE_NAME_LABEL } from '@microgateway/contracts';

/**
 * Which Gateways a change of one object affects: the Gateways whose translation may read it,
 * before or after the change. Pure, and deliberately generous where the answer would need the
 * translation itself (a ReferenceGrant, a Namespace's labels): rendering a Gateway whose output
 * does not change costs a render and writes nothing, while a missed Gateway keeps a stale config.
 */

/** One object's change: `before` absent when it is new, `after` absent when it was deleted. */
export interface ObjectChange {
  ref: ResourceRef;
  before?: unknown;
  after?: unknown;
}

/** The objects the answer depends on, as they are after the change. */
export interface AffectedWorld {
  gateways: Iterable<Gateway>;
  gatewayClasses: Iterable<GatewayClass>;
  httpRoutes: Iterable<HttpRoute>;
}

const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

function refOf(gateway: Gateway): GatewayRef {
  return { namespace: gateway.metadata.namespace, name: gateway.metadata.name };
}

/** The Gateways a route names in parentRefs (other parent kinds are not ours). */
export function routeParents(route: HttpRoute): GatewayRef[] {
  return (route.spec.parentRefs ?? [])
    .filter((p) => (p.group ?? GATEWAY_API_GROUP) === GATEWAY_API_GROUP && (p.kind ?? 'Gateway') === 'Gateway')
    .map((p) => ({ namespace: p.namespace ?? route.metadata.namespace, name: p.name }));
}

/** `namespace/name` of every Service a route sends or mirrors traffic to. */
export function routeServices(route: HttpRoute): Set<string> {
  const services = new Set<string>();
  const add = (ref: { group?: string | undefined; kind?: string | undefined; name: string; namespace?: string | undefined }): void => {
    if ((ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service') services.add(`${ref.namespace ?? route.metadata.namespace}/${ref.name}`);
  };
  for (const rule of route.spec.rules ?? []) {
    for (const backend of rule.backendRefs ?? []) {
      add(backend);
      for (const filter of backend.filters ?? []) if (filter.requestMirror) add(filter.requestMirror.backendRef);
    }
    for (const filter of rule.filters ?? []) if (filter.requestMirror) add(filter.requestMirror.backendRef);
  }
  return services;
}

/** Namespaces a route's backends live in other than its own (those need a ReferenceGrant). */
function routeForeignNamespaces(route: HttpRoute): Set<string> {
  return new Set([...routeServices(route)].map((s) => s.split('/')[0] ?? '').filter((ns) => ns !== route.metadata.namespace));
}

function gatewaySecrets(gateway: Gateway): Set<string> {
  const secrets = new Set<string>();
  for (const listener of gateway.spec.listeners) {
    for (const ref of listener.tls?.certificateRefs ?? []) {
      if ((ref.group ?? '') === '' && (ref.kind ?? 'Secret') === 'Secret') secrets.add(`${ref.namespace ?? gateway.metadata.namespace}/${ref.name}`);
    }
  }
  return secrets;
}

class GatewaySet {
  private readonly byKey = new Map<string, GatewayRef>();
  add(ref: GatewayRef): void {
    this.byKey.set(`${ref.namespace}/${ref.name}`, ref);
  }
  sorted(): GatewayRef[] {
    return [...this.byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, ref]) => ref);
  }
}

function objects<T>(change: ObjectChange): T[] {
  return [change.before, change.after].filter((o): o is T => o !== undefined && o !== null);
}

function labelOf(object: unknown, label: string): string | undefined {
  return (object as { metadata?: { labels?: Record<string, string> } }).metadata?.labels?.[label];
}

/** Parents of the routes that satisfy `uses`. */
function parentsOfRoutes(world: AffectedWorld, out: GatewaySet, uses: (route: HttpRoute) => boolean): void {
  for (const route of world.httpRoutes) if (uses(route)) for (const parent of routeParents(route)) out.add(parent);
}

function gatewaysWhere(world: AffectedWorld, out: GatewaySet, uses: (gateway: Gateway) => boolean): void {
  for (const gateway of world.gateways) if (uses(gateway)) out.add(refOf(gateway));
}

function servicesChanged(change: ObjectChange): Set<string> {
  const namespace = change.ref.namespace ?? '';
  if (change.ref.kind === 'Service') return new Set([`${namespace}/${change.ref.name}`]);
  // An EndpointSlice belongs to the Service its label names; the label may change with the slice.
  const names = objects(change).map((o) => labelOf(o, SERVICE_NAME_LABEL)).filter((n): n is string => n !== undefined);
  return new Set(names.map((n) => `${namespace}/${n}`));
}

function usesParameters(ref: { group: string; kind: string; name: string; namespace?: string | undefined } | undefined, namespace: string | undefined, change: ResourceRef): boolean {
  return ref !== undefined && ref.kind === GATEWAY_PARAMETERS_KIND && ref.name === change.name && (ref.namespace ?? namespace) === change.namespace;
}

function affectedByParameters(change: ObjectChange, world: AffectedWorld, out: GatewaySet): void {
  const classes = new Set<string>();
  for (const c of world.gatewayClasses) if (usesParameters(c.spec.parametersRef, undefined, change.ref)) classes.add(c.metadata.name);
  gatewaysWhere(
    world,
    out,
    (g) => classes.has(g.spec.gatewayClassName) || usesParameters(g.spec.infrastructure?.parametersRef, g.metadata.namespace, change.ref),
  );
}

function affectedByNamespace(change: ObjectChange, world: AffectedWorld, out: GatewaySet): void {
  // Labels decide `allowedRoutes.namespaces.from: Selector`; routes in the namespace may (de)attach.
  gatewaysWhere(world, out, (g) => g.spec.listeners.some((l) => l.allowedRoutes?.namespaces?.from === 'Selector'));
  parentsOfRoutes(world, out, (r) => r.metadata.namespace === change.ref.name);
}

function affectedByReferenceGrant(change: ObjectChange, world: AffectedWorld, out: GatewaySet): void {
  // A grant in namespace X allows references *into* X: every cross-namespace reference into X may flip.
  const target = change.ref.namespace ?? '';
  parentsOfRoutes(world, out, (r) => routeForeignNamespaces(r).has(target));
  gatewaysWhere(world, out, (g) => [...gatewaySecrets(g)].some((s) => s.startsWith(`${target}/`) && target !== g.metadata.namespace));
}

type Rule = (change: ObjectChange, world: AffectedWorld, out: GatewaySet) => void;

const RULES: Record<string, Rule> = {
  Gateway: (change, _world, out) => out.add({ namespace: change.ref.namespace ?? '', name: change.ref.name }),
  GatewayClass: (change, world, out) => gatewaysWhere(world, out, (g) => g.spec.gatewayClassName === change.ref.name),
  HTTPRoute: (change, _world, out) => {
    for (const route of objects<HttpRoute>(change)) for (const parent of routeParents(route)) out.add(parent);
  },
  Service: (change, world, out) => {
    const services = servicesChanged(change);
    parentsOfRoutes(world, out, (r) => [...routeServices(r)].some((s) => services.has(s)));
  },
  EndpointSlice: (change, world, out) => RULES['Service']?.(change, world, out),
  Secret: (change, world, out) => {
    const key = `${change.ref.namespace ?? ''}/${change.ref.name}`;
    gatewaysWhere(world, out, (g) => gatewaySecrets(g).has(key));
  },
  ReferenceGrant: affectedByReferenceGrant,
  Namespace: affectedByNamespace,
  [GATEWAY_PARAMETERS_KIND]: affectedByParameters,
};

/** The Gateways (sorted by namespace/name, no duplicates) whose translation `change` may alter. */
export function affectedGateways(change: ObjectChange, world: AffectedWorld): GatewayRef[] {
  const out = new GatewaySet();
  RULES[change.ref.kind]?.(change, world, out);
  return out.sorted();
}
