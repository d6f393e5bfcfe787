import type { Gateway, GatewayClass, GatewayInfra, GatewayParametersSpec, InfraPort } from '@microgateway/contracts';
import { API_GROUP, containerPortOf, GATEWAY_PARAMETERS_KIND, gatewayParametersSpecSchema, GatewayReason } from '@microgateway/contracts';
import type { ResourceIndex } from '../resources.js';
import type { Problem } from './listeners.js';

/**
 * The infra description of a Gateway (what the deployer runs): defaults, overridden field by field
 * by the GatewayClass's GatewayParameters, then by the Gateway's own (`spec.infrastructure.parametersRef`).
 * A parametersRef that is missing, of another kind or invalid is InvalidParameters (spec,
 * GatewayClass and Gateway Accepted reasons).
 */

export const INFRA_DEFAULTS = { replicas: 1, serviceType: 'LoadBalancer', logLevel: 'info' } as const;

type ParametersResult = { ok: true; spec: GatewayParametersSpec } | { ok: false; problem: Problem };

function lookup(index: ResourceIndex, ref: { group: string; kind: string; name: string }, namespace: string | undefined): ParametersResult {
  const what = `parametersRef ${ref.group}/${ref.kind} ${namespace === undefined ? '' : `${namespace}/`}${ref.name}`;
  const fail = (message: string): ParametersResult => ({ ok: false, problem: { reason: GatewayReason.InvalidParameters, message } });
  if (ref.group !== API_GROUP || ref.kind !== GATEWAY_PARAMETERS_KIND) return fail(`${what} is not a ${API_GROUP} ${GATEWAY_PARAMETERS_KIND}`);
  if (namespace === undefined) return fail(`${what} needs a namespace`);
  const params = index.gatewayParameters(namespace, ref.name);
  if (params === undefined) return fail(`${what} does not exist`);
  const parsed = gatewayParametersSpecSchema.safeParse(params.spec ?? {});
  if (!parsed.success) return fail(`${what} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { ok: true, spec: parsed.data };
}

/** The class's parameters: `{}` without a parametersRef. */
export function classParameters(index: ResourceIndex, gatewayClass: GatewayClass): ParametersResult {
  const ref = gatewayClass.spec.parametersRef;
  return ref === undefined ? { ok: true, spec: {} } : lookup(index, ref, ref.namespace);
}

/** The Gateway's own parameters (a LocalParametersReference: the Gateway's namespace). */
export function gatewayParameters(index: ResourceIndex, gateway: Gateway): ParametersResult {
  const ref = gateway.spec.infrastructure?.parametersRef;
  return ref === undefined ? { ok: true, spec: {} } : lookup(index, ref, gateway.metadata.namespace);
}

/** The Service exposes only the ports the Engine listens on (those with a usable listener). */
function infraPorts(ports: readonly number[]): InfraPort[] {
  return [...new Set(ports)].sort((a, b) => a - b).map((port) => ({ name: `port-${port}`, port, containerPort: containerPortOf(port), protocol: 'TCP' }));
}

function buildService(fromClass: GatewayParametersSpec, fromGateway: GatewayParametersSpec): GatewayInfra['service'] {
  const merged = { ...fromClass.service, ...fromGateway.service };
  const service: GatewayInfra['service'] = {
    type: merged.type ?? INFRA_DEFAULTS.serviceType,
    annotations: { ...fromClass.service?.annotations, ...fromGateway.service?.annotations },
    labels: { ...fromClass.service?.labels, ...fromGateway.service?.labels },
  };
  if (merged.loadBalancerClass !== undefined) service.loadBalancerClass = merged.loadBalancerClass;
  if (merged.externalTrafficPolicy !== undefined) service.externalTrafficPolicy = merged.externalTrafficPolicy;
  return service;
}

export interface InfraInput {
  gateway: Gateway;
  /** Gateway ports with a programmed listener. */
  ports: readonly number[];
  fromClass: GatewayParametersSpec;
  fromGateway: GatewayParametersSpec;
}

export function buildInfra({ gateway, ports, fromClass, fromGateway }: InfraInput): GatewayInfra {
  return {
    gateway: { namespace: gateway.metadata.namespace, name: gateway.metadata.name, ...(gateway.metadata.uid ? { uid: gateway.metadata.uid } : {}) },
    observedGeneration: gateway.metadata.generation ?? 0,
    replicas: fromGateway.replicas ?? fromClass.replicas ?? INFRA_DEFAULTS.replicas,
    ports: infraPorts(ports),
    service: buildService(fromClass, fromGateway),
    labels: { ...gateway.spec.infrastructure?.labels },
    annotations: { ...gateway.spec.infrastructure?.annotations },
    resources: fromGateway.resources ?? fromClass.resources ?? {},
    logLevel: fromGateway.logLevel ?? fromClass.logLevel ?? INFRA_DEFAULTS.logLevel,
  };
}
