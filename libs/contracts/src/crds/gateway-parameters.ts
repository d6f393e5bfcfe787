import { z } from 'zod';
import { API_GROUP } from '../instance.js';
import { namespacedMetaSchema } from '../gatewayapi/meta.js';

/**
 * GatewayParameters (`microgateway.dev/v1alpha1`): how the Engine of a Gateway runs. Referenced from
 * a GatewayClass `spec.parametersRef` (defaults for every Gateway of the class) or a Gateway's
 * `spec.infrastructure.parametersRef` (overrides for that Gateway, field by field).
 */

export const GATEWAY_PARAMETERS_KIND = 'GatewayParameters';
export const MICROGATEWAY_V1ALPHA1 = `${API_GROUP}/v1alpha1`;

export const ServiceType = { ClusterIP: 'ClusterIP', NodePort: 'NodePort', LoadBalancer: 'LoadBalancer' } as const;
export const EngineLogLevel = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warning: 'warning',
  error: 'error',
  critical: 'critical',
  off: 'off',
} as const;

/** Kubernetes resource quantities, e.g. `{ cpu: '500m', memory: '256Mi' }`. */
const quantities = z.record(z.string(), z.union([z.string(), z.number()]).transform(String));

export const engineResourcesSchema = z.strictObject({
  requests: quantities.optional(),
  limits: quantities.optional(),
});
export type EngineResources = z.infer<typeof engineResourcesSchema>;

export const gatewayParametersSpecSchema = z.strictObject({
  /** Engine Pods; 0 scales the Gateway's data plane down. */
  replicas: z.number().int().min(0).max(1000).optional(),
  /** The Service in front of the Engine Pods. */
  service: z
    .strictObject({
      type: z.enum([ServiceType.ClusterIP, ServiceType.NodePort, ServiceType.LoadBalancer]).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
      labels: z.record(z.string(), z.string()).optional(),
      loadBalancerClass: z.string().min(1).optional(),
      externalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
    })
    .optional(),
  /** Requests and limits of the Engine container. */
  resources: engineResourcesSchema.optional(),
  /** Envoy's log level. */
  logLevel: z.enum(Object.values(EngineLogLevel) as [string, ...string[]]).optional(),
});
export type GatewayParametersSpec = z.infer<typeof gatewayParametersSpecSchema>;

/**
 * The object as the watcher stores it. The spec is parsed leniently here (loose) so that an invalid
 * spec still reaches the renderer, which reports it as InvalidParameters instead of the object
 * silently vanishing; {@link gatewayParametersSpecSchema} is the strict check.
 */
export const gatewayParametersSchema = z.looseObject({
  apiVersion: z.literal(MICROGATEWAY_V1ALPHA1),
  kind: z.literal(GATEWAY_PARAMETERS_KIND),
  metadata: namespacedMetaSchema,
  spec: z.record(z.string(), z.unknown()).optional(),
});
export type GatewayParameters = z.infer<typeof gatewayParametersSchema>;
