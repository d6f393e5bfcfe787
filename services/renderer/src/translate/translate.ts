import type { ConditionFact, Gateway, GatewayClass, GatewayInfra, GatewayIr, StatusFact } from '@microgateway/contracts';
import { ConditionType, GatewayClassReason, GatewayReason, ListenerReason, RouteReason, SUPPORTED_FEATURES } from '@microgateway/contracts';
import { condition, generationOf } from './gatewayapi/conditions.js';
import { gatewayConditions, listenerStatuses } from './gatewayapi/gateway-status.js';
import { buildInfra, classParameters, gatewayParameters } from './gatewayapi/infra.js';
import { buildGatewayIr } from './gatewayapi/ir.js';
import type { Problem } from './gatewayapi/listeners.js';
import { evaluateListeners } from './gatewayapi/listeners.js';
import type { RouteTranslation } from './gatewayapi/routes.js';
import { translateRoute } from './gatewayapi/routes.js';
import { compareStrings } from './order.js';
import type { Resources } from './resources.js';
import { ResourceIndex } from './resources.js';
import type { EnvoyResources } from './xds/index.js';
import { toEnvoy } from './xds/index.js';

/**
 * The renderer's pure core: one Gateway's resources → IR → Envoy resources, plus the infra
 * description and status facts. User errors never throw: they become conditions, and an invalid
 * route or rule never takes its siblings down. Output is sorted and carries no clock, so equal
 * inputs give byte-identical results.
 */

export interface TranslateOptions {
  /** The GatewayClass `spec.controllerName` this instance claims. */
  controllerName: string;
}

export interface GatewayTranslation {
  gateway: { namespace: string; name: string };
  /** Absent when the Gateway is not accepted: nothing to serve. */
  ir?: GatewayIr;
  xds?: EnvoyResources;
  infra?: GatewayInfra;
  /** GatewayClass, Gateway, then HTTPRoutes by namespace/name. */
  status: StatusFact[];
}

export function classStatus(gatewayClass: GatewayClass, problem: Problem | undefined): StatusFact {
  const generation = generationOf(gatewayClass);
  const accepted =
    problem === undefined
      ? condition(ConditionType.Accepted, true, GatewayClassReason.Accepted, 'GatewayClass is accepted', generation)
      : condition(ConditionType.Accepted, false, GatewayClassReason.InvalidParameters, problem.message, generation);
  return { kind: 'GatewayClass', name: gatewayClass.metadata.name, conditions: [accepted], supportedFeatures: [...SUPPORTED_FEATURES] };
}

/**
 * A GatewayClass's own status fact, independent of any Gateway: a class with no Gateways yet must
 * still be Accepted (or not) with its current observedGeneration. Undefined when it is not ours.
 */
export function translateGatewayClass(resources: Resources, gatewayClass: GatewayClass, options: TranslateOptions): StatusFact | undefined {
  if (gatewayClass.spec.controllerName !== options.controllerName) return undefined;
  const fromClass = classParameters(new ResourceIndex(resources), gatewayClass);
  return classStatus(gatewayClass, fromClass.ok ? undefined : fromClass.problem);
}

/** The GatewayClass of `gateway` when this instance owns it. */
export function ownedClass(resources: Resources, gateway: Gateway, options: TranslateOptions): GatewayClass | undefined {
  return resources.gatewayClasses.find((c) => c.metadata.name === gateway.spec.gatewayClassName && c.spec.controllerName === options.controllerName);
}

function routeTranslations(index: ResourceIndex, gateway: Gateway, listeners: ReturnType<typeof evaluateListeners>, options: TranslateOptions): RouteTranslation[] {
  const routes = [...index.resources.httpRoutes].sort((a, b) =>
    compareStrings(`${a.metadata.namespace}/${a.metadata.name}`, `${b.metadata.namespace}/${b.metadata.name}`),
  );
  return routes.flatMap((route) => translateRoute(index, gateway, listeners, route, options.controllerName) ?? []);
}

export function gatewayProblem(classProblem: Problem | undefined, own: { ok: boolean; problem?: Problem }): Problem | undefined {
  if (classProblem !== undefined) return { reason: GatewayReason.Pending, message: `GatewayClass is not accepted: ${classProblem.message}` };
  return own.ok ? undefined : own.problem;
}

/**
 * A Gateway that is not accepted serves nothing: its listeners are not programmed and no route is
 * accepted by it, whatever their own conditions say.
 */
function notServed(fact: StatusFact): StatusFact {
  const pending = (c: ConditionFact, type: string, reason: string): ConditionFact =>
    c.type === type && c.status === 'True' ? { ...c, status: 'False', reason, message: 'the Gateway is not accepted' } : c;
  if (fact.kind === 'Gateway') {
    return { ...fact, listeners: fact.listeners.map((l) => ({ ...l, conditions: l.conditions.map((c) => pending(c, ConditionType.Programmed, ListenerReason.Pending)) })) };
  }
  if (fact.kind === 'HTTPRoute') {
    return { ...fact, parents: fact.parents.map((p) => ({ ...p, conditions: p.conditions.map((c) => pending(c, ConditionType.Accepted, RouteReason.Pending)) })) };
  }
  return fact;
}

/**
 * Translates one Gateway. Returns undefined when the Gateway's class is not claimed by
 * `options.controllerName` (another controller's Gateway: no facts at all).
 */
export function translateGateway(resources: Resources, gateway: Gateway, options: TranslateOptions): GatewayTranslation | undefined {
  const gatewayClass = ownedClass(resources, gateway, options);
  if (gatewayClass === undefined) return undefined;
  const index = new ResourceIndex(resources);
  const fromClass = classParameters(index, gatewayClass);
  const fromGateway = gatewayParameters(index, gateway);
  const listeners = evaluateListeners(index, gateway);
  const routes = routeTranslations(index, gateway, listeners, options);
  const rejected = gatewayProblem(fromClass.ok ? undefined : fromClass.problem, fromGateway);
  const ref = { namespace: gateway.metadata.namespace, name: gateway.metadata.name };
  const status: StatusFact[] = [
    classStatus(gatewayClass, fromClass.ok ? undefined : fromClass.problem),
    { kind: 'Gateway', ...ref, conditions: gatewayConditions(gateway, listeners, rejected), listeners: listenerStatuses(gateway, listeners) },
    ...routes.map((r) => r.status),
  ];
  const accepted = status[1]?.kind === 'Gateway' && status[1].conditions.some((c) => c.type === ConditionType.Accepted && c.status === 'True');
  if (!accepted || !fromClass.ok || !fromGateway.ok) return { gateway: ref, status: status.map(notServed) };
  const ir = buildGatewayIr(ref, listeners, routes);
  const infra = buildInfra({ gateway, ports: ir.ports.map((p) => p.port), fromClass: fromClass.spec, fromGateway: fromGateway.spec });
  return { gateway: ref, ir, xds: toEnvoy(ir), infra, status };
}

/** Translates every Gateway this instance owns, by namespace/name. */
export function translateAll(resources: Resources, options: TranslateOptions): GatewayTranslation[] {
  const gateways = [...resources.gateways].sort((a, b) =>
    compareStrings(`${a.metadata.namespace}/${a.metadata.name}`, `${b.metadata.namespace}/${b.metadata.name}`),
  );
  return gateways.flatMap((gateway) => translateGateway(resources, gateway, options) ?? []);
}
